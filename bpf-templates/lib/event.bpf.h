/* SPDX-License-Identifier: GPL-2.0 */
/* The shared middle of an event once a template has filled scratch->vals[] (args 1-6, ret,
 * duration, caller ...) from its context: predicates, sampling, stack ids, the in-kernel
 * aggregate, the record header. The template then adds its captures and calls lt_emit.
 */
#ifndef LT_EVENT_BPF_H
#define LT_EVENT_BPF_H

#include "maps.bpf.h"
#include "filter.bpf.h"
#include "agg.bpf.h"
#include "capture.bpf.h"
#include "stacks.bpf.h"
#include "emit.bpf.h"

/* Where an event starts: the probe admitted (enabled, pid, comm filters), a scratch
 * record with vals[] zeroed for the template to fill, the hit counted. NULL when the
 * event ends here. */
static __always_inline struct scratch *lt_event_admit(__u32 probe, __u64 pid_tgid,
						      struct lt_probe_cfg **cfg)
{
	struct lt_probe_stats *st;
	struct scratch *s;

	if (!(*cfg = probe_admit(probe, pid_tgid)) || !(s = scratch_get()))
		return NULL;
	st = stats_of(probe);
	if (st)
		st->hits++;
	__builtin_memset(s->vals, 0, sizeof(s->vals));
	return s;
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

/* The end of a one-shot event where ctx holds the user's registers (uprobe, usdt): the
 * shared middle, then captures, the user stack and the record out. */
static __always_inline void lt_event_user_finish(struct pt_regs *ctx, const struct lt_probe_cfg *cfg,
						 struct scratch *s, __u64 cookie, __u64 pid_tgid,
						 __u16 type)
{
	if (!lt_event_begin(ctx, ctx, cfg, s, cookie, pid_tgid, type))
		return;
	s->rec.data_len = lt_fetch_all(cfg, s, 0, 0);
	lt_stack_append(ctx, ctx, cfg, s);
	lt_emit(s, cookie >> 32, cfg->flags);
}

#endif
