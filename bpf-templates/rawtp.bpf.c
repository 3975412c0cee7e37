// SPDX-License-Identifier: GPL-2.0
/* Raw tracepoints with BTF-typed arguments, without compiling anything per probe: one
 * BPF_PROG_TYPE_RAW_TRACEPOINT program attached to each tracepoint with a cookie. The
 * tracepoint's arguments are read from ctx->args[]; the fields a probe asks for ("prev.pid",
 * "next.comm") come as offset chains resolved in user space from the kernel's BTF and are
 * walked here with bpf_probe_read_kernel. Integer fields can replace arg1..arg6 so filters
 * and aggregation use them; every field is also a capture in the record.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lib/maps.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/agg.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/event.bpf.h"
#include "rawtp.h"
#include "lib/rawtp_cookie.bpf.h"
#include "lib/user_regs.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_MAX_PROBES);
	__type(key, __u32);
	__type(value, struct lt_rawtp_cfg);
} lt_rawtp SEC(".maps");

static __always_inline __u64 sign_extend(__u64 v, __u64 size, int is_signed)
{
	__u32 shift = 64 - 8 * size;

	if (!is_signed || size >= 8 || !size)
		return v;
	return (__s64)(v << shift) >> shift;
}

/* Follows the chain; returns 0 with *v (nsteps == 0) or *addr (the leaf's address). */
static __always_inline int walk_steps(const struct lt_path *pa, __u64 *v, __u64 *addr)
{
	for (int j = 0; j < LT_RAWTP_MAX_STEPS; j++) {
		if (j >= pa->nsteps)
			break;
		if (j && bpf_probe_read_kernel(v, sizeof(*v), (void *)*addr))
			return -1;
		*addr = *v + (__s64)pa->off[j];
	}
	return 0;
}

/* The leaf into dst; returns its length, or -1 when memory faulted. */
static __always_inline long read_leaf(struct scratch *s, const struct lt_path *pa, __u64 v,
				      __u64 addr, struct lt_cap *cap, void *dst)
{
	__u64 len = pa->size, w = 0;
	long n = 0;

	keep_bounds(len);
	if (len > LT_FETCH_MAX_LEN)
		len = LT_FETCH_MAX_LEN;
	if (pa->leaf == LT_LEAF_INT) {
		if (len > 8)
			len = 8;
		if (pa->nsteps)
			n = bpf_probe_read_kernel(&w, len, (void *)addr);
		else
			w = v;
		w = sign_extend(w, len, pa->is_signed);
		if (pa->slot < LT_MAX_ARGS)
			s->vals[pa->slot & 7] = w;
		__builtin_memcpy(dst, &w, sizeof(w));
		return n < 0 ? -1 : 8;
	}
	if (pa->leaf == LT_LEAF_STRP && pa->nsteps &&
	    bpf_probe_read_kernel(&v, sizeof(v), (void *)addr))
		return -1;
	if (pa->leaf == LT_LEAF_STRP)
		addr = v;
	if (pa->leaf == LT_LEAF_BYTES)
		return bpf_probe_read_kernel(dst, len, (void *)addr) ? -1 : (long)len;
	n = bpf_probe_read_kernel_str(dst, len, (void *)addr);
	if (n > 0 && (__u64)n == len && pa->leaf == LT_LEAF_STRP) {
		cap->flags |= LT_CAP_TRUNC;
		count(LT_CNT_STR_TRUNC);
	}
	return n > 0 ? n - 1 : n;	/* without the NUL */
}

/* One path from the argument value v, appended at pos; returns the new data length. A global
 * function: the verifier checks it once, whatever the number of paths. */
__noinline __u32 lt_rawtp_path(struct scratch *s, const struct lt_path *pa, __u64 v, __u32 pos)
{
	struct lt_cap *cap;
	__u64 at = pos, addr = 0;
	long n;

	if (!s || !pa)
		return pos;
	keep_bounds(at);
	if (at >= LT_DATA_MAX) {
		count(LT_CNT_DATA_FULL);
		return pos;
	}
	cap = (struct lt_cap *)(s->data + at);
	cap->flags = 0;
	cap->pad = 0;
	n = walk_steps(pa, &v, &addr) ? -1 : read_leaf(s, pa, v, addr, cap, s->data + at +
								 sizeof(*cap));
	if (n < 0) {
		cap->flags |= LT_CAP_FAULT;
		count(LT_CNT_READ_FAULT);
		n = 0;
	}
	cap->len = n;
	return at + sizeof(*cap) + n;
}

/* Arguments, then fields; returns the data length. */
static __always_inline __u32 read_fields(struct bpf_raw_tracepoint_args *ctx,
					 const struct lt_rawtp_cfg *cfg, struct scratch *s)
{
	__u64 raw[LT_RAWTP_MAX_ARGS] = {}, size = cfg->nargs * sizeof(__u64);
	__u32 pos = 0;

	keep_bounds(size);
	if (size > sizeof(raw))
		size = sizeof(raw);
	bpf_probe_read_kernel(raw, size, ctx);
	__builtin_memcpy(s->vals, raw, LT_MAX_ARGS * sizeof(__u64));
	for (int i = 0; i < LT_RAWTP_MAX_PATHS; i++) {
		const struct lt_path *pa = &cfg->path[i];

		if (i >= cfg->npaths)
			break;
		pos = lt_rawtp_path(s, pa, raw[pa->arg < LT_RAWTP_MAX_ARGS ? pa->arg : 0], pos);
	}
	return pos > LT_DATA_MAX ? LT_DATA_MAX : pos;
}

SEC("raw_tp")
int lt_rawtp_prog(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 cookie = lt_raw_tp_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	__u32 probe = cookie >> 32, data_len;
	struct lt_probe_cfg *cfg = probe_admit(probe, pid_tgid);
	struct lt_rawtp_cfg *rc = bpf_map_lookup_elem(&lt_rawtp, &probe);
	struct lt_probe_stats *st;
	struct pt_regs uregs;
	struct scratch *s;

	if (!cfg || !rc || !(s = scratch_get()))
		return 0;
	st = stats_of(probe);
	if (st)
		st->hits++;
	__builtin_memset(s->vals, 0, sizeof(s->vals));
	data_len = read_fields(ctx, rc, s);
	if (!lt_event_begin(ctx, NULL, cfg, s, cookie, pid_tgid, LT_REC_ENTRY))
		return 0;
	s->rec.data_len = data_len;
	lt_stack_append(ctx, lt_dwarf_regs(cfg, &uregs), cfg, s);
	lt_emit(s, probe, cfg->flags);
	return 0;
}
