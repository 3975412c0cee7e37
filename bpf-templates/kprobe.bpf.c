// SPDX-License-Identifier: GPL-2.0
/* Kernel functions: entry (kprobe:), return (kretprobe:) and paired call (kcall: one record
 * per call with args, return value and duration). Each exists three ways, all reading the
 * probe from the cookie: classic kprobes (one link per function), kprobe_multi (one link per
 * glob; the host sets nothing more, the section does) and fentry/fexit (one program load per
 * function: the host sets the attach target before loading). The host loads only what the
 * kernel has (src/probes/kprobe/kfeatures.c) and marks captures as kernel memory unless told otherwise.
 *
 * Paired calls key on (tid, site, probe): unlike user code, the stack pointer at a
 * kretprobe or fexit is not a reliable match for the entry's, so a function recursing into
 * itself pairs its innermost call and counts the outer return as unmatched.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lib/maps.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/agg.bpf.h"
#define LT_IOV_BOUNDED 8	/* capture.bpf.h: no stack for the iovec walk's frame */
#include "lib/capture.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/event.bpf.h"
#include "lib/paired.bpf.h"
#include "lib/user_regs.bpf.h"
#include "lib/call_args.bpf.h"

char LICENSE[] SEC("license") = "GPL";


static __always_inline void func_args(__u64 *ctx, __u64 *a)
{
	for (int i = 0; i < LT_MAX_ARGS; i++)
		if (bpf_get_func_arg(ctx, i, &a[i]))
			a[i] = 0;
}

/* The common start: the probe's config and a clean scratch record, or NULL. */
static __always_inline struct scratch *begin(__u64 cookie, __u64 pid_tgid,
					     struct lt_probe_cfg **cfg)
{
	struct scratch *s;

	*cfg = probe_admit(cookie >> 32, pid_tgid);
	if (!*cfg || !(s = scratch_get()))
		return NULL;
	__builtin_memset(s->vals, 0, sizeof(s->vals));
	return s;
}

/* Entry or return alone: filter, aggregate in kernel or emit one record. ctx is the
 * program's context (kernel registers or fentry arguments): stacks are walked from it, the
 * user stack's DWARF copy starts from the task's own user registers. */
static __always_inline int plain_event(void *ctx, struct lt_probe_cfg *cfg, struct scratch *s,
				       __u64 cookie, __u64 pid_tgid, __u16 type)
{
	__u32 probe = cookie >> 32;
	struct lt_probe_stats *st = stats_of(probe);
	struct pt_regs uregs;

	if (st)
		st->hits++;
	if (!lt_event_begin(ctx, NULL, cfg, s, cookie, pid_tgid, type))
		return 0;
	s->rec.data_len = lt_fetch_all(cfg, s, 0, 0);
	lt_stack_append(ctx, lt_dwarf_regs(cfg, &uregs), cfg, s);
	lt_emit(s, probe, cfg->flags);
	return 0;
}

static __always_inline void call_key(struct lt_inflight_key *k, __u64 cookie, __u64 pid_tgid)
{
	k->tid = (__u32)pid_tgid;
	k->site = (__u32)cookie;
	k->probe = cookie >> 32;
	k->pad = 0;
	k->sp = 0;
}

/* Paired call, entry half: args (and entry captures) wait in lt_inflight until return. */
static __always_inline int call_entry(struct lt_probe_cfg *cfg, struct scratch *s, __u64 cookie,
				      __u64 pid_tgid)
{
	struct lt_inflight_key key;

	call_key(&key, cookie, pid_tgid);
	lt_call_start(cfg, s, &key, cookie >> 32);
	return 0;
}

/* Paired call, return half: one record with args, return value and duration. */
static __always_inline int call_return(void *ctx, struct lt_probe_cfg *cfg, struct scratch *s,
				       __u64 cookie, __u64 pid_tgid, __u64 ret)
{
	struct lt_inflight_key key;
	struct pt_regs uregs;

	call_key(&key, cookie, pid_tgid);
	return lt_call_end(ctx, lt_dwarf_regs(cfg, &uregs), cfg, s, &key, cookie, pid_tgid, ret);
}

