// SPDX-License-Identifier: GPL-2.0
/* The user-function templates: entry (uprobe), return (uretprobe) and paired call
 * (entry + return, one record per call with args, return value and duration). Each
 * program exists twice: once for classic one-site links and once for the kernel's
 * uprobe_multi link (the host sets the multi attach type before load). What a probe
 * captures, filters and aggregates comes from lt_probes[cookie >> 32]; nothing here is
 * specific to one probe.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "uprobe.h"

#ifndef LT_SLEEPABLE
#define LT_SLEEPABLE 0
#endif

char LICENSE[] SEC("license") = "GPL";

/* Runtime knobs, written by the host through the mmapped .bss. */
volatile __u32 filter_pids;	/* 1: only processes in lt_pids */
volatile __u32 self_tgid;	/* the tracer itself is never traced */
volatile __u64 wakeup_bytes;	/* wake the consumer only past this much queued data */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_probe_cfg);
} lt_probes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} lt_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} lt_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lt_inflight_key);
	__type(value, struct lt_inflight);
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
	__uint(max_entries, LT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lt_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_probe_stats);
} lt_stats SEC(".maps");

/* Per-CPU 1-in-N sampling counters, one per probe. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, __u32);
} lt_sample SEC(".maps");

/* Record under construction: too big for the 512-byte BPF stack. vals[] holds the values
 * sources name (args 1-6, ret, duration) so reading one is a masked index into map memory,
 * not a branch per source. The slack after LT_DATA_MAX lets the verifier accept a capture
 * that starts anywhere below it. */
struct scratch {
	__u64 vals[8];
	struct lt_rec rec;
	__u8 data[LT_DATA_MAX + LT_FETCH_MAX_LEN + sizeof(struct lt_cap)];
};

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
	__u64 *v = bpf_map_lookup_elem(&lt_counters, &which);

	if (v)
		*v += 1;
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
static __always_inline struct lt_probe_cfg *probe_admit(__u32 probe, __u64 pid_tgid)
{
	struct lt_probe_cfg *cfg = bpf_map_lookup_elem(&lt_probes, &probe);
	__u32 tgid = pid_tgid >> 32;

	if (!cfg || !(cfg->flags & LT_CFG_ENABLED) || tgid == self_tgid)
		return NULL;
	if (filter_pids && !bpf_map_lookup_elem(&lt_pids, &tgid))
		return NULL;
	if (cfg->tid && cfg->tid != (__u32)pid_tgid)
		return NULL;
	if (cfg->comm[0]) {
		char comm[LT_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		for (int i = 0; i < LT_COMM_LEN; i++) {
			if (comm[i] != cfg->comm[i])
				return NULL;
			if (!comm[i])
				break;
		}
	}
	return cfg;
}

static __always_inline int sample_keep(__u32 probe, __u32 n)
{
	__u32 *c;

	if (n <= 1)
		return 1;
	c = bpf_map_lookup_elem(&lt_sample, &probe);
	if (!c)
		return 1;
	*c += 1;
	return *c % n == 1 % n;
}

static __always_inline __u64 val_of(const struct scratch *s, __u64 src)
{
	keep_bounds(src);
	return s->vals[src & 7];
}

static __always_inline int pred_holds(const struct lt_pred *p, __u64 v)
{
	__s64 sv = v, sc = p->val;

	switch (p->op) {
	case LT_OP_EQ: return v == p->val;
	case LT_OP_NE: return v != p->val;
	case LT_OP_LT: return p->is_signed ? sv < sc : v < p->val;
	case LT_OP_LE: return p->is_signed ? sv <= sc : v <= p->val;
	case LT_OP_GT: return p->is_signed ? sv > sc : v > p->val;
	case LT_OP_GE: return p->is_signed ? sv >= sc : v >= p->val;
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
		int is_arg = p->src < LT_MAX_ARGS;

		if (i >= cfg->npred)
			break;
		if (at_return ? is_arg && (cfg->flags & LT_CFG_CALL) : !is_arg)
			continue;
		if (!pred_holds(p, val_of(s, p->src)))
			return 0;
	}
	return 1;
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

	if (!v)
		return 0;
	for (int i = 32; i > 0; i >>= 1) {
		if (v >= (1ULL << i)) {
			v >>= i;
			slot += i;
		}
	}
	return slot + 1;
}

__noinline int lt_agg_update(const struct lt_probe_cfg *cfg, const struct scratch *s,
			     __u32 probe, __u32 site, __u64 pid_tgid)
{
	struct lt_agg_key key = { .probe = probe };
	struct lt_agg_val *val, init = { .min = ~0ULL };
	__u64 v;
	__u8 by;

	if (!cfg || !s)
		return 0;
	v = val_of(s, cfg->agg_src);
	by = cfg->agg_by;

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
	if (cfg->agg_kind == LT_AGG_HIST)
		key.slot = (cfg->flags & LT_CFG_SIGNED) && (__s64)v < 0 ? 0xffffffff : log2_slot(v);

	val = bpf_map_lookup_elem(&lt_aggs, &key);
	if (!val) {
		bpf_map_update_elem(&lt_aggs, &key, &init, BPF_NOEXIST);
		val = bpf_map_lookup_elem(&lt_aggs, &key);
		if (!val) {
			count(LT_CNT_AGG_FULL);
			return 0;
		}
	}
	val->count += 1;
	val->sum += v;
	if (v < val->min)
		val->min = v;
	if (v > val->max)
		val->max = v;
	return 0;
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

/* Append one capture at pos; returns bytes used. Reads user memory (uprobes). */
static __always_inline __u32 fetch_one(struct scratch *s, __u64 pos, const struct lt_fetch *f)
{
	__u64 addr = val_of(s, f->src) + (__s64)f->off, len = f->len;
	struct lt_cap *cap;
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

		if (read_user(&p, sizeof(p), (void *)addr) < 0) {
			cap->len = 0;
			cap->flags = LT_CAP_FAULT;
			count(LT_CNT_READ_FAULT);
			return sizeof(*cap);
		}
		addr = p + (__s64)f->off2;
	}
	if (f->kind == LT_FETCH_STR) {
		n = read_user_str(s->data + pos + sizeof(*cap), len, (void *)addr);
		if (n > 0 && (__u64)n == len) {
			cap->flags |= LT_CAP_TRUNC;
			count(LT_CNT_STR_TRUNC);
		}
		if (n > 0)
			n -= 1;	/* drop the NUL */
	} else {
		n = read_user(s->data + pos + sizeof(*cap), len, (void *)addr);
		if (n == 0)
			n = len;
	}
	if (n < 0) {
		cap->flags |= LT_CAP_FAULT;
		count(LT_CNT_READ_FAULT);
		n = 0;
	}
	cap->len = n;
	return sizeof(*cap) + n;
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
}

__noinline int lt_emit(struct scratch *s, __u32 probe)
{
	struct lt_probe_stats *st = stats_of(probe);
	__u64 len, flags;

	if (!s)
		return 0;
	len = s->rec.data_len;

	keep_bounds(len);
	if (len > LT_DATA_MAX)
		len = LT_DATA_MAX;
	s->rec.size = sizeof(s->rec) + len;
	flags = bpf_ringbuf_query(&lt_events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&lt_events, &s->rec, sizeof(s->rec) + len, flags)) {
		count(LT_CNT_RINGBUF_FULL);
		if (st)
			st->dropped++;
		return 0;
	}
	if (st)
		st->emitted++;
	return 0;
}

