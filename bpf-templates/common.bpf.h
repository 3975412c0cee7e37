/* SPDX-License-Identifier: GPL-2.0 */
/* What every template shares: the maps (one ring buffer, one probe table, one set of
 * counters and aggregates: the host hands every object the owner's map fds), the
 * per-CPU scratch record, and the filter / capture / aggregate / emit steps. A template
 * fills scratch->vals[] (args 1-6, ret, duration, caller ...) from its context and calls these.
 * Include once per BPF object, after the kernel headers.
 */
#ifndef LT_COMMON_BPF_H
#define LT_COMMON_BPF_H

#include <linux/errno.h>
#include <linux/ptrace.h>
#include <bpf/bpf_tracing.h>
#include "lt_abi.h"
#include "counters.bpf.h"
#include "held.bpf.h"

#ifndef LT_SLEEPABLE
#define LT_SLEEPABLE 0
#endif
/* LT_LEAN=1: the build for probes that only aggregate in the kernel (no records, no
 * stacks). Those steps compile out: a third of the instructions to verify. */
#ifndef LT_LEAN
#define LT_LEAN 0
#endif

/* Runtime knobs shared by every template, written by the host. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lt_globals);
} lt_globals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_probe_cfg);
} lt_probes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_MAX_PIDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* a few pids: not worth preallocating 8192 */
	__type(key, __u32);
	__type(value, __u8);
} lt_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* ringbuf_size() changes it; mapped only when streaming */
} lt_events SEC(".maps");

/* Paired calls in flight, per thread: a stack of slots in the thread's own storage, pushed
 * at entry and popped at return. Task storage costs one cached lookup where a hash map
 * costs a hashed insert and delete (the LRU's were most of a paired call's BPF time), and
 * it goes away with the thread. Slots above a new entry's stack pointer belong to calls
 * that left without returning (longjmp, exceptions) and are reclaimed. */
#define LT_CALL_SLOTS 64	/* nesting depth of traced calls per thread */
#define LT_CALL_SEARCH 4	/* slots a return looks down: up to four probes on one function */
#define LT_CALL_RECLAIM 4	/* stale slots popped per entry or return, at most */

struct lt_call_slot {
	__u64 sp;	/* stack pointer at entry; 0 where unknown (kernel functions) */
	__u32 probe;	/* probe id + 1; 0: free */
	__u32 site;
	struct lt_inflight in;
};

struct lt_call_stack {
	__u32 depth;
	__u32 pad;
	struct lt_call_slot slot[LT_CALL_SLOTS];
};

struct task_struct;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lt_call_stack);
} lt_inflight SEC(".maps");

struct inflight_data {
	__u8 data[LT_INFLIGHT_DATA];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct lt_inflight_key);
	__type(value, struct inflight_data);
} lt_inflight_data SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* preallocating costs ~12 ms at start */
	__type(key, struct lt_agg_key);
	__type(value, struct lt_agg_val);
} lt_aggs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_probe_stats);
} lt_stats SEC(".maps");

/* Bucket counts of keyless histograms (LT_CFG_AGG_FLAT), one element per histogram. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LT_AGG_HISTS);
	__type(key, __u32);
	__type(value, struct lt_agg_hist);
} lt_agg_hists SEC(".maps");

/* Stacks: ids for aggregates keyed by stack (bpf_get_stackid); records carry frames. */
#define LT_STACK_IDS 4096	/* like bpftrace; full: stack_lost counts */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, LT_STACK_IDS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, LT_STACK_DEPTH * sizeof(__u64));
} lt_stacks SEC(".maps");

/* The same for sleepable programs, which may not use stack-trace maps: frames hashed by
 * the program itself; their ids have LT_STACK_ID_HASHED set. */
struct lt_stack_frames {
	__u64 ip[LT_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_STACK_IDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct lt_stack_frames);
} lt_stack_frames SEC(".maps");

/* After the captures: user frames (and the entry caller slot), kernel frames, the user
 * stack copy; plus one page of slack so the verifier accepts the page-wise copy. */
#define LT_STACK_AREA (2 * (LT_STACK_DEPTH + 1) * 8 + sizeof(struct lt_ucopy) + LT_UCOPY_MAX)
#define LT_SCRATCH_DATA (LT_DATA_MAX + LT_STACK_AREA + 4096)

/* Record under construction: too big for the 512-byte BPF stack. vals[] holds the values
 * sources name (args 1-6, ret, duration) so reading one is a masked index into map memory,
 * not a branch per source. The slack after LT_DATA_MAX lets the verifier accept a capture
 * that starts anywhere below it. */
