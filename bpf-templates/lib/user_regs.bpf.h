/* SPDX-License-Identifier: GPL-2.0 */
/* The user registers of the current task for programs whose context has none (tracepoints,
 * raw tracepoints, the syscall pair, kprobes, a perf sample taken in the kernel): the
 * registers the task entered the kernel with, from bpf_task_pt_regs(). DWARF unwinding
 * (lt_stack_append's register and stack copy) starts from them.
 */
#ifndef LT_USER_REGS_BPF_H
#define LT_USER_REGS_BPF_H

#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include "lt_abi.h"

struct task_struct;

/* A copy (one pointer type wherever it is used), or NULL when the task has no user mode to
 * return to: a kernel thread's saved registers are not user ones (cs names ring 0). */
static __always_inline struct pt_regs *lt_task_user_regs(struct pt_regs *copy)
{
	if (bpf_probe_read_kernel(copy, sizeof(*copy),
				  (void *)bpf_task_pt_regs(bpf_get_current_task_btf())))
		return NULL;
	return (copy->cs & 3) ? copy : NULL;
}

/* The user registers when the probe unwinds with DWARF, else NULL (nothing copied). */
static __always_inline struct pt_regs *lt_dwarf_regs(const struct lt_probe_cfg *cfg,
						     struct pt_regs *copy)
{
	return (cfg->stack & LT_STK_DWARF) ? lt_task_user_regs(copy) : NULL;
}

#endif
