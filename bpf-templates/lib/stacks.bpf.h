/* SPDX-License-Identifier: GPL-2.0 */
/* Stacks (LT_STK_*): ids for aggregates keyed by stack, and the frames (or the register and
 * stack copy DWARF unwinding needs) appended to a record. Templates call lt_stack_ids()
 * before lt_agg_update() and lt_stack_append() after their captures, before lt_emit().
 * `regs` are the user registers of the event (a uprobe's or perf_event's ctx, or
 * user_regs.bpf.h's copy), NULL where there are none.
 */
#ifndef LT_STACKS_BPF_H
#define LT_STACKS_BPF_H

#include "maps.bpf.h"
#include "capture.bpf.h"

/* [sp] at a function's first instruction: the caller a frame-pointer walk misses there. */
static __always_inline __u64 entry_caller(const struct lt_probe_cfg *cfg, struct pt_regs *regs)
{
	__u64 ra = 0;

	if (regs && (cfg->stack & LT_STK_ENTRY))
		bpf_probe_read_user(&ra, sizeof(ra), (void *)PT_REGS_SP(regs));
	return ra;
}

#ifndef LT_TP_CTX_REGS
#define LT_TP_CTX_REGS 0
#endif

#if LT_TP_CTX_REGS
/* A tracepoint program's context starts with the registers perf hands it, which
 * bpf_get_stack() and bpf_get_stackid() unwind the kernel stack from. At the
 * syscalls:sys_enter_* / sys_exit_* tracepoints Linux 6.1 hands over the task's user
 * registers (perf_call_bpf_enter(); 6.12 and 6.18 the caller's, as at other tracepoints):
 * from user registers there is no kernel stack. Only then is a kernel stack the running
 * task's own (bpf_get_task_stack walks it from the helper down: the host trims the
 * program's frames as it trims the tracepoint's dispatch). Costs two reads per stack. */
static __always_inline int ctx_regs_user(void *ctx)
{
	struct pt_regs *regs = NULL;
	unsigned long cs = 0;

	if (bpf_probe_read_kernel(&regs, sizeof(regs), ctx) || !regs)
		return 0;
	bpf_probe_read_kernel(&cs, sizeof(cs), &regs->cs);
	return cs & 3;
}
#else
#define ctx_regs_user(ctx) 0
#endif

/* bpf_get_stack, with a kernel stack from the task where the context's registers are user
 * ones (above). */
static __always_inline long get_stack(void *ctx, void *buf, __u32 size, __u64 flags)
{
	if (!(flags & BPF_F_USER_STACK) && ctx_regs_user(ctx))
		return bpf_get_task_stack(bpf_get_current_task_btf(), buf, size, flags);
	return bpf_get_stack(ctx, buf, size, flags);
}

/* A stack id without bpf_get_stackid (sleepable programs may not use stack-trace maps; a
 * task's stack has no stackid helper): the frames (zero-filled past the stack) into the
 * scratch's spare area, FNV-1a over them, stored under that hash. */
static __always_inline long hashed_stack_id(void *ctx, struct scratch *s, __u64 flags)
{
	struct lt_stack_frames *f = (void *)(s->data + LT_DATA_MAX);
	__u64 h = 0xcbf29ce484222325ULL;
	__u32 id;
	long n = get_stack(ctx, f, sizeof(*f), flags);

	if (n <= 0)
		return n ? n : -EFAULT;
	for (int i = 0; i < LT_STACK_DEPTH; i++) {
		if (i * 8 >= n)
			break;
		h = (h ^ f->ip[i]) * 0x100000001b3ULL;
	}
	id = ((__u32)(h ^ (h >> 32)) & ~LT_STACK_ID_HASHED) | LT_STACK_ID_HASHED;
	if (bpf_map_update_elem(&lt_stack_frames, &id, f, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&lt_stack_frames, &id))
		return -ENOSPC;
	return id;
}

static __always_inline long stack_id(void *ctx, struct scratch *s, __u64 flags)
{
	if (LT_SLEEPABLE || (!(flags & BPF_F_USER_STACK) && ctx_regs_user(ctx)))
		return hashed_stack_id(ctx, s, flags);
	return bpf_get_stackid(ctx, &lt_stacks, flags);
}

/* A stack that could not be read or kept. An empty one is not lost: a sample taken in user
 * mode has no kernel stack, a kernel thread no user stack (both are -EFAULT). */
static __always_inline void stack_lost(long err)
{
	if (err != -EFAULT)
		count(LT_CNT_STACK_LOST);
}