struct scratch {
	__u64 vals[LT_SRC_SLOTS];
	__u32 stk_uid, stk_kid;	/* stack ids of this event (lt_stack_ids), ~0 when none */
	__u64 stk_caller;
	struct lt_rec rec;
	__u8 data[LT_SCRATCH_DATA];
};
_Static_assert(LT_SCRATCH_DATA >= LT_DATA_MAX + LT_FETCH_MAX_LEN + sizeof(struct lt_cap) + 8,
	       "captures fit the scratch record");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} lt_scratch SEC(".maps");

/* Stops clang from narrowing a bounded value into a form the verifier cannot follow. */
#define keep_bounds(v) asm volatile("" : "+r"(v))

static __always_inline void count(__u32 which)
{
	count_n(which, 1);
}

static __always_inline struct lt_probe_stats *stats_of(__u32 probe)
{
	return bpf_map_lookup_elem(&lt_stats, &probe);
}

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lt_scratch, &zero);
}

/* The cheap filters every event passes first: enabled, process set, thread, comm. */
static __always_inline struct lt_globals *globals(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lt_globals, &zero);
}

/* The comm filter, out of line: its buffer would take the callers' stack past the size at
 * which the kernel gives a tracing program a private stack (extra work at every call). */
__noinline int lt_comm_is(const struct lt_probe_cfg *cfg)
{
	char comm[LT_COMM_LEN];

	if (!cfg)
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < LT_COMM_LEN; i++) {
		if (comm[i] != cfg->comm[i])
			return 0;
		if (!comm[i])
			break;
	}
	return 1;
}

static __always_inline struct lt_probe_cfg *probe_admit(__u32 probe, __u64 pid_tgid)
{
	struct lt_probe_cfg *cfg = bpf_map_lookup_elem(&lt_probes, &probe);
	struct lt_globals *g = globals();
	__u32 tgid = pid_tgid >> 32;

	if (!cfg || !g || !(cfg->flags & LT_CFG_ENABLED) || tgid == g->self_tgid)
		return NULL;
	if (g->filter_pids && !(cfg->flags & LT_CFG_OWN_PID) && tgid != g->target_tgid &&
	    !bpf_map_lookup_elem(&lt_pids, &tgid))
		return NULL;
	if (cfg->tid && cfg->tid != (__u32)pid_tgid)
		return NULL;
	if (cfg->comm[0] && !lt_comm_is(cfg))
		return NULL;
	return cfg;
}

static __always_inline int sample_keep(__u32 probe, __u32 n)
{
	struct lt_probe_stats *st;

	if (n <= 1)
		return 1;
	st = stats_of(probe);
	if (!st)
		return 1;
	st->sampled += 1;
	return st->sampled % n == 1 % n;
}

static __always_inline __u64 val_of(const struct scratch *s, __u64 src)
{
	keep_bounds(src);
	return s->vals[src & (LT_SRC_SLOTS - 1)];
}

/* A narrow value in a 64-bit register: only its low `width` bytes are defined. */
static __always_inline __u64 narrow(__u64 v, __u8 width, int is_signed)
{
	__u32 sh = ((8 - width) & 7) * 8;	/* widths 0 and 8: all bits */

	v <<= sh;
	return is_signed ? (__u64)((__s64)v >> sh) : v >> sh;
}

static __always_inline int pred_holds(const struct lt_pred *p, __u64 raw)
{
	__u64 v = narrow(raw, p->width, p->is_signed);
	__u64 flip = (__u64)(p->is_signed != 0) << 63;	/* signed order as unsigned */
	__u64 a = v ^ flip, b = p->val ^ flip;

	switch (p->op) {
	case LT_OP_EQ: return v == p->val;
	case LT_OP_NE: return v != p->val;
	case LT_OP_LT: return a < b;
	case LT_OP_LE: return a <= b;
	case LT_OP_GT: return a > b;
	case LT_OP_GE: return a >= b;
	case LT_OP_MASK: return (v & p->val) != 0;
	}
	return 1;
}

/* Predicates whose source is known in this phase: at entry only args; at return the
 * rest (a paired call checked its args at entry already). */
__noinline int lt_preds_hold(const struct lt_probe_cfg *cfg, const struct scratch *s,
			     int at_return)
{
	if (!cfg || !s)
		return 0;
	for (int i = 0; i < LT_MAX_PRED; i++) {
		const struct lt_pred *p = &cfg->pred[i];
		int is_arg = p->src < LT_MAX_ARGS || p->src == LT_SRC_CALLER;	/* known at entry */

		if (i >= cfg->npred)
			break;
		if (at_return ? is_arg && (cfg->flags & LT_CFG_CALL) : !is_arg)
			continue;
		if (!pred_holds(p, val_of(s, p->src)))
			return 0;
	}
	return 1;
}

