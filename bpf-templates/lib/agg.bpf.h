/* SPDX-License-Identifier: GPL-2.0 */
/* In-kernel aggregation: count, sum, min, max and log2 histograms, keyless in array slots
 * the host assigned (lt_stats, lt_agg_hists) or keyed in the lt_aggs hash. Keyed by stack
 * needs lt_stack_ids (stacks.bpf.h) to have run first. tests/unit/test_hist_slot.c keeps a
 * copy of log2_slot to check it against the host's bucketing.
 */
#ifndef LT_AGG_BPF_H
#define LT_AGG_BPF_H

#include "maps.bpf.h"

/* The bit length of v (0 for 0): slot 0 holds 0, slot i holds [2^(i-1), 2^i). Computed
 * without branches (smear the top bit down, count the ones): a branch per bit would give
 * the verifier 64 paths to walk through everything that indexes by the slot. */
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

/* A keyless aggregate (LT_CFG_AGG_FLAT): array slots the host assigned, no key to hash. A
 * clear bumps cfg->agg_epoch instead of writing the per-CPU values (the programs keep
 * updating them): a value from an older epoch starts over here and is skipped by the host. */
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

#endif
