/* SPDX-License-Identifier: GPL-2.0 */
/* Is a file descriptor of the current process a socket? The file's inode mode, read
 * through task->files->fdt->fd[fd]->f_inode: a syscall probe with option `socket` keeps
 * only the calls on sockets, so a tool that follows connections gets no record of the
 * process's file reads and closes (issue 17: nginx's close of the file it served was a
 * record, and a Lua callback, per request). The offsets are the running kernel's, found
 * by the host in its BTF (struct lt_fd_offsets): CO-RE relocations would have libbpf load
 * the kernel's BTF into the tool at load, +21 MB of peak RSS against a 20 MB goal.
 */
#ifndef LT_FD_SOCKET_BPF_H
#define LT_FD_SOCKET_BPF_H

#include <linux/bpf.h>
#include <linux/stat.h>
#include <bpf/bpf_helpers.h>
#include "../syscall.h"

static __always_inline void *lt_kptr_at(void *base, __u32 off)
{
	void *v = NULL;

	if (base)
		bpf_probe_read_kernel(&v, sizeof(v), base + off);
	return v;
}

/* 1: a socket, or not known (offsets not found: the record goes to user space, as
 * without the option); 0: not a socket, or no such fd. */
static __always_inline int lt_fd_is_socket(const struct lt_fd_offsets *o, __u64 fd)
{
	void *fdt, *file, *inode;
	__u32 max = 0;
	__u16 mode = 0;

	if (!o->ok)
		return 1;
	fdt = lt_kptr_at(lt_kptr_at((void *)bpf_get_current_task(), o->files), o->fdt);
	if (!fdt || bpf_probe_read_kernel(&max, sizeof(max), fdt + o->max_fds) ||
	    (__u32)fd >= max)
		return 0;
	file = lt_kptr_at(lt_kptr_at(fdt, o->fd), (__u32)fd * sizeof(void *));
	inode = lt_kptr_at(file, o->f_inode);
	if (!inode || bpf_probe_read_kernel(&mode, sizeof(mode), inode + o->i_mode))
		return 0;
	return S_ISSOCK(mode);
}

#endif