/* The bit length of v (0 for 0): slot 0 holds 0, slot i holds [2^(i-1), 2^i). Computed
 * without branches (smear the top bit down, count the ones): a branch per bit would give
 * the verifier 64 paths to walk through everything that indexes by the slot. */
/* lt_preds_hold without the call when the probe has no predicate (the common case). */
static __always_inline int preds_pass(const struct lt_probe_cfg *cfg, const struct scratch *s,
				      int at_return)
{
	return !cfg->npred || lt_preds_hold(cfg, s, at_return);
}

static __always_inline __u32 log2_slot(__u64 v)
{
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	v |= v >> 32;
	v -= (v >> 1) & 0x5555555555555555ULL;
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (v * 0x0101010101010101ULL) >> 56;
}

/* A histogram's bucket: log2 slot, or ~0 for a negative signed value. */
static __always_inline __u32 agg_slot(const struct lt_probe_cfg *cfg, __u64 v)
{
	return (cfg->flags & LT_CFG_SIGNED) && (__s64)v < 0 ? 0xffffffff : log2_slot(v);
}

static __always_inline void agg_add(struct lt_agg_val *a, __u64 v)
{
	if (!a->count || v < a->min)
		a->min = v;
	if (v > a->max)
		a->max = v;
	a->count += 1;
	a->sum += v;
}

/* A keyless aggregate (LT_CFG_AGG_FLAT): array slots the host assigned, no key to hash. A
 * clear bumps cfg->agg_epoch instead of writing the per-CPU values (the programs keep
 * updating them): a value from an older epoch starts over here and is skipped by the host. */
/* The first update after the aggregate was cleared (p:clear() bumps the epoch): rare, so
 * out of line, verified once; inline, its stores were walked on every path of every lean
 * program (~2 ms more to load a one-probe count). */
__noinline int lt_agg_flat_reset(struct lt_probe_stats *st, struct lt_agg_hist *h, __u32 epoch)
{
	if (st && st->agg_epoch != epoch) {
		st->agg = (struct lt_agg_val){};
		st->agg_epoch = epoch;
	}
	if (h && h->epoch != epoch) {
		__builtin_memset(h->slot, 0, sizeof(h->slot));
		h->epoch = epoch;
	}
	return 0;
}

static __always_inline void agg_flat(const struct lt_probe_cfg *cfg, __u32 probe, __u64 v,
				     __u32 slot)
{
	struct lt_probe_stats *st = stats_of(probe);
	struct lt_agg_hist *h;
	__u32 idx = cfg->agg_hist;

	if (!st)
		return;
	if (st->agg_epoch != cfg->agg_epoch)
		lt_agg_flat_reset(st, NULL, cfg->agg_epoch);
	agg_add(&st->agg, v);
	if (cfg->agg_kind != LT_AGG_HIST || !(h = bpf_map_lookup_elem(&lt_agg_hists, &idx)))
		return;
	if (h->epoch != cfg->agg_epoch)
		lt_agg_flat_reset(NULL, h, cfg->agg_epoch);
	if (slot >= LT_HIST_SLOTS)
		slot = LT_HIST_SLOTS - 1;	/* negatives */
	h->slot[slot] += 1;
}

/* A keyed aggregate: its entry in the lt_aggs hash (lt_agg takes keyless ones). */
__noinline int lt_agg_update(const struct lt_probe_cfg *cfg, const struct scratch *s,
			     __u32 probe, __u32 site, __u64 pid_tgid)
{
	struct lt_agg_key key = { .probe = probe };
	struct lt_agg_val *val, init = { .min = ~0ULL };
	__u64 v;
	__u8 by;

	if (!cfg || !s)
		return 0;
	v = narrow(val_of(s, cfg->agg_src), cfg->agg_width, cfg->agg_signed);
	by = cfg->agg_by;
	if (cfg->flags & LT_CFG_AGG_FLAT) {
		agg_flat(cfg, probe, v, cfg->agg_kind == LT_AGG_HIST ? agg_slot(cfg, v) : 0);
		return 0;
	}

	if (by == LT_BY_SITE)
		key.key = site;
	else if (by == LT_BY_PID)
		key.key = pid_tgid >> 32;
	else if (by == LT_BY_TID)
		key.key = (__u32)pid_tgid;
	else if (by == LT_BY_COMM)
		bpf_get_current_comm(key.comm, sizeof(key.comm));
	else if (by >= LT_BY_ARG1 && by <= LT_BY_RET)
		key.key = val_of(s, by - LT_BY_ARG1);	/* args then ret: same order as vals */
	else if (by >= LT_BY_USTACK && by <= LT_BY_STACK) {	/* lt_stack_ids ran first */
		key.key = (__u64)s->stk_uid << 32 | s->stk_kid;
		key.stk.pid = pid_tgid >> 32;
		key.stk.caller = s->stk_caller;
	}
	if (cfg->agg_kind == LT_AGG_HIST)
		key.slot = agg_slot(cfg, v);

	val = bpf_map_lookup_elem(&lt_aggs, &key);
	if (!val) {
		bpf_map_update_elem(&lt_aggs, &key, &init, BPF_NOEXIST);
		val = bpf_map_lookup_elem(&lt_aggs, &key);
		if (!val) {
			count(LT_CNT_AGG_FULL);
			return 0;
		}
	}
	agg_add(val, v);
	return 0;
}

