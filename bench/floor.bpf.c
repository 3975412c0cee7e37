// SPDX-License-Identifier: GPL-2.0
/* The benchmark floor: the cheapest BPF uprobe there is. Every program returns 0 at
 * once, so what a hit costs with these attached is the kernel's uprobe machinery
 * (breakpoint trap, single-step or emulation, return trampoline, BPF dispatch) and
 * nothing else. The *_multi twins are loaded with the uprobe_multi attach type, the link
 * kind ltrace-ebpf itself uses on this kernel; the plain ones use classic perf links. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("uprobe")
int floor_entry(struct pt_regs *ctx) { return 0; }
SEC("uretprobe")
int floor_return(struct pt_regs *ctx) { return 0; }

SEC("uprobe")
int floor_entry_multi(struct pt_regs *ctx) { return 0; }
SEC("uprobe")
int floor_return_multi(struct pt_regs *ctx) { return 0; }
