/* SPDX-License-Identifier: GPL-2.0 */
/* Captures (struct lt_fetch): memory the probe asked for, read from user or kernel space
 * and appended to the scratch record as struct lt_cap entries. Also the user-memory reads
 * that fault a page in where the build is sleepable, which the stack copy uses too.
 */
#ifndef LT_CAPTURE_BPF_H
#define LT_CAPTURE_BPF_H

#include "maps.bpf.h"

/* Reading user memory that may not be paged in. bpf_probe_read_user fails on a page the
 * process never touched (a string literal's first use); sleepable builds of this template
 * fault the page in with bpf_copy_from_user and read again. */
static __always_inline long read_user(void *dst, __u32 len, const void *src)
{
	long n = bpf_probe_read_user(dst, len, src);

#if LT_SLEEPABLE
	if (n < 0)
		n = bpf_copy_from_user(dst, len, src);
#endif
	return n;
}

static __always_inline long read_user_str(void *dst, __u32 len, const void *src)
{
	long n = bpf_probe_read_user_str(dst, len, src);

#if LT_SLEEPABLE
	/* At most two pages: the string's first, then the one it runs into. */
	for (int i = 0; i < 2 && n < 0; i++) {
		char c;
		const char *page = i ? (const char *)(((unsigned long)src | 4095) + 1) : src;

		if (bpf_copy_from_user(&c, 1, page))
			break;
		n = bpf_probe_read_user_str(dst, len, src);
	}
#endif
	return n;
}

/* A capture reads the traced process's memory unless it says kernel (kernel templates). */
static __always_inline long read_mem(const struct lt_fetch *f, void *dst, __u32 len,
				     const void *src)
{
	if (f->space == LT_SPACE_KERNEL)
		return bpf_probe_read_kernel(dst, len, src);
	return read_user(dst, len, src);
}

static __always_inline long read_mem_str(const struct lt_fetch *f, void *dst, __u32 len,
					 const void *src)
{
	if (f->space == LT_SPACE_KERNEL)
		return bpf_probe_read_kernel_str(dst, len, src);
	return read_user_str(dst, len, src);
}

/* A string that exactly fills the buffer ends in its own NUL: then it is not truncated. */
static __always_inline int nul_at(const struct lt_fetch *f, __u64 addr)
{
	char c = 1;

	read_mem(f, &c, 1, (void *)addr);
	return c == 0;
}

/* The buffers of the iovec array at addr, in order, into the capture at dst until len bytes
 * are copied: the data of a readv/writev/recvmsg/sendmsg, whose return bounds len, so the
 * walk never passes the iovecs the call used. One bpf_loop step per iovec: the verifier
 * checks the step once whatever LT_IOV_MAX is. A bounded loop is walked by the verifier
 * once per iteration in every program that captures: at 32 iovecs the templates took over
 * two minutes to load here (8: about a second), so gRPC's sendmsg of ~25 iovecs (a frame
 * header in each) was cut after 8 of them. */
_Static_assert((LT_FETCH_MAX_LEN & (LT_FETCH_MAX_LEN - 1)) == 0, "read_iov masks offsets");

#ifdef LT_IOV_BOUNDED
/* A template whose stack has no room for the walk's callback frame (kprobe.bpf.c: kcall's
 * return program had 528 bytes over four frames, the verifier's limit is 512) walks the
 * first LT_IOV_BOUNDED iovecs in a plain loop instead: kernel functions' probes do not
 * follow sockets' iovec arrays. Returns the bytes copied, or -1 when the first read
 * faulted. */
static __always_inline long read_iov(const struct lt_fetch *f, struct scratch *s, __u64 off,
				     __u64 addr, __u64 len)
{
	struct { __u64 base, len; } iov;
	__u8 *dst = s->data + off;
	__u64 done = 0, n;

	for (int i = 0; i < LT_IOV_BOUNDED && done < len; i++) {
		__u64 at;

		if (read_mem(f, &iov, sizeof(iov), (void *)(addr + i * sizeof(iov))) < 0)
			return i ? (long)done : -1;
		n = len - done;
		if (iov.len < n)
			n = iov.len;
		keep_bounds(n);
		if (n > LT_FETCH_MAX_LEN)
			n = LT_FETCH_MAX_LEN;
		if (done >= LT_FETCH_MAX_LEN)
			break;
		/* The offset through a mask (a no-op: done < LT_FETCH_MAX_LEN, a power of
		 * two): 6.1's verifier lost done's bounds over the loop (umin 1024, umax 7)
		 * and refused dst + done as a pointer ("R1 type=scalar"). */
		at = done & (LT_FETCH_MAX_LEN - 1);
		if (n && read_mem(f, dst + at, n, (void *)iov.base) < 0)
			return i ? (long)done : -1;
		done += n;
	}
	return done;
}

#else
struct iov_walk {
	const struct lt_fetch *f;
	struct scratch *s;
	__u64 dst;		/* the capture's offset in s->data */
	__u64 addr, len, done;
	long err;		/* the first read faulted */
};

static long iov_step(__u32 i, void *ctx)
{
	struct iov_walk *w = ctx;
	struct { __u64 base, len; } iov;
	__u64 n, at, dst = w->dst, done = w->done;

	if (done >= w->len || done >= LT_FETCH_MAX_LEN)
		return 1;
	if (read_mem(w->f, &iov, sizeof(iov), (void *)(w->addr + (__u64)i * sizeof(iov))) < 0) {
		w->err = !i;
		return 1;
	}
	n = w->len - done;
	if (iov.len < n)
		n = iov.len;
	keep_bounds(n);
	if (n > LT_FETCH_MAX_LEN)
		n = LT_FETCH_MAX_LEN;
	/* The offsets through masks and bounds the verifier sees here (no-ops: done <
	 * LT_FETCH_MAX_LEN, a power of two, and dst past a capture header in the record):
	 * it loses their bounds through the loop's context otherwise (6.1: "R1 type=scalar"). */
	at = done & (LT_FETCH_MAX_LEN - 1);
	keep_bounds(dst);
	if (dst > LT_DATA_MAX + 2 * sizeof(__u64))
		return 1;
	if (n && read_mem(w->f, w->s->data + dst + at, n, (void *)iov.base) < 0) {
		w->err = !i;
		return 1;
	}
	w->done = done + n;
	return 0;
}

