/* uprobe_multi through the raw bpf syscall. The attr layout mirrors the kernel's
 * link_create.uprobe_multi (include/uapi/linux/bpf.h since 6.6); the system headers here
 * are older, so the struct is spelled out and checked against the union's size. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "uprobe_multi.h"

struct link_create_uprobe_multi {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	uint64_t path;
	uint64_t offsets;
	uint64_t ref_ctr_offsets;
	uint64_t cookies;
	uint32_t cnt;
	uint32_t multi_flags;	/* BPF_F_UPROBE_MULTI_RETURN */
	uint32_t pid;
};

_Static_assert(sizeof(struct link_create_uprobe_multi) <= sizeof(union bpf_attr),
	       "uprobe_multi attr must fit in bpf_attr");

#define LT_BPF_F_UPROBE_MULTI_RETURN 1U

int uprobe_multi_attach(int prog_fd, const char *path, const uint64_t *offsets,
			const uint64_t *cookies, size_t cnt, bool is_return, int pid)
{
	return uprobe_multi_attach_ref(prog_fd, path, offsets, NULL, cookies, cnt, is_return,
				       pid);
}

int uprobe_multi_attach_ref(int prog_fd, const char *path, const uint64_t *offsets,
			    const uint64_t *ref_ctr_offsets, const uint64_t *cookies,
			    size_t cnt, bool is_return, int pid)
{
	union bpf_attr attr;
	struct link_create_uprobe_multi *lc = (void *)&attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	lc->prog_fd = prog_fd;
	lc->attach_type = LT_BPF_TRACE_UPROBE_MULTI;
	lc->path = (uint64_t)(uintptr_t)path;
	lc->offsets = (uint64_t)(uintptr_t)offsets;
	lc->ref_ctr_offsets = (uint64_t)(uintptr_t)ref_ctr_offsets;
	lc->cookies = (uint64_t)(uintptr_t)cookies;
	lc->cnt = cnt;
	lc->multi_flags = is_return ? LT_BPF_F_UPROBE_MULTI_RETURN : 0;
	lc->pid = pid > 0 ? pid : 0;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : (int)fd;
}

bool uprobe_multi_supported(void)
{
	static int known = -1;
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)LT_BPF_TRACE_UPROBE_MULTI);
	int fd;

	if (known >= 0)
		return known;
	/* LTRACE_EBPF_NO_UPROBE_MULTI: the older kernels' paths, on this one */
	fd = getenv("LTRACE_EBPF_NO_UPROBE_MULTI") ? -1 :
	     bpf_prog_load(BPF_PROG_TYPE_KPROBE, "lt_probe_multi", "GPL", insns, 2, &opts);
	/* Loading is not enough: 6.1 loads a kprobe program with any expected attach type
	 * and only the link is refused (EINVAL). A uprobe_multi link on "/" (a directory)
	 * fails with EBADF where the kernel has the link type, with EINVAL where it has not
	 * (libbpf's own probe asks the same way). */
	if (fd >= 0) {
		uint64_t offset = 0;

		known = uprobe_multi_attach(fd, "/", &offset, NULL, 1, false, -1) == -EBADF;
		close(fd);
	} else {
		known = 0;
	}
	return known;
}
