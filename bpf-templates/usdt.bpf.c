// SPDX-License-Identifier: GPL-2.0
/* USDT probes. This one program runs at every location of a note, on one uprobe_multi link
 * per probe (src/probes/usdt/usdt_multi.c) or libbpf's link per location; usdt.bpf.h decodes the
 * arguments from the spec the user side stored under the location's cookie, and the probe
 * id and site come back through bpf_usdt_cookie(). The arguments fill vals[0..5], then the
 * common filter, aggregate, capture and emit steps run as for a uprobe's entry. Semaphores
 * are the kernel's job: the link carries each semaphore's offset and the kernel counts it
 * up while attached.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "lib/maps.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/agg.bpf.h"
#include "lib/capture.bpf.h"
#include "lib/stacks.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/event.bpf.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline void read_args(struct pt_regs *ctx, __u64 *vals)
{
	int n = bpf_usdt_arg_cnt(ctx);

	for (int i = 0; i < LT_MAX_ARGS; i++) {
		long v = 0;

		if (i < n)
			bpf_usdt_arg(ctx, i, &v);
		vals[i] = v;
	}
}

SEC("usdt")
int lt_usdt(struct pt_regs *ctx)
{
	__u64 cookie = bpf_usdt_cookie(ctx), pid_tgid = bpf_get_current_pid_tgid();
	struct lt_probe_cfg *cfg;
	struct scratch *s = lt_event_admit(cookie >> 32, pid_tgid, &cfg);

	if (!s)
		return 0;
	read_args(ctx, s->vals);
	lt_event_user_finish(ctx, cfg, s, cookie, pid_tgid, LT_REC_ENTRY);
	return 0;
}