/* Returns the bytes copied, or -1 when the first read faulted. */
static __always_inline long read_iov(const struct lt_fetch *f, struct scratch *s, __u64 dst,
				     __u64 addr, __u64 len)
{
	struct iov_walk w = { .f = f, .s = s, .dst = dst, .addr = addr, .len = len };

	bpf_loop(LT_IOV_MAX, iov_step, &w, 0);
	return w.err ? -1 : (long)w.done;
}
#endif

_Static_assert((LT_DATA_MAX & (LT_DATA_MAX - 1)) == 0, "fetch_one masks pos");

/* Append one capture at pos; returns bytes used. Reads user or kernel memory (f->space). */
static __always_inline __u32 fetch_one(struct scratch *s, __u64 pos, const struct lt_fetch *f)
{
	__u64 addr = val_of(s, f->src) + (__s64)f->off, len = f->len, kept = 0;
	struct lt_cap *cap;
	__u8 *dst;
	long n;

	if (f->len_src != LT_SRC_NONE) {
		__s64 lim = val_of(s, f->len_src);

		if (lim < 0)
			lim = 0;
		if ((__u64)lim < len)
			len = lim;
	}
	if (f->kind == LT_FETCH_U64)
		len = 8;
	/* Re-bound both right before use: the verifier must see them in these registers. */
	keep_bounds(pos);
	if (pos >= LT_DATA_MAX) {
		count(LT_CNT_DATA_FULL);
		return 0;
	}
	/* And through a mask (a no-op: pos < LT_DATA_MAX, a power of two) after a barrier,
	 * so that the register used below is the bounded one: 6.1's verifier was given a
	 * copy spilled before the test (umax 2^32) in the kprobe template's kcall programs
	 * and refused s->data + pos ("R1 unbounded memory access"). */
	keep_bounds(pos);
	pos &= LT_DATA_MAX - 1;
	keep_bounds(len);
	if (len > LT_FETCH_MAX_LEN)
		len = LT_FETCH_MAX_LEN;
	cap = (struct lt_cap *)(s->data + pos);
	cap->flags = 0;
	cap->pad = 0;
	if (f->deref) {
		__u64 p = 0;

		if (read_mem(f, &p, sizeof(p), (void *)addr) < 0) {
			cap->len = 0;
			cap->flags = LT_CAP_FAULT;
			count(LT_CNT_READ_FAULT);
			return sizeof(*cap);
		}
		addr = p + (__s64)f->off2;
		/* LT_DEREF_KEEP: the pointer first, then what it points to. Written always and
		 * kept by arithmetic, not a branch: two offsets for what follows would double
		 * what the verifier walks in every program that captures. */
		__builtin_memcpy(s->data + pos + sizeof(*cap), &p, sizeof(p));
		kept = (f->deref & LT_DEREF_KEEP) << 2;
		keep_bounds(kept);
		kept &= sizeof(p);
	}
	dst = s->data + pos + sizeof(*cap) + kept;
	if (f->kind == LT_FETCH_STR) {
		n = read_mem_str(f, dst, len, (void *)addr);
		if (n > 0 && (__u64)n == len && !nul_at(f, addr + len - 1)) {
			cap->flags |= LT_CAP_TRUNC;
			count(LT_CNT_STR_TRUNC);
		}
		if (n > 0)
			n -= 1;	/* drop the NUL */
	} else if (f->kind == LT_FETCH_IOV) {
		n = read_iov(f, s, pos + sizeof(*cap) + kept, addr, len);
	} else {
		n = read_mem(f, dst, len, (void *)addr);
		if (n == 0)
			n = len;
	}
	if (n < 0) {
		cap->flags |= LT_CAP_FAULT;
		count(LT_CNT_READ_FAULT);
		n = 0;
	}
	cap->len = n + kept;
	return sizeof(*cap) + kept + n;
}

struct fetch_ctx {
	const struct lt_probe_cfg *cfg;
	struct scratch *s;
	__u64 pos;
	int at_return;
};

/* One bpf_loop step: the verifier checks the body once, not once per capture. */
static long fetch_step(__u32 i, void *ctx)
{
	struct fetch_ctx *x = ctx;
	const struct lt_fetch *f;
	__u64 idx = i;

	if (i >= x->cfg->nfetch || i >= LT_MAX_FETCH)
		return 1;
	keep_bounds(idx);
	f = &x->cfg->fetch[idx & (LT_MAX_FETCH - 1)];
	if (!!f->at_return != !!x->at_return && (x->cfg->flags & LT_CFG_CALL))
		return 0;
	x->pos += fetch_one(x->s, x->pos, f);
	if (x->pos > LT_DATA_MAX)
		x->pos = LT_DATA_MAX;
	return 0;
}

/* Captures whose phase matches, appended to s->data from pos; returns the new length. */
__noinline __u32 lt_fetch_all(const struct lt_probe_cfg *cfg, struct scratch *s, __u32 pos,
			      int at_return)
{
	struct fetch_ctx x = { cfg, s, pos, at_return };

	if (!cfg || !s || !cfg->nfetch)
		return pos;
	bpf_loop(LT_MAX_FETCH, fetch_step, &x, 0);
	return x.pos;
}

#endif
