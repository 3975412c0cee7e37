/* BPF_RAW_TRACEPOINT_OPEN through the raw bpf syscall. The attr layout mirrors the kernel's
 * raw_tracepoint member (include/uapi/linux/bpf.h; the cookie since 6.10); the system
 * headers here are older, so the struct is spelled out and checked against the union. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "raw_tp_link.h"

struct raw_tp_open_attr {
	uint64_t name;
	uint32_t prog_fd;
	uint32_t pad;
	uint64_t cookie;
};

_Static_assert(sizeof(struct raw_tp_open_attr) <= sizeof(union bpf_attr),
	       "raw_tracepoint attr must fit in bpf_attr");

int raw_tp_link(int prog_fd, const char *name, uint64_t cookie)
{
	union bpf_attr attr;
	struct raw_tp_open_attr *a = (void *)&attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	a->name = (uint64_t)(uintptr_t)name;
	a->prog_fd = prog_fd;
	a->cookie = cookie;
	fd = syscall(__NR_bpf, BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(*a));
	return fd < 0 ? -errno : (int)fd;
}

bool raw_tp_cookies(void)
{
	static int have = -1;
	const char *force = getenv("LTRACE_EBPF_NO_RAWTP_COOKIES");

	if (have >= 0)
		return have;
	have = !(force && *force && strcmp(force, "0")) &&
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_get_attach_cookie,
				       NULL) == 1;
	return have;
}

int raw_tp_fix_cookie(struct bpf_object *obj, uint64_t cookie)
{
	struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");

	return rodata ? bpf_map__set_initial_value(rodata, &cookie, sizeof(cookie)) : -ENOENT;
}
