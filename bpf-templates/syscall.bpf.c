// SPDX-License-Identifier: GPL-2.0
/* Syscalls, entry and exit paired in kernel, on the raw tracepoints raw_syscalls:sys_enter
 * and sys_exit: one program each per build, attached once, serving every syscall probe of
 * the session. Every syscall of every process runs them, so the common case (a syscall no
 * probe traces) costs one inlined array lookup, lt_sys_disp[nr]; a traced syscall of a
 * process not traced (or of the tool itself) leaves at the process filter next. Then each
 * probe of the syscall, in a function verified once (not once per probe): entry keeps the
 * call in the thread's own storage (task local storage: no hash update, nothing to age out
 * when a thread dies in exit()); exit adds the return value and the duration, then
 * filters, aggregates in kernel or emits one record per call. Built twice: LT_LEAN=1 for
 * probes that only aggregate (no records, captures or stacks), the plain build for the
 * rest; both share the maps, each serves its own probes (LT_SYS_LEAN).
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include "lib/maps.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/agg.bpf.h"
#include "lib/capture.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/paired.bpf.h"
#include "syscall.h"
#include "lib/user_regs.bpf.h"
#include "lib/fd_socket.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_sys_nrs);
} lt_sys_nrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_SYS_NR_MAX);
	__type(key, __u32);
	__type(value, struct lt_sys_disp);
} lt_sys_disp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lt_fd_offsets);
} lt_fd_offsets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_SYS_MAX_SITES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lt_sys_key);
	__type(value, struct lt_sys_site);
} lt_sys_sites SEC(".maps");

/* A call in flight, per thread and probe. */
struct sys_call {
	__u64 ts;
	__u32 nr;
	__u32 gen;	/* the probe's (lt_sys_nrs): a slot left by an earlier probe of this id is stale */
	__u32 site;	/* index into the probe's sites */
	__u32 keep;
	__u32 data_len;
	__u32 pad;
	__u64 args[LT_MAX_ARGS];	/* only when the probe uses them (uses_args) */
};

/* probe[i] is the id + 1 of the probe slot i is in use for, 0 when it is free: the ids
 * together, so finding a slot reads one cache line, not one per slot. */
struct sys_calls {
	__u32 probe[LT_SYS_SLOTS];
	struct sys_call slot[LT_SYS_SLOTS];
};

struct task_struct;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_calls);
} lt_sys_calls SEC(".maps");

/* This build's probes in lt_sys_disp (LT_SYS_LEAN), in the thread's slots the same. */
#define LT_SYS_MINE(v) (!((v) & LT_SYS_LEAN) == !LT_LEAN)

static __always_inline __u64 narrow_arg(__u64 v, __u8 ext)
{
	return narrow(v, LT_EXT_SIZE(ext), ext & LT_EXT_SIGNED);
}

/* Does anything look at the arguments: a predicate, a capture, an event, an aggregate of
 * or by an argument, the socket test? A latency histogram per syscall does not, and skips all of it. */
static __always_inline int uses_args(const struct lt_probe_cfg *cfg)
{
	return cfg->npred || cfg->nfetch || (cfg->flags & (LT_CFG_EMIT | LT_CFG_SOCKET)) ||
	       cfg->agg_src < LT_MAX_ARGS ||
	       (cfg->agg_by >= LT_BY_ARG1 && cfg->agg_by < LT_BY_ARG1 + LT_MAX_ARGS);
}

/* The user registers the syscall was made with (x86_64: rdi rsi rdx r10 r8 r9), copied
 * once into the scratch data area, which is free at this point. */
