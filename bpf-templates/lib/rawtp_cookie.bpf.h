/* SPDX-License-Identifier: GPL-2.0 */
/* The cookie of the link a raw tracepoint program runs for (rawtp.bpf.c).
 * Raw tracepoint programs have bpf_get_attach_cookie only since Linux 6.10; before, the
 * verifier refuses a program that calls it. Built with LT_FIXED_COOKIE=1 (the *_nocookie
 * objects), the program serves one probe instead: the host loads an instance per probe
 * with lt_fixed_cookie set in .rodata (raw_tp_cookies(), src/probes/kernel/raw_tp_link.c).
 * A build-time choice, not a .rodata flag tested at run time: the verifier drops the branch
 * not taken, but the flag's load would stay in every run of the default build.
 */
#ifndef LT_RAWTP_COOKIE_BPF_H
#define LT_RAWTP_COOKIE_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#if LT_FIXED_COOKIE
const volatile __u64 lt_fixed_cookie = 0;

static __always_inline __u64 lt_raw_tp_cookie(void *ctx)
{
	return lt_fixed_cookie;
}
#else
static __always_inline __u64 lt_raw_tp_cookie(void *ctx)
{
	return bpf_get_attach_cookie(ctx);
}
#endif

#endif
