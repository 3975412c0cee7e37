// SPDX-License-Identifier: GPL-2.0
/* Syscalls, entry and exit paired in kernel, on the raw tracepoints raw_syscalls:sys_enter
 * and sys_exit: one program each, attached once per probe with cookie = probe id << 32.
 * Every syscall of every process runs them, so the common case (a syscall the probe does
 * not trace) costs one inlined array lookup: lt_sys_nrs[probe], a bitmap of numbers.
 * Entry saves the arguments in the thread's own storage (task local storage: no hash
 * update, nothing to age out when a thread dies in exit()); exit adds the return value and
 * the duration, then filters, aggregates in kernel or emits one record per call.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include "common.bpf.h"
#include "syscall.h"
#include "user_regs.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_sys_nrs);
} lt_sys_nrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_SYS_MAX_SITES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lt_sys_key);
	__type(value, struct lt_sys_site);
} lt_sys_sites SEC(".maps");

/* A call in flight, per thread and probe: probe is id + 1 while the call runs, 0 when the
 * slot is free. */
struct sys_call {
	__u32 probe;
	__u32 nr;
	__u64 ts;
	__u64 args[LT_MAX_ARGS];
	__u32 data_len;
	__u32 keep;
	__u32 site;	/* lt_sys_site.site: exit needs the site entry only to emit */
	__u32 pad;
};

struct sys_calls {
	struct sys_call slot[LT_SYS_SLOTS];
};

struct task_struct;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_calls);
} lt_sys_calls SEC(".maps");

static __always_inline int traces(__u32 probe, __u64 nr)
{
	struct lt_sys_nrs *m = bpf_map_lookup_elem(&lt_sys_nrs, &probe);

	if (!m || nr >= LT_SYS_NR_MAX)
		return 0;
	return (m->bits[(nr / 64) & (LT_SYS_NR_MAX / 64 - 1)] >> (nr % 64)) & 1;
}

static __always_inline __u64 narrow_arg(__u64 v, __u8 ext)
{
	return narrow(v, LT_EXT_SIZE(ext), ext & LT_EXT_SIGNED);
}

/* Does anything look at the arguments: a predicate, a capture, an event, an aggregate of
 * or by an argument? A latency histogram per syscall does not. */
static __always_inline int uses_args(const struct lt_probe_cfg *cfg)
{
	return cfg->npred || cfg->nfetch || (cfg->flags & LT_CFG_EMIT) ||
	       cfg->agg_src < LT_MAX_ARGS ||
	       (cfg->agg_by >= LT_BY_ARG1 && cfg->agg_by < LT_BY_ARG1 + LT_MAX_ARGS);
}

/* The user registers the syscall was made with (x86_64: rdi rsi rdx r10 r8 r9), copied
 * once into the scratch data area, which is free at this point; zeros when nothing uses
 * them (the 168-byte copy is a good part of a plain histogram's cost). */
static __always_inline int read_args(struct scratch *s, const void *regs,
				     const struct lt_sys_site *site,
				     const struct lt_probe_cfg *cfg)
{
	struct pt_regs *r = (struct pt_regs *)s->data;

	__builtin_memset(s->vals, 0, sizeof(s->vals));
	if (!uses_args(cfg))
		return 0;
	if (bpf_probe_read_kernel(r, sizeof(*r), regs))
		return -1;
	s->vals[0] = narrow_arg(r->rdi, site->ext[0]);
	s->vals[1] = narrow_arg(r->rsi, site->ext[1]);
	s->vals[2] = narrow_arg(r->rdx, site->ext[2]);
	s->vals[3] = narrow_arg(r->r10, site->ext[3]);
	s->vals[4] = narrow_arg(r->r8, site->ext[4]);
	s->vals[5] = narrow_arg(r->r9, site->ext[5]);
	return 0;
}

/* This probe's slot in the thread's storage (its own, else with want_free a free one), or
 * -1. An index, not a pointer: the verifier follows a masked index into the map value. */
static __always_inline int slot_of(const struct sys_calls *calls, __u32 probe, int want_free)
{
	int free = -1;

	for (int i = 0; i < LT_SYS_SLOTS; i++) {
		if (calls->slot[i].probe == probe + 1)
			return i;
		if (!calls->slot[i].probe && free < 0)
			free = i;
	}
	return want_free ? free : -1;
}

static __always_inline void inflight_key(struct lt_inflight_key *k, __u32 probe, __u32 nr,
					 __u64 pid_tgid)
{
	k->tid = (__u32)pid_tgid;
	k->site = nr;
	k->sp = 0;
	k->probe = probe;
	k->pad = 0;
}

/* Captures made at entry (the probe's, then the syscall's strings read at entry), parked
 * until exit; returns their length. */
static __always_inline __u32 park(const struct lt_probe_cfg *cfg, struct lt_sys_site *site,
				  struct scratch *s, __u32 probe, __u32 nr, __u64 pid_tgid)
{
	struct lt_inflight_key key;
	__u32 len = lt_fetch_all(cfg, s, 0, 0);

	len = lt_fetch_all(&site->strs, s, len, 0);
	if (!len)
		return 0;
	if (len > LT_INFLIGHT_DATA) {
		len = LT_INFLIGHT_DATA;
		count(LT_CNT_DATA_FULL);
	}
	inflight_key(&key, probe, nr, pid_tgid);
	if (bpf_map_update_elem(&lt_inflight_data, &key, s->data, BPF_ANY))
		return 0;
	return len;
}

