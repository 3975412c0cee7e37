// SPDX-License-Identifier: GPL-2.0
/* The generic tracepoint program: attached once per tracepoint with cookie = probe id << 32
 * | site. It loads the fields the probe's predicates and aggregation name into the value
 * slots (lt_tp_sites[cookie] says where they are), filters, aggregates, and when the probe
 * emits, sends its captures followed by a copy of the raw record (fixed part and the data
 * of its __data_loc fields) for user space to decode field by field from the format file.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
/* Kernel stacks check the registers perf puts first in the context (lib/stacks.bpf.h). */
#define LT_TP_CTX_REGS 1
#include "lib/maps.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/agg.bpf.h"
#include "lib/capture.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/event.bpf.h"
#include "tracepoint.h"
#include "lib/user_regs.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_TP_MAX_SITES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct lt_tp_site);
} lt_tp_sites SEC(".maps");

/* ctx is read through a scalar: field offsets come from a map, and the verifier refuses
 * variable-offset context access. */
static __always_inline __u64 load_field(const void *ctx, const struct lt_tp_val *v)
{
	__u64 x = 0, size = v->size;
	__u32 shift;

	if (!size)
		return 0;
	keep_bounds(size);
	if (size > 8)
		size = 8;
	bpf_probe_read_kernel(&x, size, ctx + v->off);
	if (!v->is_signed || size == 8)
		return x;
	shift = 64 - size * 8;
	return (__s64)(x << shift) >> shift;
}

static __always_inline void load_vals(struct scratch *s, const void *ctx,
				      const struct lt_tp_site *site)
{
	for (int i = 0; i < LT_TP_NVALS; i++)
		s->vals[i] = load_field(ctx, &site->vals[i]);
	s->vals[LT_SRC_DURATION] = 0;
}

/* The record's length: its fixed part, extended to the end of its dynamic data. */
static __always_inline __u32 rec_len(const void *ctx, const struct lt_tp_site *site)
{
	__u32 len = site->rec_size;

	for (int i = 0; i < LT_TP_MAX_LOC; i++) {
		const struct lt_tp_loc *l = &site->loc[i];
		__u32 loc = 0, end;

		if (i >= site->nloc)
			break;
		if (bpf_probe_read_kernel(&loc, sizeof(loc), ctx + l->off))
			continue;
		end = (loc & 0xffff) + (loc >> 16) + (l->rel ? l->off + 4 : 0);
		if (end > len)
			len = end;
	}
	return len;
}

/* Appends the raw record as one more capture. Each branch bounds pos and len by constants
 * so the verifier sees the copy stay inside the scratch data area. */
static __always_inline __u32 copy_record(struct scratch *s, __u64 pos, const void *ctx,
					 __u64 len)
{
	__u64 room, max = LT_TP_REC_MAX;
	struct lt_cap *cap;
	__u8 flags = 0;

	keep_bounds(pos);
	if (pos > LT_DATA_MAX - sizeof(*cap)) {
		count(LT_CNT_DATA_FULL);
		return pos;
	}
	room = LT_DATA_MAX - sizeof(*cap) - pos;
	if (pos > LT_DATA_MAX - LT_TP_REC_MAX)
		max = LT_FETCH_MAX_LEN;
	if (room < max)
		max = room;
	if (len > max) {
		len = max;
		flags = LT_CAP_TRUNC;
	}
	keep_bounds(len);
	if (pos <= LT_DATA_MAX - LT_TP_REC_MAX) {
		if (len > LT_TP_REC_MAX)
			return pos;
	} else if (len > LT_FETCH_MAX_LEN) {
		return pos;
	}
	cap = (struct lt_cap *)(s->data + pos);
	if (bpf_probe_read_kernel(s->data + pos + sizeof(*cap), len, ctx)) {
		flags |= LT_CAP_FAULT;
		len = 0;
	}
	cap->len = len;
	cap->flags = flags;
	cap->pad = 0;
	return pos + sizeof(*cap) + len;
}

SEC("tracepoint")
int lt_tp(void *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	__u32 probe = cookie >> 32;
	struct lt_probe_cfg *cfg = probe_admit(probe, pid_tgid);
	struct lt_probe_stats *st;
	struct lt_tp_site *site;
	struct pt_regs uregs;
	struct scratch *s;
	__u32 pos;

	if (!cfg || !(site = bpf_map_lookup_elem(&lt_tp_sites, &cookie)) || !(s = scratch_get()))
		return 0;
	st = stats_of(probe);
	if (st)
		st->hits++;
	load_vals(s, ctx, site);
	if (!lt_event_begin(ctx, NULL, cfg, s, cookie, pid_tgid, LT_REC_TP))
		return 0;
	pos = lt_fetch_all(cfg, s, 0, 0);
	s->rec.data_len = copy_record(s, pos, ctx, rec_len(ctx, site));
	lt_stack_append(ctx, lt_dwarf_regs(cfg, &uregs), cfg, s);
	lt_emit(s, probe, cfg->flags);
	return 0;
}
