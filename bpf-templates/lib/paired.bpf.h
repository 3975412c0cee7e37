/* SPDX-License-Identifier: GPL-2.0 */
/* Paired calls (uprobe.bpf.c, kprobe.bpf.c; syscall.bpf.c unparks): the entry parks the
 * args, its time and the entry captures in the thread's stack of calls in flight
 * (lt_inflight, lt_inflight_data: maps.bpf.h) under a key the template builds (user code
 * adds the stack pointer, kernel code cannot); the return finds them under the same key
 * and makes one LT_REC_CALL event.
 */
#ifndef LT_PAIRED_BPF_H
#define LT_PAIRED_BPF_H

#include "maps.bpf.h"
#include "filter.bpf.h"
#include "capture.bpf.h"
#include "stacks.bpf.h"
#include "emit.bpf.h"
#include "event.bpf.h"

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
