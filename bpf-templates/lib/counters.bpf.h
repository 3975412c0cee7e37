/* SPDX-License-Identifier: GPL-2.0 */
/* The session's drop and health counters (enum lt_counter), one per-CPU slot each: every
 * object that counts declares the map here and shares the session's (session_share_maps). */
#ifndef LT_COUNTERS_BPF_H
#define LT_COUNTERS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lt_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lt_counters SEC(".maps");

static __always_inline void count_n(__u32 which, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&lt_counters, &which);

	if (v)
		*v += n;
}

#endif
