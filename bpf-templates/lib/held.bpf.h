/* SPDX-License-Identifier: GPL-2.0 */
/* The threads our holds stopped, for whoever must resume them if the tracer cannot: every
 * object that stops a thread declares the map here and shares the session's
 * (session_share_maps). A thread is registered before its SIGSTOP is sent and the host
 * removes it just before its SIGCONT, so the guardian (src/core/guardian.c), which keeps the
 * map open, sees every thread stopped and not yet resumed when the tracer dies. Key 0
 * (no user thread has tid 0) is the off switch: set, nothing is held any more (the
 * guardian sets it first, before resuming, and the host at the session's end). */
#ifndef LT_HELD_BPF_H
#define LT_HELD_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lt_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_MAX_PIDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* a handful held at a time */
	__type(key, __u32);			/* tid; 0: the off switch */
	__type(value, __u32);			/* its tgid: SIGCONT goes to the process */
} lt_held SEC(".maps");

/* Registers tid as held; 0 when it must not be stopped: holds are off, or the map is
 * full (a stop nobody could undo is worse than the record it would have saved). */
static __always_inline int held_register(__u32 tid, __u32 tgid)
{
	__u32 off = 0;

	if (bpf_map_lookup_elem(&lt_held, &off))
		return 0;
	return !bpf_map_update_elem(&lt_held, &tid, &tgid, BPF_ANY);
}

/* The stop was not sent after all. */
static __always_inline void held_cancel(__u32 tid)
{
	bpf_map_delete_elem(&lt_held, &tid);
}

#endif
