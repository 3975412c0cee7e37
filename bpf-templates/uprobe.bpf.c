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
#include "lib/maps.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/agg.bpf.h"
#include "lib/capture.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/event.bpf.h"
#include "lib/paired.bpf.h"
#include "lib/call_args.bpf.h"

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

/* A plain uprobe or uretprobe (type says which): filter, then aggregate in kernel or
 * emit one record. */
static __always_inline int on_event(struct pt_regs *ctx, __u16 type)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	struct lt_probe_cfg *cfg;
	struct scratch *s = lt_event_admit(cookie >> 32, pid_tgid, &cfg);

	if (!s)
		return 0;
	if (type == LT_REC_ENTRY) {
		lt_call_args(ctx, s->vals);
		read_caller(ctx, cfg, s);
	} else
		s->vals[LT_SRC_RET] = PT_REGS_RC(ctx);
	lt_event_user_finish(ctx, cfg, s, cookie, pid_tgid, type);
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

static __always_inline int on_call_entry(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	__u32 probe = cookie >> 32;
	struct lt_probe_cfg *cfg = probe_admit(probe, pid_tgid);
	struct lt_inflight_key key;
	struct scratch *s;

	if (!cfg || !(s = scratch_get()))
		return 0;
	lt_call_args(ctx, s->vals);
	read_caller(ctx, cfg, s);
	inflight_key(&key, cookie, pid_tgid, PT_REGS_SP(ctx));
	lt_call_start(cfg, s, &key, probe);
	return 0;
}

static __always_inline int on_call_return(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	struct lt_probe_cfg *cfg = probe_admit(cookie >> 32, pid_tgid);
	struct lt_inflight_key key;
	struct scratch *s;

	if (!cfg || !(s = scratch_get()))
		return 0;
	/* The return instruction has popped the return address: entry sp was 8 below. */
	inflight_key(&key, cookie, pid_tgid, PT_REGS_SP(ctx) - 8);
	return lt_call_end(ctx, ctx, cfg, s, &key, cookie, pid_tgid, PT_REGS_RC(ctx));
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