static __always_inline int read_args(struct scratch *s, const void *regs,
				     const struct lt_sys_site *site)
{
	struct pt_regs *r = (struct pt_regs *)s->data;

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

/* Option `socket`: is fd a socket (or not known)? */
static __always_inline int on_socket(__u64 fd)
{
	__u32 zero = 0;
	struct lt_fd_offsets *o = bpf_map_lookup_elem(&lt_fd_offsets, &zero);

	return !o || lt_fd_is_socket(o, fd);
}

/* The arguments, for a probe that uses them: narrowed to their C types into the scratch
 * values and the slot, then the socket test (option `socket`) and the entry's predicates.
 * 1: kept, 0: filtered out, -1: not the probe's call (not on a socket) or no arguments
 * (registers unreadable, counted; or the probe is being released). Out of
 * line, so that its stack does not count against the entry program's: past 64 bytes the
 * kernel runs a tracing program on a private stack, extra work at every helper call. */
static __noinline int enter_args(struct bpf_raw_tracepoint_args *ctx,
				 const struct lt_probe_cfg *cfg, struct sys_call *call, __u32 probe)
{
	struct lt_sys_key skey = { .probe = probe, .nr = call->nr };
	struct lt_sys_site *site = bpf_map_lookup_elem(&lt_sys_sites, &skey);
	struct scratch *s = scratch_get();

	if (!site || !s || !cfg)
		return -1;
	if (read_args(s, (const void *)ctx->args[0], site)) {
		count(LT_CNT_READ_FAULT);
		return -1;
	}
	if ((cfg->flags & LT_CFG_SOCKET) && !on_socket(s->vals[0]))
		return -1;
	__builtin_memcpy(call->args, s->vals, sizeof(call->args));
	return preds_pass(cfg, s, 0);
}

/* The first slot in the thread's storage that is this probe's (tag: its lt_sys_disp entry;
 * with want_free: or free), or -1. A slot a detached
 * probe of the same id left (its gen tells) is taken over by the next call of that id. An
 * index, not a pointer: the verifier follows a masked index into the map value. */
static __always_inline int slot_of(const struct sys_calls *calls, __u32 tag, int want_free)
{
	for (int i = 0; i < LT_SYS_SLOTS; i++)
		if (calls->probe[i] == tag || (want_free && !calls->probe[i]))
			return i;
	return -1;
}

#if !LT_LEAN
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
 * until exit; returns their length. The scratch values still hold the arguments. */
static __always_inline __u32 park(const struct lt_probe_cfg *cfg, __u32 probe, __u32 nr,
				  __u64 pid_tgid)
{
	struct lt_sys_key skey = { .probe = probe, .nr = nr };
	struct lt_sys_site *site = bpf_map_lookup_elem(&lt_sys_sites, &skey);
	struct scratch *s = scratch_get();
	struct lt_inflight_key key;
	__u32 len;

	if (!site || !s)
		return 0;
	len = lt_fetch_all(cfg, s, 0, 0);
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
#endif

/* One probe's entry. The common case, a probe that needs no argument, costs: the site
 * (an inlined array lookup), the admission (inlined lookups), the thread's storage and
 * the clock. Global (not static): verified once, not once per probe the loop may reach. */
__noinline int lt_sys_enter_one(struct bpf_raw_tracepoint_args *ctx, __u32 tag, __u32 nr,
				__u64 pid_tgid)
{
	__u32 probe = (tag & ~LT_SYS_LEAN) - 1, site;
	struct lt_probe_cfg *cfg;
	struct sys_calls *calls;
	struct sys_call *call;
	struct lt_sys_nrs *m;
	int i, kept;

	if (!(m = bpf_map_lookup_elem(&lt_sys_nrs, &probe)) ||
	    !(site = m->site[nr & (LT_SYS_NR_MAX - 1)]))
		return 0;
	if (!(cfg = probe_admit(probe, pid_tgid)))
		return 0;
	calls = bpf_task_storage_get(&lt_sys_calls, bpf_get_current_task_btf(), NULL,
				     BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!calls || (i = slot_of(calls, tag, 1)) < 0) {
		count(LT_CNT_INFLIGHT_FULL);
		return 0;
	}
	calls->probe[i & (LT_SYS_SLOTS - 1)] = tag;
	call = &calls->slot[i & (LT_SYS_SLOTS - 1)];
	call->gen = m->gen;
	call->nr = nr;
	call->site = site - 1;
	call->data_len = 0;
	if ((kept = uses_args(cfg) ? enter_args(ctx, cfg, call, probe) : 1) < 0) {
		calls->probe[i & (LT_SYS_SLOTS - 1)] = 0;
		return 0;
	}
	call->keep = kept && sample_keep(probe, cfg->sample);
#if !LT_LEAN
	if (call->keep && (cfg->flags & LT_CFG_EMIT))
		call->data_len = park(cfg, probe, call->nr, pid_tgid);
#endif
	call->ts = bpf_ktime_get_ns();
	return 0;
}

/* Every syscall of the machine: the probes of this number, if any; the process filter,
 * once for all of them; then each probe of this build. */
SEC("raw_tracepoint/sys_enter")
int lt_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 nr = ctx->args[1], tgid;
	struct lt_sys_disp *d;
	struct lt_globals *g;
	__u64 pid_tgid;

	if (nr >= LT_SYS_NR_MAX || !(d = bpf_map_lookup_elem(&lt_sys_disp, &nr)) ||
	    !d->probe[0])
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	tgid = pid_tgid >> 32;
	if (!(g = globals()) || !pid_admitted(g, tgid, d->own_pid))
		return 0;
	for (int i = 0; i < LT_SYS_SLOTS; i++) {
		__u32 tag = d->probe[i];

		if (!tag)
			break;
		if (LT_SYS_MINE(tag))
			lt_sys_enter_one(ctx, tag, nr, pid_tgid);
	}
	return 0;
}

#if !LT_LEAN
/* A record of the call: the parked captures, the exit's, the syscall's strings. Stacks are
 * taken here, at exit: the user registers and stack are still the entry's
 * (docs/stacks.md). */
static __always_inline void emit(void *ctx, struct lt_probe_cfg *cfg, struct scratch *s,
				 __u32 probe, const struct sys_call *call, __u64 pid_tgid)
{
	struct lt_sys_key skey = { .probe = probe, .nr = call->nr };
	struct lt_inflight_key key;
	struct lt_sys_site *site;
	struct pt_regs uregs;
	__u32 pos;

	if (!(site = bpf_map_lookup_elem(&lt_sys_sites, &skey)))
		return;
	inflight_key(&key, probe, call->nr, pid_tgid);
	pos = call->data_len ? lt_unpark(s, &key, call->data_len) : 0;
	pos = lt_fetch_all(cfg, s, pos, 1);
	s->rec.data_len = lt_fetch_all(&site->strs, s, pos, 1);
	rec_fill(&s->rec, LT_REC_SYSCALL, (__u64)probe << 32 | call->site, pid_tgid);
	s->rec.ts = call->ts;
	s->rec.duration = s->vals[LT_SRC_DURATION];
	__builtin_memcpy(s->rec.args, call->args, sizeof(call->args));
	s->rec.ret = s->vals[LT_SRC_RET];
	lt_stack_append(ctx, lt_dwarf_regs(cfg, &uregs), cfg, s);
	lt_emit(s, probe, cfg->flags);
}

static __always_inline void unpark_dropped(__u32 probe, const struct sys_call *call,
					   __u64 pid_tgid)
{
	struct lt_inflight_key key;

	inflight_key(&key, probe, call->nr, pid_tgid);
	bpf_map_delete_elem(&lt_inflight_data, &key);
}
#endif

/* The call is complete: filter on what exit knows, aggregate, or emit. */
static __always_inline void on_exit(void *ctx, struct lt_probe_cfg *cfg, struct scratch *s,
				    __u32 probe, const struct sys_call *call)
{
	struct lt_probe_stats *st = stats_of(probe);
	/* The thread's ids: a keyless aggregate does without them. Plain builds always read
	 * them: each branch taken before the record path doubles what the verifier walks. */
	__u64 pid_tgid = LT_LEAN && (cfg->flags & LT_CFG_AGG_FLAT) ? 0 :
			 bpf_get_current_pid_tgid();

	if (st)
		st->hits++;
	if (!call->keep || s->vals[LT_SRC_DURATION] < cfg->min_duration ||
	    !preds_pass(cfg, s, 1)) {
		if (st)
			st->filtered++;
#if !LT_LEAN
		if (call->data_len)
			unpark_dropped(probe, call, pid_tgid);
#endif
		return;
	}
#if !LT_LEAN
	lt_stack_ids(ctx, NULL, cfg, s);
#endif
	if (cfg->agg_kind)
		lt_agg(cfg, s, probe, call->site, pid_tgid);
#if !LT_LEAN
	if (cfg->flags & LT_CFG_EMIT)
		emit(ctx, cfg, s, probe, call, pid_tgid);
#endif
}

/* One probe's exit, for slot i of the thread's storage (calls). The slot is freed first;
 * the thread's storage is written only by the thread itself, so what it holds stays valid
 * for the rest of the run. Global: verified once. */
__noinline int lt_sys_exit_one(struct bpf_raw_tracepoint_args *ctx, struct sys_calls *calls,
			       __u32 i, __u64 now)
{
	struct lt_probe_cfg *cfg;
	struct sys_call *call;
	struct lt_sys_nrs *m;
	struct scratch *s;
	__u32 probe;

	if (!calls)
		return 0;
	i &= LT_SYS_SLOTS - 1;
	probe = (calls->probe[i] & ~LT_SYS_LEAN) - 1;
	calls->probe[i] = 0;
	call = &calls->slot[i];
	/* Left by a call whose exit was missed (an earlier probe of this id was detached). */
	if (!(m = bpf_map_lookup_elem(&lt_sys_nrs, &probe)) || call->gen != m->gen)
		return 0;
	/* Entry admitted the call (pid, tid, comm filters): the config is enough here. */
	cfg = bpf_map_lookup_elem(&lt_probes, &probe);
	if (!cfg || !(cfg->flags & LT_CFG_ENABLED) || !(s = scratch_get()))
		return 0;
	if (!LT_LEAN || uses_args(cfg))
		__builtin_memcpy(s->vals, call->args, sizeof(call->args));
	s->vals[LT_SRC_RET] = ctx->args[1];
	s->vals[LT_SRC_DURATION] = now - call->ts;
	on_exit(ctx, cfg, s, probe, call);
	return 0;
}

/* A thread is in one syscall at a time: the slots of this build in its storage, if any, are
 * this call's (or stale, which their generation tells). */
SEC("raw_tracepoint/sys_exit")
int lt_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct sys_calls *calls;
	__u64 now = 0;

	calls = bpf_task_storage_get(&lt_sys_calls, bpf_get_current_task_btf(), NULL, 0);
	if (!calls)
		return 0;	/* a thread no probe has traced */
	for (int i = 0; i < LT_SYS_SLOTS; i++) {
		__u32 tag = calls->probe[i];

		if (!tag || !LT_SYS_MINE(tag))
			continue;
		/* The clock only now, once for every probe: it is the dearest part (~40 ns on
		 * this VM). A duration thus includes the slot search, as a start-time lookup in
		 * a map would. */
		if (!now)
			now = bpf_ktime_get_ns();
		lt_sys_exit_one(ctx, calls, i, now);
	}
	return 0;
}