static __always_inline void read_args(struct pt_regs *ctx, __u64 *args)
{
	args[0] = PT_REGS_PARM1(ctx);
	args[1] = PT_REGS_PARM2(ctx);
	args[2] = PT_REGS_PARM3(ctx);
	args[3] = PT_REGS_PARM4(ctx);
	args[4] = PT_REGS_PARM5(ctx);
	args[5] = ctx->r9;	/* libbpf 1.1 has no PT_REGS_PARM6 */
}

/* A plain uprobe or uretprobe (type says which): filter, then aggregate in kernel or
 * emit one record. */
static __always_inline int on_event(struct pt_regs *ctx, __u16 type)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	__u32 probe = cookie >> 32;
	struct lt_probe_cfg *cfg = probe_admit(probe, pid_tgid);
	struct lt_probe_stats *st;
	struct scratch *s;

	if (!cfg || !(s = scratch_get()))
		return 0;
	st = stats_of(probe);
	if (st)
		st->hits++;
	__builtin_memset(s->vals, 0, sizeof(s->vals));
	if (type == LT_REC_ENTRY)
		read_args(ctx, s->vals);
	else
		s->vals[LT_SRC_RET] = PT_REGS_RC(ctx);
	if (!lt_preds_hold(cfg, s, 1) || !sample_keep(probe, cfg->sample)) {
		if (st)
			st->filtered++;
		return 0;
	}
	if (cfg->agg_kind)
		lt_agg_update(cfg, s, probe, (__u32)cookie, pid_tgid);
	if (!(cfg->flags & LT_CFG_EMIT))
		return 0;
	rec_fill(&s->rec, type, cookie, pid_tgid);
	s->rec.ts = bpf_ktime_get_ns();
	s->rec.duration = 0;
	__builtin_memcpy(s->rec.args, s->vals, sizeof(s->rec.args));
	s->rec.ret = s->vals[LT_SRC_RET];
	s->rec.data_len = lt_fetch_all(cfg, s, 0, 0);
	lt_emit(s, probe);
	return 0;
}

static __always_inline void inflight_key(struct lt_inflight_key *k, __u64 cookie, __u64 pid_tgid,
					 __u64 sp)
{
	k->tid = (__u32)pid_tgid;
	k->site = (__u32)cookie;
	k->probe = cookie >> 32;
	k->pad = 0;
	k->sp = sp;
}