SEC("raw_tracepoint/sys_enter")
int lt_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid;
	struct lt_sys_key skey = { .probe = cookie >> 32, .nr = ctx->args[1] };
	struct lt_sys_site *site;
	struct lt_probe_cfg *cfg;
	struct sys_calls *calls;
	struct sys_call *call;
	struct scratch *s;
	int i;

	if (!traces(skey.probe, ctx->args[1]))
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	if (!(site = bpf_map_lookup_elem(&lt_sys_sites, &skey)) ||
	    !(cfg = probe_admit(skey.probe, pid_tgid)) || !(s = scratch_get()) ||
	    read_args(s, (const void *)ctx->args[0], site, cfg))
		return 0;
	calls = bpf_task_storage_get(&lt_sys_calls, bpf_get_current_task_btf(), NULL,
				     BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!calls || (i = slot_of(calls, skey.probe, 1)) < 0) {
		count(LT_CNT_INFLIGHT_FULL);
		return 0;
	}
	call = &calls->slot[i & (LT_SYS_SLOTS - 1)];
	call->probe = skey.probe + 1;
	call->nr = skey.nr;
	call->site = site->site;
	call->keep = (!cfg->npred || lt_preds_hold(cfg, s, 0)) &&
		     sample_keep(skey.probe, cfg->sample);
	__builtin_memcpy(call->args, s->vals, sizeof(call->args));
	call->data_len = call->keep && (cfg->flags & LT_CFG_EMIT) ?
			 park(cfg, site, s, skey.probe, skey.nr, pid_tgid) : 0;
	call->ts = bpf_ktime_get_ns();
	return 0;
}

/* The call is complete: filter on what exit knows, aggregate, or emit. Stacks are taken
 * here, at exit: the user registers and stack are still the entry's (docs/stacks.md). */
static __always_inline void on_exit(void *ctx, struct lt_probe_cfg *cfg, struct lt_sys_key *skey,
				    struct scratch *s, struct lt_inflight_key *key,
				    const struct sys_call *call, __u64 pid_tgid)
{
	struct lt_probe_stats *st = stats_of(key->probe);
	struct lt_sys_site *site;
	struct pt_regs uregs;
	__u32 pos;

	if (st)
		st->hits++;
	if (!call->keep || s->vals[LT_SRC_DURATION] < cfg->min_duration ||
	    (cfg->npred && !lt_preds_hold(cfg, s, 1))) {
		if (st)
			st->filtered++;
		if (call->data_len)
			bpf_map_delete_elem(&lt_inflight_data, key);
		return;
	}
	lt_stack_ids(ctx, NULL, cfg, s);
	if (cfg->agg_kind)
		lt_agg_update(cfg, s, key->probe, call->site, pid_tgid);
	if (!(cfg->flags & LT_CFG_EMIT) || !(site = bpf_map_lookup_elem(&lt_sys_sites, skey)))
		return;
	pos = call->data_len ? lt_unpark(s, key, call->data_len) : 0;
	pos = lt_fetch_all(cfg, s, pos, 1);
	s->rec.data_len = lt_fetch_all(&site->strs, s, pos, 1);
	rec_fill(&s->rec, LT_REC_SYSCALL, (__u64)key->probe << 32 | call->site, pid_tgid);
	s->rec.ts = call->ts;
	s->rec.duration = s->vals[LT_SRC_DURATION];
	__builtin_memcpy(s->rec.args, call->args, sizeof(call->args));
	s->rec.ret = s->vals[LT_SRC_RET];
	lt_stack_append(ctx, lt_dwarf_regs(cfg, &uregs), cfg, s);
	lt_emit(s, key->probe, cfg->flags);
}

/* A thread is in one syscall at a time: its slot for this probe, if any, is this call. */
SEC("raw_tracepoint/sys_exit")
int lt_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid, now = bpf_ktime_get_ns();
	struct lt_sys_key skey = { .probe = cookie >> 32 };
	struct lt_inflight_key key;
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	struct sys_call call, *slot;
	struct lt_probe_cfg *cfg;
	struct sys_calls *calls;
	struct scratch *s;
	__u64 nr = 0;
	int i;

	calls = bpf_task_storage_get(&lt_sys_calls, bpf_get_current_task_btf(), NULL, 0);
	if (!calls)
		return 0;
	if ((i = slot_of(calls, skey.probe, 0)) < 0)
		return 0;	/* not traced, or it began before the probe attached */
	slot = &calls->slot[i & (LT_SYS_SLOTS - 1)];
	call = *slot;
	slot->probe = 0;
	/* A slot left by a call whose exit was missed (the probe was detaching) is stale. */
	if (bpf_probe_read_kernel(&nr, sizeof(nr), &regs->orig_rax) || nr != call.nr)
		return 0;
	skey.nr = call.nr;
	pid_tgid = bpf_get_current_pid_tgid();
	/* Entry admitted the call (pid, tid, comm filters): the config is enough here. */
	cfg = bpf_map_lookup_elem(&lt_probes, &skey.probe);
	if (!cfg || !(cfg->flags & LT_CFG_ENABLED) || !(s = scratch_get()))
		return 0;
	__builtin_memcpy(s->vals, call.args, sizeof(call.args));
	s->vals[LT_SRC_RET] = ctx->args[1];
	s->vals[LT_SRC_DURATION] = now - call.ts;
	inflight_key(&key, skey.probe, skey.nr, pid_tgid);
	on_exit(ctx, cfg, &skey, s, &key, &call, pid_tgid);
	return 0;
}
