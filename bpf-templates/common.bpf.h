/* SPDX-License-Identifier: GPL-2.0 */
/* What every template shares: the maps (one ring buffer, one probe table, one set of
 * counters and aggregates: the host hands every object the owner's map fds), the
 * per-CPU scratch record, and the filter / capture / aggregate / emit steps. A template
 * fills scratch->vals[] (args 1-6, ret, duration, caller ...) from its context and calls these.
 * Include once per BPF object, after the kernel headers.
 */
#ifndef LT_COMMON_BPF_H
#define LT_COMMON_BPF_H

#include "uprobe.h"

#ifndef LT_SLEEPABLE
#define LT_SLEEPABLE 0
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
	__type(key, __u32);
	__type(value, __u8);
} lt_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* mapped twice by libbpf: 2 MiB of the tracer's RSS */
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
	__u64 vals[LT_SRC_SLOTS];
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
static __always_inline struct lt_globals *globals(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lt_globals, &zero);
}

static __always_inline struct lt_probe_cfg *probe_admit(__u32 probe, __u64 pid_tgid)
{
	struct lt_probe_cfg *cfg = bpf_map_lookup_elem(&lt_probes, &probe);
	struct lt_globals *g = globals();
	__u32 tgid = pid_tgid >> 32;

	if (!cfg || !g || !(cfg->flags & LT_CFG_ENABLED) || tgid == g->self_tgid)
		return NULL;
	if (g->filter_pids && !(cfg->flags & LT_CFG_OWN_PID) &&
	    !bpf_map_lookup_elem(&lt_pids, &tgid))
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
	return s->vals[src & (LT_SRC_SLOTS - 1)];
}

/* A narrow value in a 64-bit register: only its low `width` bytes are defined. */
static __always_inline __u64 narrow(__u64 v, __u8 width, int is_signed)
{
	switch (width) {
	case 1: return is_signed ? (__u64)(__s64)(__s8)v : (__u8)v;
	case 2: return is_signed ? (__u64)(__s64)(__s16)v : (__u16)v;
	case 4: return is_signed ? (__u64)(__s64)(__s32)v : (__u32)v;
	}
	return v;
}

static __always_inline int pred_holds(const struct lt_pred *p, __u64 raw)
{
	__u64 v = narrow(raw, p->width, p->is_signed);
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
	v = narrow(val_of(s, cfg->agg_src), cfg->agg_width, cfg->agg_signed);
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

/* A string that exactly fills the buffer ends in its own NUL: then it is not truncated. */
static __always_inline int nul_at(__u64 addr)
{
	char c = 1;

	bpf_probe_read_user(&c, 1, (void *)addr);
	return c == 0;
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
		if (n > 0 && (__u64)n == len && !nul_at(addr + len - 1)) {
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
	struct lt_globals *g;
	__u64 len, flags;

	if (!s)
		return 0;
	len = s->rec.data_len;

	keep_bounds(len);
	if (len > LT_DATA_MAX)
		len = LT_DATA_MAX;
	s->rec.size = sizeof(s->rec) + len;
	g = globals();
	flags = g && bpf_ringbuf_query(&lt_events, BPF_RB_AVAIL_DATA) >= g->wakeup_bytes ?
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

#endif
