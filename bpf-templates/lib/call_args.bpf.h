/* SPDX-License-Identifier: GPL-2.0 */
/* A function's arguments 1-6 from the registers at its first instruction (x86-64 SysV:
 * rdi, rsi, rdx, rcx, r8, r9), for the templates whose context is those registers: a
 * uprobe's (user functions) and a kprobe's (kernel functions).
 */
#ifndef LT_CALL_ARGS_BPF_H
#define LT_CALL_ARGS_BPF_H

#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_tracing.h>

static __always_inline void lt_call_args(struct pt_regs *ctx, __u64 *a)
{
	a[0] = PT_REGS_PARM1(ctx);
	a[1] = PT_REGS_PARM2(ctx);
	a[2] = PT_REGS_PARM3(ctx);
	a[3] = PT_REGS_PARM4(ctx);
	a[4] = PT_REGS_PARM5(ctx);
	a[5] = ctx->r9;		/* libbpf 1.1 has no PT_REGS_PARM6 */
}

#endif