static __always_inline void lt_stack_ids(void *ctx, struct pt_regs *regs,
					 const struct lt_probe_cfg *cfg, struct scratch *s)
{
	__u8 by = cfg->agg_by;
	long id;

	s->stk_uid = ~0U;
	s->stk_kid = ~0U;
	s->stk_caller = 0;
	if (!cfg->agg_kind || by < LT_BY_USTACK || by > LT_BY_STACK)
		return;
	if (by != LT_BY_KSTACK) {
		id = stack_id(ctx, s, BPF_F_USER_STACK);
		if (id >= 0)
			s->stk_uid = id;
		else
			stack_lost(id);
		s->stk_caller = entry_caller(cfg, regs);
	}
	if (by != LT_BY_USTACK) {
		id = stack_id(ctx, s, 0);
		if (id >= 0)
			s->stk_kid = id;
		else
			stack_lost(id);
	}
}

/* Registers and the user stack from sp up, page by page, until LT_UCOPY_MAX or a page
 * that cannot be read (the top of the stack). Returns the bytes used at `pos`. */
static __always_inline __u32 ucopy(struct pt_regs *regs, struct scratch *s, __u64 pos)
{
	struct lt_ucopy *u;
	__u64 sp, got = 0;

	keep_bounds(pos);
	if (pos > LT_DATA_MAX + 2 * (LT_STACK_DEPTH + 1) * 8)
		return 0;
	u = (struct lt_ucopy *)(s->data + pos);
	u->regs[0] = regs->rax;
	u->regs[1] = regs->rdx;
	u->regs[2] = regs->rcx;
	u->regs[3] = regs->rbx;
	u->regs[4] = regs->rsi;
	u->regs[5] = regs->rdi;
	u->regs[6] = regs->rbp;
	u->regs[7] = regs->rsp;
	u->regs[8] = regs->r8;
	u->regs[9] = regs->r9;
	u->regs[10] = regs->r10;
	u->regs[11] = regs->r11;
	u->regs[12] = regs->r12;
	u->regs[13] = regs->r13;
	u->regs[14] = regs->r14;
	u->regs[15] = regs->r15;
	u->regs[16] = regs->rip;
	sp = regs->rsp;
	u->sp = sp;
	u->pad = 0;
	for (int i = 0; i < LT_UCOPY_MAX / 4096 + 1; i++) {
		__u64 chunk = 4096 - ((sp + got) & 4095), at;

		if (chunk > LT_UCOPY_MAX - got)
			chunk = LT_UCOPY_MAX - got;
		keep_bounds(chunk);
		if (!chunk || chunk > 4096 || got > LT_UCOPY_MAX)
			break;
		at = pos + sizeof(*u) + got;
		keep_bounds(at);
		if (at > LT_DATA_MAX + LT_STACK_AREA)
			break;
		if (read_user(s->data + at, chunk, (void *)(sp + got)) < 0)
			break;
		got += chunk;
	}
	u->len = got;
	return sizeof(*u) + got;
}

static __always_inline __u32 frames(void *ctx, struct scratch *s, __u64 pos, __u64 depth,
				    __u64 flags)
{
	long n;

	keep_bounds(pos);
	if (pos > LT_DATA_MAX + (LT_STACK_DEPTH + 1) * 8)
		return 0;
	keep_bounds(depth);
	if (depth < 1 || depth > LT_STACK_DEPTH)
		depth = LT_STACK_DEPTH;
	n = get_stack(ctx, s->data + pos, depth * 8, flags);
	if (n < 0) {
		stack_lost(n);
		return 0;
	}
	return n / 8;
}

/* Appends the configured stacks to the record after its captures. */
static __always_inline void lt_stack_append(void *ctx, struct pt_regs *regs,
					    const struct lt_probe_cfg *cfg, struct scratch *s)
{
	__u64 pos = s->rec.data_len, caller;
	__u32 n;

	if (!(cfg->stack & (LT_STK_USER | LT_STK_KERNEL | LT_STK_DWARF)))
		return;
	keep_bounds(pos);
	if (pos > LT_DATA_MAX)
		pos = LT_DATA_MAX;
	if (cfg->stack & LT_STK_USER) {
		caller = entry_caller(cfg, regs);
		__builtin_memcpy(s->data + pos, &caller, sizeof(caller));
		n = frames(ctx, s, pos + 8, cfg->stack_depth, BPF_F_USER_STACK);
		s->rec.nustack = n + 1;
		pos += (n + 1) * 8;
	}
	if (cfg->stack & LT_STK_KERNEL) {
		/* All frames: the host drops the probe's own (stack_trim_bpf), then keeps depth. */
		n = frames(ctx, s, pos, LT_STACK_DEPTH, 0);
		s->rec.nkstack = n;
		pos += n * 8;
	}
	if (regs && (cfg->stack & LT_STK_DWARF))
		s->rec.ucopy_len = ucopy(regs, s, pos);
}

#endif
