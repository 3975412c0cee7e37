/* SPDX-License-Identifier: GPL-2.0 */
/* Sending a record: the header every kind fills the same way, the ring buffer output with
 * the host's wakeup policy, and the held record whose thread stops until the host resumes
 * it (held.bpf.h registers the thread for the guardian).
 */
#ifndef LT_EMIT_BPF_H
#define LT_EMIT_BPF_H

#include "maps.bpf.h"
#include "held.bpf.h"

static __always_inline void rec_fill(struct lt_rec *r, __u16 type, __u64 cookie, __u64 pid_tgid)
{
	r->type = type;
	r->flags = 0;
	r->probe = cookie >> 32;
	r->site = (__u32)cookie;
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	r->nustack = 0;
	r->nkstack = 0;
	r->ucopy_len = 0;
}

#define LT_HELD_REC_MAX (sizeof(struct lt_rec) + LT_DATA_MAX + LT_STACK_AREA)

/* A record whose thread stops (LT_CFG_HOLD: SIGSTOP, taken on its way back to user space)
 * until the host has run the callback and sent SIGCONT. The stop is requested before the
 * record is committed, so the SIGCONT never comes first; and after the record is copied
 * out of the scratch area, which the programs the signal itself triggers
 * (signal:signal_generate) may reuse on this CPU. The host is woken at once: the thread
 * waits for it. */
static __always_inline int emit_held(struct scratch *s, __u64 len)
{
	struct lt_rec *r = bpf_ringbuf_reserve(&lt_events, LT_HELD_REC_MAX, 0);
	__u32 tid = s->rec.tid;

	if (!r)
		return -1;
	keep_bounds(len);
	if (len > LT_HELD_REC_MAX)
		len = LT_HELD_REC_MAX;
	s->rec.flags |= LT_RF_HELD;
	if (bpf_probe_read_kernel(r, len, &s->rec)) {
		bpf_ringbuf_discard(r, 0);
		return -1;
	}
	if (!held_register(tid, s->rec.pid) || bpf_send_signal_thread(19 /* SIGSTOP */)) {
		held_cancel(tid);
		r->flags &= ~LT_RF_HELD;
		count(LT_CNT_HOLD_FAILED);
	}
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* Whether the bytes at b[at..] (len of them) start like a command line of a text protocol:
 * a word of 3 to 7 capital letters, then a space (HTTP/1's request line, "GET /x"; also
 * SMTP's or an inline Redis command). */
static __always_inline int command_at(const __u8 *b, __u32 at, __u32 len)
{
	for (int i = 0; i < 8; i++) {
		__u64 k = (__u64)at + i;
		__u8 ch;

		if (k >= len || k >= LT_FETCH_MAX_LEN)
			return 0;
		/* a mask the compiler cannot drop (k is opaque to it here): the test alone
		 * bounds a copy of k the verifier does not follow ("R8 unbounded memory
		 * access") */
		keep_bounds(k);
		k &= LT_FETCH_MAX_LEN - 1;
		ch = b[k];
		if (ch == ' ')
			return i >= 3;
		if (ch < 'A' || ch > 'Z')
			return 0;
	}
	return 0;
}

struct command_scan {
	const __u8 *b;
	__u32 len, n;
};

/* One byte of the copy: a command line right after a blank line ("\r\n\r\n", the end of
 * a head) is a pipelined request's. */
static long command_step(__u32 i, void *ctx)
{
	struct command_scan *c = ctx;
	const __u8 *b = c->b;

	if (i + 4 >= c->len || i + 4 >= LT_FETCH_MAX_LEN)
		return 1;
	if (b[i & (LT_FETCH_MAX_LEN - 1)] == '\r' && b[(i + 1) & (LT_FETCH_MAX_LEN - 1)] == '\n' &&
	    b[(i + 2) & (LT_FETCH_MAX_LEN - 1)] == '\r' && b[(i + 3) & (LT_FETCH_MAX_LEN - 1)] == '\n')
		c->n += command_at(b, i + 4, c->len);
	return 0;
}

/* How many requests the record's first capture holds: it starts like a command line, and
 * each head in it followed by another is one more (pipelined requests read at once).
 * Asked only of a record the ring had no room for: counted apart, a protocol layer can say
 * how many requests it lost, not only how many records (a response, "HTTP/1.1 200", or a
 * body is not counted). Requests past the copy window, or after a body, are not seen. */
static __always_inline __u32 count_commands(const struct scratch *s)
{
	const struct lt_cap *cap = (const struct lt_cap *)s->data;
	struct command_scan c = { .b = s->data + sizeof(*cap) };

	if (s->rec.data_len < sizeof(*cap) + 4)
		return 0;
	c.len = cap->len;
	if (!command_at(c.b, 0, c.len))
		return 0;
	c.n = 1;
	bpf_loop(LT_FETCH_MAX_LEN, command_step, &c, 0);
	return c.n;
}

/* Sends the record: held with LT_CFG_HOLD in cfg_flags, and with LT_CFG_LOSSLESS once the
 * ring is half full (the thread waits until the host has read this far). */
__noinline int lt_emit(struct scratch *s, __u32 probe, __u32 cfg_flags)
{
	struct lt_probe_stats *st = stats_of(probe);
	struct lt_globals *g;
	__u64 len, flags, queued;
	long err;

	if (!s)
		return 0;
	len = s->rec.data_len;

	keep_bounds(len);
	if (len > LT_DATA_MAX)
		len = LT_DATA_MAX;
	len += ((__u64)s->rec.nustack + s->rec.nkstack) * 8 + s->rec.ucopy_len;
	keep_bounds(len);
	if (len > LT_DATA_MAX + LT_STACK_AREA)
		len = LT_DATA_MAX + LT_STACK_AREA;
	s->rec.size = sizeof(s->rec) + len;
	g = globals();
	queued = bpf_ringbuf_query(&lt_events, BPF_RB_AVAIL_DATA);
	/* Wake the host when this record takes the queue past the threshold, not at every
	 * record past it: a consumer that is behind is awake already (it drains the ring
	 * until it finds it empty before it sleeps again), and each wakeup is an irq_work
	 * self-IPI, an APIC write that exits to the hypervisor on a VM (bench/http.sh:
	 * a third of a traced nginx's CPU time at saturation). */
	flags = g && queued < g->wakeup_bytes && queued + sizeof(s->rec) + len >= g->wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if ((cfg_flags & LT_CFG_HOLD) || ((cfg_flags & LT_CFG_LOSSLESS) &&
	    queued >= bpf_ringbuf_query(&lt_events, BPF_RB_RING_SIZE) / 2))
		err = emit_held(s, sizeof(s->rec) + len);
	else
		err = bpf_ringbuf_output(&lt_events, &s->rec, sizeof(s->rec) + len, flags);
	if (err) {
		count(LT_CNT_RINGBUF_FULL);
		if (st) {
			st->dropped++;
			st->dropped_cmd += count_commands(s);
		}
		return 0;
	}
	if (st)
		st->emitted++;
	return 0;
}

#endif