/* The aggregate update: in lean (aggregate-only) builds a keyless one inline (a few array
 * slots), since a call costs here: the kernel sends every return through a return thunk
 * (retbleed). Everything else through lt_agg_update, verified once: inline in the plain
 * builds, whose records and captures follow, it tripled the syscall programs' verification
 * (exit 10-13 -> 30-47 ms; tools' start-up went over 50 ms). */
static __always_inline void lt_agg(const struct lt_probe_cfg *cfg, const struct scratch *s,
				   __u32 probe, __u32 site, __u64 pid_tgid)
{
	__u64 v;

	if (!LT_LEAN || !(cfg->flags & LT_CFG_AGG_FLAT)) {
		lt_agg_update(cfg, s, probe, site, pid_tgid);
		return;
	}
	v = narrow(val_of(s, cfg->agg_src), cfg->agg_width, cfg->agg_signed);
	agg_flat(cfg, probe, v, cfg->agg_kind == LT_AGG_HIST ? agg_slot(cfg, v) : 0);
}

/* Reading user memory that may not be paged in. bpf_probe_read_user fails on a page the
 * process never touched (a string literal's first use); sleepable builds of this template
 * fault the page in with bpf_copy_from_user and read again. */
static __always_inline long read_user(void *dst, __u32 len, const void *src)
{
	long n = bpf_probe_read_user(dst, len, src);

#if LT_SLEEPABLE
	if (n < 0)
		n = bpf_copy_from_user(dst, len, src);
#endif
	return n;
}

static __always_inline long read_user_str(void *dst, __u32 len, const void *src)
{
	long n = bpf_probe_read_user_str(dst, len, src);

#if LT_SLEEPABLE
	/* At most two pages: the string's first, then the one it runs into. */
	for (int i = 0; i < 2 && n < 0; i++) {
		char c;
		const char *page = i ? (const char *)(((unsigned long)src | 4095) + 1) : src;

		if (bpf_copy_from_user(&c, 1, page))
			break;
		n = bpf_probe_read_user_str(dst, len, src);
	}
#endif
	return n;
}

/* A capture reads the traced process's memory unless it says kernel (kernel templates). */
static __always_inline long read_mem(const struct lt_fetch *f, void *dst, __u32 len,
				     const void *src)
{
	if (f->space == LT_SPACE_KERNEL)
		return bpf_probe_read_kernel(dst, len, src);
	return read_user(dst, len, src);
}

static __always_inline long read_mem_str(const struct lt_fetch *f, void *dst, __u32 len,
					 const void *src)
{
	if (f->space == LT_SPACE_KERNEL)
		return bpf_probe_read_kernel_str(dst, len, src);
	return read_user_str(dst, len, src);
}

/* A string that exactly fills the buffer ends in its own NUL: then it is not truncated. */
static __always_inline int nul_at(const struct lt_fetch *f, __u64 addr)
{
	char c = 1;

	read_mem(f, &c, 1, (void *)addr);
	return c == 0;
}

