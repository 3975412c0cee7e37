// SPDX-License-Identifier: GPL-2.0
/* Follow forks (-f): a child of a traced process joins the traced set, and a process
 * that exits leaves it, so a recycled pid is never traced by mistake; on request, a traced
 * process that execs is held until the host has probed the new program. A separate object
 * because its CO-RE reads make libbpf parse the kernel's BTF, which costs tens of
 * milliseconds that sessions without -f should not pay. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "follow.h"
#include "lib/held.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_MAX_PIDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* the owner's: see lib/maps.bpf.h */
	__type(key, __u32);
	__type(value, __u8);
} lt_pids SEC(".maps");

volatile __u64 pids_full;	/* children that could not be added */
volatile __u32 hold_execs;	/* stop a traced process at exec (session_hold_execs) */
volatile __u64 execs_held;

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

SEC("raw_tp/sched_process_fork")
int lt_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (void *)ctx->args[0], *child = (void *)ctx->args[1];
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (ptgid == ctgid || !bpf_map_lookup_elem(&lt_pids, &ptgid))
		return 0;
	if (bpf_map_update_elem(&lt_pids, &ctgid, &one, BPF_ANY))
		__sync_fetch_and_add(&pids_full, 1);
	return 0;
}

/* A traced process that execs stops (SIGSTOP, before the new program's first instruction)
 * while the host attaches probes to the new executable; the host resumes it (SIGCONT). */
SEC("raw_tp/sched_process_exec")
int lt_exec(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!hold_execs || !bpf_map_lookup_elem(&lt_pids, &tgid) || !held_register(tgid, tgid))
		return 0;
	if (!bpf_send_signal(19 /* SIGSTOP */))
		__sync_fetch_and_add(&execs_held, 1);
	else
		held_cancel(tgid);
	return 0;
}

/* At free, not exit: programs on sched_process_exit must still see the process. */
SEC("raw_tp/sched_process_free")
int lt_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (void *)ctx->args[0];
	__u32 pid = BPF_CORE_READ(task, pid), tgid = BPF_CORE_READ(task, tgid);

	if (pid == tgid)
		bpf_map_delete_elem(&lt_pids, &tgid);
	return 0;
}
