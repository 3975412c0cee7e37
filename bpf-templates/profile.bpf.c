// SPDX-License-Identifier: GPL-2.0
/* Profiling: on-CPU samples from a perf_event (cpu-clock, one event per CPU) and off-CPU
 * intervals from sched_switch. Both key in-kernel aggregates by stack id (counts per stack
 * for samples, summed blocked time per stack off CPU); samples also become records for a
 * callback (frames, or a user stack copy for DWARF unwinding). One object per probe: the
 * probe id is a read-only knob set before load. A separate object from the uprobe template
 * because the off-CPU program's CO-RE read makes libbpf parse the kernel's BTF. */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lib/maps.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/agg.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/emit.bpf.h"
#include "profile.h"
#include "lib/user_regs.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 lt_probe_id;
const volatile __u64 lt_offcpu_max_ns;	/* off CPU: longer intervals are left out (0: none) */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LT_OFFCPU_MAX);
	__type(key, __u32);
	__type(value, struct lt_offcpu_start);
} lt_offcpu SEC(".maps");

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

static __always_inline struct lt_probe_cfg *admit(__u64 pid_tgid, struct scratch **s)
{
	struct lt_probe_cfg *cfg;
	struct lt_probe_stats *st;

	if (!(pid_tgid >> 32))	/* the idle task */
		return NULL;
	cfg = probe_admit(lt_probe_id, pid_tgid);
	if (!cfg || !(*s = scratch_get()))
		return NULL;
	if (cfg->cgroup_id && bpf_get_current_cgroup_id() != cfg->cgroup_id)
		return NULL;
	st = stats_of(lt_probe_id);
	if (st)
		st->hits++;
	return cfg;
}

/* The task's user registers, wherever the sample interrupted it. */
static __always_inline struct pt_regs *user_regs(struct bpf_perf_event_data *ctx,
						 struct pt_regs *copy)
{
	if (ctx->regs.cs & 3) {	/* always a copy: one pointer type at each load */
		__builtin_memcpy(copy, &ctx->regs, sizeof(*copy));
		return copy;
	}
	return lt_task_user_regs(copy);
}

SEC("perf_event")
int lt_profile(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct lt_probe_cfg *cfg;
	struct scratch *s = NULL;
	struct pt_regs copy;

	if (!(cfg = admit(pid_tgid, &s)) || !sample_keep(lt_probe_id, cfg->sample))
		return 0;
	__builtin_memset(s->vals, 0, sizeof(s->vals));
	lt_stack_ids(ctx, NULL, cfg, s);
	if (cfg->agg_kind)
		lt_agg(cfg, s, lt_probe_id, 0, pid_tgid);
	if (!(cfg->flags & LT_CFG_EMIT))
		return 0;
	rec_fill(&s->rec, LT_REC_SAMPLE, (__u64)lt_probe_id << 32, pid_tgid);
	s->rec.ts = bpf_ktime_get_ns();
	s->rec.duration = 0;
	__builtin_memset(s->rec.args, 0, sizeof(s->rec.args));
	s->rec.ret = 0;
	s->rec.data_len = 0;
	lt_stack_append(ctx, (cfg->stack & LT_STK_DWARF) ? user_regs(ctx, &copy) : NULL, cfg, s);
	lt_emit(s, lt_probe_id, 0);
	return 0;
}

#define LT_TASK_DEAD 0x80	/* prev_state at a thread's last switch-out */

/* A switch-out of the current thread: when and in which stacks it blocked. A start of its
 * own still there is a wait whose end no sched_switch showed: the thread came back on CPU
 * unseen (this VM's kernel fires no sched_switch when its init's threads leave a CPU, so
 * whoever they hand it to is switched in silently). How long that wait lasted is not
 * known: it is counted lost (offcpu_lost) when it could have passed min_duration. */
static __always_inline void switched_out(void *ctx, const struct lt_probe_cfg *cfg,
					 struct scratch *s, __u64 pid_tgid, __u64 now,
					 __u32 prev_state)
{
	__u32 tid = pid_tgid;
	struct lt_offcpu_start start, *old = bpf_map_lookup_elem(&lt_offcpu, &tid);

	if (old && old->ts && old->pid_tgid == pid_tgid && now - old->ts >= cfg->min_duration)
		count(LT_CNT_OFFCPU_LOST);
	if (prev_state & LT_TASK_DEAD) {	/* exiting: no wait follows */
		if (old)
			bpf_map_delete_elem(&lt_offcpu, &tid);
		return;
	}
	lt_stack_ids(ctx, NULL, cfg, s);
	start = (struct lt_offcpu_start){ now, pid_tgid, s->stk_uid, s->stk_kid };
	/* A start not stored is a wait lost: counted, never silent. */
	if (bpf_map_update_elem(&lt_offcpu, &tid, &start, BPF_ANY))
		count(LT_CNT_INFLIGHT_FULL);
}

/* Switch-out of the current task (above). Switch-in of `next`: add the time it was off
 * CPU to its stacks' aggregate. */
SEC("raw_tp/sched_switch")
int lt_offcpu_switch(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *next = (void *)ctx->args[2];
	__u64 pid_tgid = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	struct lt_offcpu_start start, *in;
	struct lt_probe_cfg *cfg;
	struct scratch *s = NULL;
	__u32 tid = BPF_CORE_READ(next, pid);

	if ((cfg = admit(pid_tgid, &s)))
		switched_out(ctx, cfg, s, pid_tgid, now, ctx->args[3]);
	if (!tid || !(in = bpf_map_lookup_elem(&lt_offcpu, &tid)) || !in->ts)
		return 0;
	start = *in;
	in->ts = 0;	/* consumed, should the delete fail: not a wait lost at the next switch-out */
	bpf_map_delete_elem(&lt_offcpu, &tid);
	cfg = bpf_map_lookup_elem(&lt_probes, &(__u32){ lt_probe_id });
	if (!cfg || !(cfg->flags & LT_CFG_ENABLED) || !(s = scratch_get()) ||
	    now - start.ts < cfg->min_duration ||
	    (lt_offcpu_max_ns && now - start.ts > lt_offcpu_max_ns))
		return 0;
	__builtin_memset(s->vals, 0, sizeof(s->vals));
	s->vals[LT_SRC_DURATION] = now - start.ts;
	s->stk_uid = start.uid;
	s->stk_kid = start.kid;
	s->stk_caller = 0;
	if (cfg->agg_kind)
		lt_agg(cfg, s, lt_probe_id, 0, start.pid_tgid);
	return 0;
}