/* Append one capture at pos; returns bytes used. Reads user or kernel memory (f->space). */
static __always_inline __u32 fetch_one(struct scratch *s, __u64 pos, const struct lt_fetch *f)
{
	__u64 addr = val_of(s, f->src) + (__s64)f->off, len = f->len, kept = 0;
	struct lt_cap *cap;
	__u8 *dst;
	long n;

	if (f->len_src != LT_SRC_NONE) {
		__s64 lim = val_of(s, f->len_src);

		if (lim < 0)
			lim = 0;
		if ((__u64)lim < len)
			len = lim;
	}
	if (f->kind == LT_FETCH_U64)
		len = 8;
	/* Re-bound both right before use: the verifier must see them in these registers. */
	keep_bounds(pos);
	if (pos >= LT_DATA_MAX) {
		count(LT_CNT_DATA_FULL);
		return 0;
	}
	keep_bounds(len);
	if (len > LT_FETCH_MAX_LEN)
		len = LT_FETCH_MAX_LEN;
	cap = (struct lt_cap *)(s->data + pos);
	cap->flags = 0;
	cap->pad = 0;
	if (f->deref) {
		__u64 p = 0;

		if (read_mem(f, &p, sizeof(p), (void *)addr) < 0) {
			cap->len = 0;
			cap->flags = LT_CAP_FAULT;
			count(LT_CNT_READ_FAULT);
			return sizeof(*cap);
		}
		addr = p + (__s64)f->off2;
		/* LT_DEREF_KEEP: the pointer first, then what it points to. Written always and
		 * kept by arithmetic, not a branch: two offsets for what follows would double
		 * what the verifier walks in every program that captures. */
		__builtin_memcpy(s->data + pos + sizeof(*cap), &p, sizeof(p));
		kept = (f->deref & LT_DEREF_KEEP) << 2;
		keep_bounds(kept);
		kept &= sizeof(p);
	}
	dst = s->data + pos + sizeof(*cap) + kept;
	if (f->kind == LT_FETCH_STR) {
		n = read_mem_str(f, dst, len, (void *)addr);
		if (n > 0 && (__u64)n == len && !nul_at(f, addr + len - 1)) {
			cap->flags |= LT_CAP_TRUNC;
			count(LT_CNT_STR_TRUNC);
		}
		if (n > 0)
			n -= 1;	/* drop the NUL */
	} else {
		n = read_mem(f, dst, len, (void *)addr);
		if (n == 0)
			n = len;
	}
	if (n < 0) {
		cap->flags |= LT_CAP_FAULT;
		count(LT_CNT_READ_FAULT);
		n = 0;
	}
	cap->len = n + kept;
	return sizeof(*cap) + kept + n;
}

struct fetch_ctx {
	const struct lt_probe_cfg *cfg;
	struct scratch *s;
	__u64 pos;
	int at_return;
};

/* One bpf_loop step: the verifier checks the body once, not once per capture. */
static long fetch_step(__u32 i, void *ctx)
{
	struct fetch_ctx *x = ctx;
	const struct lt_fetch *f;
	__u64 idx = i;

	if (i >= x->cfg->nfetch || i >= LT_MAX_FETCH)
		return 1;
	keep_bounds(idx);
	f = &x->cfg->fetch[idx & (LT_MAX_FETCH - 1)];
	if (!!f->at_return != !!x->at_return && (x->cfg->flags & LT_CFG_CALL))
		return 0;
	x->pos += fetch_one(x->s, x->pos, f);
	if (x->pos > LT_DATA_MAX)
		x->pos = LT_DATA_MAX;
	return 0;
}

/* Captures whose phase matches, appended to s->data from pos; returns the new length. */
__noinline __u32 lt_fetch_all(const struct lt_probe_cfg *cfg, struct scratch *s, __u32 pos,
			      int at_return)
{
	struct fetch_ctx x = { cfg, s, pos, at_return };

	if (!cfg || !s || !cfg->nfetch)
		return pos;
	bpf_loop(LT_MAX_FETCH, fetch_step, &x, 0);
	return x.pos;
}

static __always_inline void rec_fill(struct lt_rec *r, __u16 type, __u64 cookie, __u64 pid_tgid)
{
	r->type = type;
	r->flags = 0;
	r->probe = cookie >> 32;
	r->site = (__u32)cookie;
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	r->nustack = 0;
	r->nkstack = 0;
	r->ucopy_len = 0;
}

#define LT_HELD_REC_MAX (sizeof(struct lt_rec) + LT_DATA_MAX + LT_STACK_AREA)

/* A record whose thread stops (LT_CFG_HOLD: SIGSTOP, taken on its way back to user space)
 * until the host has run the callback and sent SIGCONT. The stop is requested before the
 * record is committed, so the SIGCONT never comes first; and after the record is copied
 * out of the scratch area, which the programs the signal itself triggers
 * (signal:signal_generate) may reuse on this CPU. The host is woken at once: the thread
 * waits for it. */