/* The four handlers over a context kind: ARGS(ctx, vals) and RET(ctx) read it. */
#define KPROBE_HANDLERS(suffix, ctx_t, ARGS, RET)					\
static __always_inline int entry_##suffix(ctx_t ctx)					\
{											\
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();\
	struct lt_probe_cfg *cfg;							\
	struct scratch *s = begin(cookie, pid_tgid, &cfg);				\
											\
	if (!s)										\
		return 0;								\
	ARGS(ctx, s->vals);								\
	return plain_event(ctx, cfg, s, cookie, pid_tgid, LT_REC_ENTRY);			\
}											\
static __always_inline int return_##suffix(ctx_t ctx)					\
{											\
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();\
	struct lt_probe_cfg *cfg;							\
	struct scratch *s = begin(cookie, pid_tgid, &cfg);				\
											\
	if (!s)										\
		return 0;								\
	s->vals[LT_SRC_RET] = RET(ctx);							\
	return plain_event(ctx, cfg, s, cookie, pid_tgid, LT_REC_RETURN);			\
}											\
static __always_inline int call_entry_##suffix(ctx_t ctx)				\
{											\
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();\
	struct lt_probe_cfg *cfg;							\
	struct scratch *s = begin(cookie, pid_tgid, &cfg);				\
											\
	if (!s)										\
		return 0;								\
	ARGS(ctx, s->vals);								\
	return call_entry(cfg, s, cookie, pid_tgid);					\
}											\
static __always_inline int call_return_##suffix(ctx_t ctx)				\
{											\
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();\
	struct lt_probe_cfg *cfg;							\
	struct scratch *s = begin(cookie, pid_tgid, &cfg);				\
											\
	if (!s)										\
		return 0;								\
	return call_return(ctx, cfg, s, cookie, pid_tgid, RET(ctx));				\
}

#define REGS_RET(ctx) PT_REGS_RC(ctx)

static __always_inline __u64 func_ret(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return ret;
}

KPROBE_HANDLERS(regs, struct pt_regs *, lt_call_args, REGS_RET)
KPROBE_HANDLERS(func, __u64 *, func_args, func_ret)

/* Classic kprobes: one link per function. */
SEC("kprobe")
int lt_kentry(struct pt_regs *ctx) { return entry_regs(ctx); }
SEC("kretprobe")
int lt_kreturn(struct pt_regs *ctx) { return return_regs(ctx); }
SEC("kprobe")
int lt_kcall_entry(struct pt_regs *ctx) { return call_entry_regs(ctx); }
SEC("kretprobe")
int lt_kcall_return(struct pt_regs *ctx) { return call_return_regs(ctx); }

/* kprobe_multi: one link per glob. */
SEC("kprobe.multi")
int lt_kentry_multi(struct pt_regs *ctx) { return entry_regs(ctx); }
SEC("kretprobe.multi")
int lt_kreturn_multi(struct pt_regs *ctx) { return return_regs(ctx); }
SEC("kprobe.multi")
int lt_kcall_entry_multi(struct pt_regs *ctx) { return call_entry_regs(ctx); }
SEC("kretprobe.multi")
int lt_kcall_return_multi(struct pt_regs *ctx) { return call_return_regs(ctx); }

/* fentry/fexit: the target is set before load, one instance per function. */
SEC("fentry")
int lt_fentry(__u64 *ctx) { return entry_func(ctx); }
SEC("fexit")
int lt_fexit(__u64 *ctx) { return return_func(ctx); }
SEC("fentry")
int lt_fcall_entry(__u64 *ctx) { return call_entry_func(ctx); }
SEC("fexit")
int lt_fcall_return(__u64 *ctx) { return call_return_func(ctx); }
