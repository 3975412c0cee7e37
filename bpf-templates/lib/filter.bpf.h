/* SPDX-License-Identifier: GPL-2.0 */
/* Which events a probe keeps: admission (enabled, not ourselves, the process set, process,
 * thread, comm), sampling, and the predicates on the event's values. Cheapest first: every hit of
 * every probe runs probe_admit, most never reach a predicate.
 */
#ifndef LT_FILTER_BPF_H
#define LT_FILTER_BPF_H

#include "maps.bpf.h"

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

/* The session's process filter: never the tool itself; with a process set, only its
 * processes (own_pid: the probe has its own pid, checked by probe_admit). */
static __always_inline int pid_admitted(const struct lt_globals *g, __u32 tgid, int own_pid)
{
	if (tgid == g->self_tgid)
		return 0;
	return !g->filter_pids || own_pid || tgid == g->target_tgid ||
	       bpf_map_lookup_elem(&lt_pids, &tgid);
}

/* The cheap filters every event passes first: enabled, process set, process, thread,
 * comm. */
static __always_inline struct lt_probe_cfg *probe_admit(__u32 probe, __u64 pid_tgid)
{
	struct lt_probe_cfg *cfg = bpf_map_lookup_elem(&lt_probes, &probe);
	struct lt_globals *g = globals();
	__u32 tgid = pid_tgid >> 32;

	if (!cfg || !g || !(cfg->flags & LT_CFG_ENABLED) ||
	    !pid_admitted(g, tgid, cfg->flags & LT_CFG_OWN_PID))
		return NULL;
	if ((cfg->pid && cfg->pid != tgid) || (cfg->tid && cfg->tid != (__u32)pid_tgid))
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

/* lt_preds_hold without the call when the probe has no predicate (the common case). */
static __always_inline int preds_pass(const struct lt_probe_cfg *cfg, const struct scratch *s,
				      int at_return)
{
	return !cfg->npred || lt_preds_hold(cfg, s, at_return);
}

#endif