static __always_inline int emit_held(struct scratch *s, __u64 len)
{
	struct lt_rec *r = bpf_ringbuf_reserve(&lt_events, LT_HELD_REC_MAX, 0);
	__u32 tid = s->rec.tid;

	if (!r)
		return -1;
	keep_bounds(len);
	if (len > LT_HELD_REC_MAX)
		len = LT_HELD_REC_MAX;
	s->rec.flags |= LT_RF_HELD;
	if (bpf_probe_read_kernel(r, len, &s->rec)) {
		bpf_ringbuf_discard(r, 0);
		return -1;
	}
	if (!held_register(tid, s->rec.pid) || bpf_send_signal_thread(19 /* SIGSTOP */)) {
		held_cancel(tid);
		r->flags &= ~LT_RF_HELD;
		count(LT_CNT_HOLD_FAILED);
	}
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* Sends the record: held with LT_CFG_HOLD in cfg_flags, and with LT_CFG_LOSSLESS once the
 * ring is half full (the thread waits until the host has read this far). */
__noinline int lt_emit(struct scratch *s, __u32 probe, __u32 cfg_flags)
{
	struct lt_probe_stats *st = stats_of(probe);
	struct lt_globals *g;
	__u64 len, flags, queued;
	long err;

	if (!s)
		return 0;
	len = s->rec.data_len;

	keep_bounds(len);
	if (len > LT_DATA_MAX)
		len = LT_DATA_MAX;
	len += ((__u64)s->rec.nustack + s->rec.nkstack) * 8 + s->rec.ucopy_len;
	keep_bounds(len);
	if (len > LT_DATA_MAX + LT_STACK_AREA)
		len = LT_DATA_MAX + LT_STACK_AREA;
	s->rec.size = sizeof(s->rec) + len;
	g = globals();
	queued = bpf_ringbuf_query(&lt_events, BPF_RB_AVAIL_DATA);
	flags = g && queued >= g->wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if ((cfg_flags & LT_CFG_HOLD) || ((cfg_flags & LT_CFG_LOSSLESS) &&
	    queued >= bpf_ringbuf_query(&lt_events, BPF_RB_RING_SIZE) / 2))
		err = emit_held(s, sizeof(s->rec) + len);
	else
		err = bpf_ringbuf_output(&lt_events, &s->rec, sizeof(s->rec) + len, flags);
	if (err) {
		count(LT_CNT_RINGBUF_FULL);
		if (st)
			st->dropped++;
		return 0;
	}
	if (st)
		st->emitted++;
	return 0;
}

/* ---- Stacks (LT_STK_*, issue 5) ----------------------------------------------------------
 * Templates call lt_stack_ids() before lt_agg_update() (aggregates keyed by stack ids) and
 * lt_stack_append() after their captures, before lt_emit(). `regs` are the user registers
 * of the event (a uprobe's or perf_event's ctx), NULL where there are none. */

/* [sp] at a function's first instruction: the caller a frame-pointer walk misses there. */
static __always_inline __u64 entry_caller(const struct lt_probe_cfg *cfg, struct pt_regs *regs)
{
	__u64 ra = 0;

	if (regs && (cfg->stack & LT_STK_ENTRY))
		bpf_probe_read_user(&ra, sizeof(ra), (void *)PT_REGS_SP(regs));
	return ra;
}

#if LT_SLEEPABLE
/* bpf_get_stackid for sleepable programs: the frames (zero-filled past the stack) into the
 * scratch's spare area, FNV-1a over them, stored under that hash. */
static __always_inline long stack_id(void *ctx, struct scratch *s, __u64 flags)
{
	struct lt_stack_frames *f = (void *)(s->data + LT_DATA_MAX);
	__u64 h = 0xcbf29ce484222325ULL;
	__u32 id;
	long n = bpf_get_stack(ctx, f, sizeof(*f), flags);

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
#else
static __always_inline long stack_id(void *ctx, struct scratch *s, __u64 flags)
{
	return bpf_get_stackid(ctx, &lt_stacks, flags);
}
#endif

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
	n = bpf_get_stack(ctx, s->data + pos, depth * 8, flags);
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

/* An event past its filters: stack ids (templates with user registers pass ctx and regs;
 * others NULL), the in-kernel aggregate. Returns 1 when the probe also streams records. */
static __always_inline int lt_event_kept(void *ctx, struct pt_regs *regs,
					 const struct lt_probe_cfg *cfg, struct scratch *s,
					 __u64 cookie, __u64 pid_tgid)
{
	if (ctx && !LT_LEAN)
		lt_stack_ids(ctx, regs, cfg, s);
	if (cfg->agg_kind)
		lt_agg(cfg, s, cookie >> 32, (__u32)cookie, pid_tgid);
	return !LT_LEAN && (cfg->flags & LT_CFG_EMIT);
}

/* The shared middle of a one-shot event (every kind but paired calls): predicates,
 * sampling, stack ids (every template passes ctx; regs where ctx holds user ones), the
 * in-kernel aggregate; then, when the probe streams, the record header from vals[].
 * Returns 1 when the caller should add its captures and emit. */
static __always_inline int lt_event_begin(void *ctx, struct pt_regs *regs,
					  const struct lt_probe_cfg *cfg, struct scratch *s,
					  __u64 cookie, __u64 pid_tgid, __u16 type)
{
	__u32 probe = cookie >> 32;

	if (!preds_pass(cfg, s, 1) || !sample_keep(probe, cfg->sample)) {
		struct lt_probe_stats *st = stats_of(probe);

		if (st)
			st->filtered++;
		return 0;
	}
	if (!lt_event_kept(ctx, regs, cfg, s, cookie, pid_tgid))
		return 0;
	rec_fill(&s->rec, type, cookie, pid_tgid);
	s->rec.ts = bpf_ktime_get_ns();
	s->rec.duration = 0;
	__builtin_memcpy(s->rec.args, s->vals, sizeof(s->rec.args));
	s->rec.ret = s->vals[LT_SRC_RET];
	return 1;
}

/* ---- Paired calls (uprobe.bpf.c, kprobe.bpf.c) -------------------------------------------
 * The entry parks the args, its time and the entry captures under a key the template
 * builds (user code adds the stack pointer, kernel code cannot); the return finds them
 * under the same key and makes one LT_REC_CALL event. */

/* Does any capture run at entry of a paired call (then parked until return)? */
static __always_inline int lt_has_entry_fetch(const struct lt_probe_cfg *cfg)
{
	for (int i = 0; i < LT_MAX_FETCH; i++) {
		if (i >= cfg->nfetch)
			break;
		if (!cfg->fetch[i].at_return)
			return 1;
	}
	return 0;
}

/* The thread's stack of calls in flight; flags BPF_LOCAL_STORAGE_GET_F_CREATE at entry. */
static __always_inline struct lt_call_stack *call_stack(__u64 flags)
{
	return bpf_task_storage_get(&lt_inflight, bpf_get_current_task_btf(), NULL, flags);
}

static __always_inline struct lt_call_slot *call_slot(struct lt_call_stack *cs, __u32 i)
{
	__u64 at = i;

	keep_bounds(at);	/* the mask must reach the verifier even where i is known small */
	return &cs->slot[at & (LT_CALL_SLOTS - 1)];
}

/* Is the slot at the top of the stack stale from where a new entry (or a return) stands?
 * A deeper frame than this one has gone; so has this very call if it is entered again at
 * the same stack pointer. Free slots go too. */
static __always_inline int call_gone(const struct lt_call_slot *top,
				     const struct lt_inflight_key *key, int entering)
{
	if (!top->probe || top->sp < key->sp)
		return 1;
	return entering && top->sp == key->sp && key->sp && top->probe == key->probe + 1 &&
	       top->site == key->site;
}

/* Pops stale and free slots off the top (a bounded number per call; the rest go later). */
static __always_inline __u32 call_reclaim(struct lt_call_stack *cs,
					  const struct lt_inflight_key *key, int entering)
{
	__u32 d = cs->depth;

	for (int i = 0; i < LT_CALL_RECLAIM; i++) {
		if (!d || d > LT_CALL_SLOTS || !call_gone(call_slot(cs, d - 1), key, entering))
			break;
		d--;
	}
	cs->depth = d;
	return d;
}

/* The entry half, once s->vals holds the args: filters and sampling decide now (the
 * return only learns the verdict), entry captures wait in lt_inflight_data. */
static __always_inline void lt_call_start(const struct lt_probe_cfg *cfg, struct scratch *s,
					  struct lt_inflight_key *key, __u32 probe)
{
	struct lt_call_stack *cs = call_stack(BPF_LOCAL_STORAGE_GET_F_CREATE);
	struct lt_call_slot *slot;
	__u32 d;

	if (!cs || (d = call_reclaim(cs, key, 1)) >= LT_CALL_SLOTS) {
		count(LT_CNT_INFLIGHT_FULL);
		return;
	}
	slot = call_slot(cs, d);
	slot->sp = key->sp;
	slot->probe = probe + 1;
	slot->site = key->site;
	slot->in.keep = preds_pass(cfg, s, 0) && sample_keep(probe, cfg->sample);
	slot->in.data_len = 0;
	__builtin_memcpy(slot->in.args, s->vals, sizeof(slot->in.args));
	if (!LT_LEAN && slot->in.keep && (cfg->flags & LT_CFG_EMIT) && lt_has_entry_fetch(cfg)) {
		__u32 len = lt_fetch_all(cfg, s, 0, 0);

		if (len > LT_INFLIGHT_DATA) {
			len = LT_INFLIGHT_DATA;
			count(LT_CNT_DATA_FULL);
		}
		if (!bpf_map_update_elem(&lt_inflight_data, key, s->data, BPF_ANY))
			slot->in.data_len = len;
	}
	cs->depth = d + 1;
	slot->in.ts = bpf_ktime_get_ns();
}

/* The return half's lookup: this call's slot among the top few, copied out and freed.
 * Lean builds inline it (a call costs a retbleed return thunk per hit). Plain builds make
 * it a global function, verified once: inline, the record path after it was walked once
 * per slot it could have matched (a paired return with stacks: ~16 -> ~9 ms to verify). */
#if LT_LEAN
static __always_inline
#else
__noinline
#endif
int lt_call_pop(struct lt_inflight_key *key, struct lt_inflight *out)
{
	struct lt_call_stack *cs = call_stack(0);
	__u32 d;

	if (!key || !out || !cs || !(d = call_reclaim(cs, key, 0)))
		return 0;
	for (int i = 0; i < LT_CALL_SEARCH; i++) {
		struct lt_call_slot *slot;

		if (i >= d)
			break;
		slot = call_slot(cs, d - 1 - i);
		if (slot->probe == key->probe + 1 && slot->site == key->site &&
		    slot->sp == key->sp) {
			*out = slot->in;
			slot->probe = 0;
			if (!i)		/* a freed slot below the top goes at a later reclaim */
				cs->depth = d - 1;
			return 1;
		}
	}
	return 0;
}

/* Moves the captures parked at entry into the record being built. */
static __always_inline __u32 lt_unpark(struct scratch *s, struct lt_inflight_key *key, __u32 len)
{
	void *parked = bpf_map_lookup_elem(&lt_inflight_data, key);
	__u64 n = len;

	if (!parked)
		return 0;
	keep_bounds(n);
	if (n > LT_INFLIGHT_DATA)
		n = LT_INFLIGHT_DATA;
	bpf_probe_read_kernel(s->data, n, parked);
	bpf_map_delete_elem(&lt_inflight_data, key);
	return n;
}

/* The return half: the parked entry, duration, filters that need the return value,
 * aggregate, then one record with the entry's args and captures and the return's. ctx and
 * regs as for lt_event_begin (NULL: no stacks). */
static __always_inline int lt_call_end(void *ctx, struct pt_regs *regs,
				       const struct lt_probe_cfg *cfg, struct scratch *s,
				       struct lt_inflight_key *key, __u64 cookie, __u64 pid_tgid,
				       __u64 ret)
{
	__u64 now = bpf_ktime_get_ns(), duration;
	__u32 probe = cookie >> 32;
	struct lt_probe_stats *st;
	struct lt_inflight call;

	if (!lt_call_pop(key, &call)) {
		count(LT_CNT_UNMATCHED_RET);
		return 0;
	}
	st = stats_of(probe);
	if (st)
		st->hits++;
	duration = now - call.ts;
	__builtin_memcpy(s->vals, call.args, sizeof(call.args));
	s->vals[LT_SRC_RET] = ret;
	s->vals[LT_SRC_DURATION] = duration;
	s->vals[LT_SRC_SP] = key->sp;	/* stack arguments read at return (out:) */
	if (!call.keep || duration < cfg->min_duration || !preds_pass(cfg, s, 1)) {
		if (st)
			st->filtered++;
		if (call.data_len)
			bpf_map_delete_elem(&lt_inflight_data, key);
		return 0;
	}
	if (!lt_event_kept(ctx, regs, cfg, s, cookie, pid_tgid))
		return 0;
	s->rec.data_len = call.data_len ? lt_unpark(s, key, call.data_len) : 0;
	rec_fill(&s->rec, LT_REC_CALL, cookie, pid_tgid);
	s->rec.ts = call.ts;
	s->rec.duration = duration;
	__builtin_memcpy(s->rec.args, call.args, sizeof(call.args));
	s->rec.ret = ret;
	s->rec.data_len = lt_fetch_all(cfg, s, s->rec.data_len, 1);
	if (ctx)
		lt_stack_append(ctx, regs, cfg, s);
	lt_emit(s, probe, cfg->flags);
	return 0;
}

#endif
