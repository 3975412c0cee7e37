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

/* (d) Not a floor but a bound: the least a per-thread latency histogram of read() costs
 * with these hooks, hand-written: the thread's start time in task storage, two clock
 * reads, a log2 bucket in a per-CPU array. No filter but the syscall number, no cookie. */
struct start {
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct start);
} hist_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hist_buckets SEC(".maps");

SEC("raw_tracepoint/sys_enter")
int hist_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct start *s;

	if (ctx->args[1] != 0)	/* __NR_read */
		return 0;
	s = bpf_task_storage_get(&hist_start, bpf_get_current_task_btf(), NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s)
		s->ts = bpf_ktime_get_ns();
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int hist_exit(void *ctx)
{
	struct start *s = bpf_task_storage_get(&hist_start, bpf_get_current_task_btf(), NULL, 0);
	__u64 d, *n;
	__u32 b = 0;

	if (!s || !s->ts)
		return 0;
	d = bpf_ktime_get_ns() - s->ts;
	s->ts = 0;
	for (int i = 32; i; i >>= 1) {
		if (d >> i) {
			d >>= i;
			b += i;
		}
	}
	n = bpf_map_lookup_elem(&hist_buckets, &b);
	if (n)
		*n += 1;
	return 0;
}