/* Does any capture run at entry of a paired call (then parked until return)? */
static __always_inline int has_entry_fetch(const struct lt_probe_cfg *cfg)
{
	for (int i = 0; i < LT_MAX_FETCH; i++) {
		if (i >= cfg->nfetch)
			break;
		if (!cfg->fetch[i].at_return)
			return 1;
	}
	return 0;
}

static __always_inline int on_call_entry(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	__u32 probe = cookie >> 32;
	struct lt_probe_cfg *cfg = probe_admit(probe, pid_tgid);
	struct lt_inflight_key key;
	struct lt_inflight in = {};
	struct scratch *s;

	if (!cfg || !(s = scratch_get()))
		return 0;
	read_args(ctx, s->vals);
	in.keep = lt_preds_hold(cfg, s, 0) && sample_keep(probe, cfg->sample);
	__builtin_memcpy(in.args, s->vals, sizeof(in.args));
	inflight_key(&key, cookie, pid_tgid, PT_REGS_SP(ctx));
	if (in.keep && (cfg->flags & LT_CFG_EMIT) && has_entry_fetch(cfg)) {
		in.data_len = lt_fetch_all(cfg, s, 0, 0);
		if (in.data_len > LT_INFLIGHT_DATA) {
			in.data_len = LT_INFLIGHT_DATA;
			count(LT_CNT_DATA_FULL);
		}
		if (bpf_map_update_elem(&lt_inflight_data, &key, s->data, BPF_ANY))
			in.data_len = 0;
	}
	in.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&lt_inflight, &key, &in, BPF_ANY))
		count(LT_CNT_INFLIGHT_FULL);
	return 0;
}

/* Moves the captures parked at entry into the record being built. */
static __always_inline __u32 unpark(struct scratch *s, struct lt_inflight_key *key, __u32 len)
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

static __always_inline int on_call_return(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns(), duration;
	__u32 probe = cookie >> 32;
	struct lt_probe_cfg *cfg = probe_admit(probe, pid_tgid);
	struct lt_probe_stats *st;
	struct lt_inflight_key key;
	struct lt_inflight *in, call;
	struct scratch *s;

	if (!cfg || !(s = scratch_get()))
		return 0;
	/* The return instruction has popped the return address: entry sp was 8 below. */
	inflight_key(&key, cookie, pid_tgid, PT_REGS_SP(ctx) - 8);
	in = bpf_map_lookup_elem(&lt_inflight, &key);
	if (!in) {
		count(LT_CNT_UNMATCHED_RET);
		return 0;
	}
	call = *in;
	bpf_map_delete_elem(&lt_inflight, &key);
	st = stats_of(probe);
	if (st)
		st->hits++;
	duration = now - call.ts;
	__builtin_memcpy(s->vals, call.args, sizeof(call.args));
	s->vals[LT_SRC_RET] = PT_REGS_RC(ctx);
	s->vals[LT_SRC_DURATION] = duration;
	if (!call.keep || duration < cfg->min_duration || !lt_preds_hold(cfg, s, 1)) {
		if (st)
			st->filtered++;
		if (call.data_len)
			bpf_map_delete_elem(&lt_inflight_data, &key);
		return 0;
	}
	if (cfg->agg_kind)
		lt_agg_update(cfg, s, probe, (__u32)cookie, pid_tgid);
	if (!(cfg->flags & LT_CFG_EMIT))
		return 0;
	s->rec.data_len = call.data_len ? unpark(s, &key, call.data_len) : 0;
	rec_fill(&s->rec, LT_REC_CALL, cookie, pid_tgid);
	s->rec.ts = call.ts;
	s->rec.duration = duration;
	__builtin_memcpy(s->rec.args, call.args, sizeof(call.args));
	s->rec.ret = s->vals[LT_SRC_RET];
	s->rec.data_len = lt_fetch_all(cfg, s, s->rec.data_len, 1);
	lt_emit(s, probe);
	return 0;
}

/* Classic links (one site each). */
SEC("uprobe")
int lt_entry(struct pt_regs *ctx) { return on_event(ctx, LT_REC_ENTRY); }
SEC("uretprobe")
int lt_return(struct pt_regs *ctx) { return on_event(ctx, LT_REC_RETURN); }
SEC("uprobe")
int lt_call_entry(struct pt_regs *ctx) { return on_call_entry(ctx); }
SEC("uretprobe")
int lt_call_return(struct pt_regs *ctx) { return on_call_return(ctx); }

/* uprobe_multi links: same code, loaded with the multi attach type. */
SEC("uprobe")
int lt_entry_multi(struct pt_regs *ctx) { return on_event(ctx, LT_REC_ENTRY); }
SEC("uprobe")
int lt_return_multi(struct pt_regs *ctx) { return on_event(ctx, LT_REC_RETURN); }
SEC("uprobe")
int lt_call_entry_multi(struct pt_regs *ctx) { return on_call_entry(ctx); }
SEC("uprobe")
int lt_call_return_multi(struct pt_regs *ctx) { return on_call_return(ctx); }
