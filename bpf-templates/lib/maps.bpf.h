/* SPDX-License-Identifier: GPL-2.0 */
/* Every map the session shares with the templates, the per-CPU scratch record a template
 * builds its event in, and the small accessors the other steps use. Every map is declared
 * here, in one order, and every template includes this file, so that each object has the
 * full set: before load the host hands it the owner's map fds by name (session_share_maps),
 * and the first object whose programs may use a deferred map (ring buffer, paired calls,
 * stacks) creates it from its own definition. The three builds of one template (plain,
 * LT_SLEEPABLE, LT_LEAN) must keep the same maps in the same order: one skeleton opens
 * all three. Include once per object, after the kernel headers and bpf_helpers.h.
 */
#ifndef LT_MAPS_BPF_H
#define LT_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <linux/errno.h>
#include <linux/ptrace.h>
#include <bpf/bpf_tracing.h>
#include "lt_abi.h"
#include "counters.bpf.h"
#include "held.bpf.h"

#ifndef LT_SLEEPABLE
#define LT_SLEEPABLE 0
#endif
/* LT_LEAN=1: the build for probes that only aggregate in the kernel (no records, no
 * stacks). Those steps compile out: a third of the instructions to verify. */
#ifndef LT_LEAN
#define LT_LEAN 0
#endif

/* Runtime knobs shared by every template, written by the host. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lt_globals);
} lt_globals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_probe_cfg);
} lt_probes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_MAX_PIDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* a few pids: not worth preallocating 8192 */
	__type(key, __u32);
	__type(value, __u8);
} lt_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* ringbuf_size() changes it; mapped only when streaming */
} lt_events SEC(".maps");

/* Paired calls in flight, per thread: a stack of slots in the thread's own storage, pushed
 * at entry and popped at return. Task storage costs one cached lookup where a hash map
 * costs a hashed insert and delete (the LRU's were most of a paired call's BPF time), and
 * it goes away with the thread. Slots above a new entry's stack pointer belong to calls
 * that left without returning (longjmp, exceptions) and are reclaimed. */
#define LT_CALL_SLOTS 64	/* nesting depth of traced calls per thread */
#define LT_CALL_SEARCH 4	/* slots a return looks down: up to four probes on one function */
#define LT_CALL_RECLAIM 4	/* stale slots popped per entry or return, at most */

struct lt_call_slot {
	__u64 sp;	/* stack pointer at entry; 0 where unknown (kernel functions) */
	__u32 probe;	/* probe id + 1; 0: free */
	__u32 site;
	struct lt_inflight in;
};

struct lt_call_stack {
	__u32 depth;
	__u32 pad;
	struct lt_call_slot slot[LT_CALL_SLOTS];
};

struct task_struct;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lt_call_stack);
} lt_inflight SEC(".maps");

struct inflight_data {
	__u8 data[LT_INFLIGHT_DATA];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct lt_inflight_key);
	__type(value, struct inflight_data);
} lt_inflight_data SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* preallocating costs ~12 ms at start */
	__type(key, struct lt_agg_key);
	__type(value, struct lt_agg_val);
} lt_aggs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_probe_stats);
} lt_stats SEC(".maps");

/* Bucket counts of keyless histograms (LT_CFG_AGG_FLAT), one element per histogram. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LT_AGG_HISTS);
	__type(key, __u32);
	__type(value, struct lt_agg_hist);
} lt_agg_hists SEC(".maps");

/* Stacks: ids for aggregates keyed by stack (bpf_get_stackid); records carry frames. */
#define LT_STACK_IDS 4096	/* like bpftrace; full: stack_lost counts */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, LT_STACK_IDS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, LT_STACK_DEPTH * sizeof(__u64));
} lt_stacks SEC(".maps");

/* The same for sleepable programs, which may not use stack-trace maps: frames hashed by
 * the program itself; their ids have LT_STACK_ID_HASHED set. */
struct lt_stack_frames {
	__u64 ip[LT_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_STACK_IDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct lt_stack_frames);
} lt_stack_frames SEC(".maps");

/* After the captures: user frames (and the entry caller slot), kernel frames, the user
 * stack copy; plus one page of slack so the verifier accepts the page-wise copy. */
#define LT_STACK_AREA (2 * (LT_STACK_DEPTH + 1) * 8 + sizeof(struct lt_ucopy) + LT_UCOPY_MAX)
#define LT_SCRATCH_DATA (LT_DATA_MAX + LT_STACK_AREA + 4096)

/* Record under construction: too big for the 512-byte BPF stack. vals[] holds the values
 * sources name (args 1-6, ret, duration) so reading one is a masked index into map memory,
 * not a branch per source. The slack after LT_DATA_MAX lets the verifier accept a capture
 * that starts anywhere below it. */
struct scratch {
	__u64 vals[LT_SRC_SLOTS];
	__u32 stk_uid, stk_kid;	/* stack ids of this event (lt_stack_ids), ~0 when none */
	__u64 stk_caller;
	struct lt_rec rec;
	__u8 data[LT_SCRATCH_DATA];
};
_Static_assert(LT_SCRATCH_DATA >= LT_DATA_MAX + LT_FETCH_MAX_LEN + sizeof(struct lt_cap) + 8,
	       "captures fit the scratch record");
/* lt_emit sends rec and the data after it as one block. */
_Static_assert(__builtin_offsetof(struct scratch, data) ==
	       __builtin_offsetof(struct scratch, rec) + sizeof(struct lt_rec),
	       "the captures follow the record header");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} lt_scratch SEC(".maps");

/* Stops clang from narrowing a bounded value into a form the verifier cannot follow. */
#define keep_bounds(v) asm volatile("" : "+r"(v))

static __always_inline void count(__u32 which)
{
	count_n(which, 1);
}

static __always_inline struct lt_probe_stats *stats_of(__u32 probe)
{
	return bpf_map_lookup_elem(&lt_stats, &probe);
}

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lt_scratch, &zero);
}

/* Runtime knobs (target, self, wakeup threshold), written by the host. */
static __always_inline struct lt_globals *globals(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lt_globals, &zero);
}

static __always_inline __u64 val_of(const struct scratch *s, __u64 src)
{
	keep_bounds(src);
	return s->vals[src & (LT_SRC_SLOTS - 1)];
}

/* A narrow value in a 64-bit register: only its low `width` bytes are defined. */
static __always_inline __u64 narrow(__u64 v, __u8 width, int is_signed)
{
	__u32 sh = ((8 - width) & 7) * 8;	/* widths 0 and 8: all bits */

	v <<= sh;
	return is_signed ? (__u64)((__s64)v >> sh) : v >> sh;
}

#endif
