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
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The return address on the stack at entry (where the call came from), and the stack
 * pointer (the base of stack arguments). */
static __always_inline void read_caller(struct pt_regs *ctx, const struct lt_probe_cfg *cfg,
					struct scratch *s)
{
	__u64 ra = 0;

	if (cfg->flags & LT_CFG_CALLER)
		bpf_probe_read_user(&ra, sizeof(ra), (void *)PT_REGS_SP(ctx));
	s->vals[LT_SRC_CALLER] = ra;
	s->vals[LT_SRC_SP] = PT_REGS_SP(ctx);
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
	if (type == LT_REC_ENTRY) {
		read_args(ctx, s->vals);
		read_caller(ctx, cfg, s);
	} else
		s->vals[LT_SRC_RET] = PT_REGS_RC(ctx);
	if (!lt_event_begin(ctx, ctx, cfg, s, cookie, pid_tgid, type))
		return 0;
	s->rec.data_len = lt_fetch_all(cfg, s, 0, 0);
	lt_stack_append(ctx, ctx, cfg, s);
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
	read_caller(ctx, cfg, s);
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
	lt_stack_ids(ctx, ctx, cfg, s);
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
	lt_stack_append(ctx, ctx, cfg, s);
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
