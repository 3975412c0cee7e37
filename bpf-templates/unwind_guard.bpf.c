// SPDX-License-Identifier: GPL-2.0
/* Exceptions through return probes. A return probe (uretprobe, paired call) replaces the
 * return address on the user stack with the kernel's trampoline; an exception unwinding
 * through that frame finds no unwind information for the trampoline and the C++ runtime
 * calls std::terminate(). This program runs at the unwinder's entry points
 * (_Unwind_RaiseException, _Unwind_Resume, _Unwind_ForcedUnwind, ...) and writes every
 * pending return address of the thread back into its stack slot, from the kernel's list
 * of return instances. The unwinder then sees real frames; the returns of the frames it
 * unwinds never come (counted as returns_unwound), and the kernel drops their stale
 * instances as it does after longjmp. A separate object: its CO-RE reads make libbpf parse
 * the kernel's BTF, which only sessions that need the guard pay for. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lib/counters.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_PENDING 64	/* return instances restored per unwind (the kernel allows 64) */

/* kernel/events/uprobes.c, 6.13+ (hprobe): only the fields read here. */
struct return_instance {
	unsigned long stack;
	unsigned long orig_ret_vaddr;
	struct return_instance *next;
} __attribute__((preserve_access_index));

struct uprobe_task {
	struct return_instance *return_instances;
} __attribute__((preserve_access_index));

struct task_struct {
	struct uprobe_task *utask;
} __attribute__((preserve_access_index));

SEC("uprobe")
int lt_unwind_guard(struct pt_regs *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct return_instance *ri = BPF_CORE_READ(task, utask, return_instances);
	__u64 restored = 0;

	for (int i = 0; i < MAX_PENDING && ri; i++) {
		unsigned long slot = BPF_CORE_READ(ri, stack), ret = BPF_CORE_READ(ri, orig_ret_vaddr);

		if (!bpf_probe_write_user((void *)slot, &ret, sizeof(ret)))
			restored++;
		ri = BPF_CORE_READ(ri, next);
	}
	if (restored)
		count_n(LT_CNT_RETURNS_UNWOUND, restored);
	return 0;
}
