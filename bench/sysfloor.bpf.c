// SPDX-License-Identifier: GPL-2.0
/* The syscall benchmark floors: empty programs (return 0) on the three kinds of hook a
 * per-syscall tracer can use, so what a traced read() costs with them attached is the
 * kernel's dispatch to BPF and nothing else. sysfloor.c loads one pair. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* (a) the per-syscall tracepoints: fire for read() only. */
SEC("tracepoint/syscalls/sys_enter_read")
int tp_enter_read(void *ctx) { return 0; }
SEC("tracepoint/syscalls/sys_exit_read")
int tp_exit_read(void *ctx) { return 0; }

/* (b) the generic tracepoints: fire for every syscall, with the perf-format record. */
SEC("tracepoint/raw_syscalls/sys_enter")
int tp_sys_enter(void *ctx) { return 0; }
SEC("tracepoint/raw_syscalls/sys_exit")
int tp_sys_exit(void *ctx) { return 0; }

/* (c) raw tracepoints on the same hooks: the raw arguments, no record built. */
SEC("raw_tracepoint/sys_enter")
int raw_sys_enter(void *ctx) { return 0; }
SEC("raw_tracepoint/sys_exit")
int raw_sys_exit(void *ctx) { return 0; }

/* (c') BTF-typed raw tracepoints (tp_btf): the same hook through a tracing link. */
SEC("tp_btf/sys_enter")
int btf_sys_enter(void *ctx) { return 0; }
SEC("tp_btf/sys_exit")
int btf_sys_exit(void *ctx) { return 0; }
