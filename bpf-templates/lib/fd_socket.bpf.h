/* SPDX-License-Identifier: GPL-2.0 */
/* Is a file descriptor of the current process a socket? The file's inode mode, read
 * through task->files->fdt->fd[fd]->f_inode with CO-RE (the layouts are the running
 * kernel's): a syscall probe with option `socket` keeps only the calls on sockets, so a
 * tool that follows connections gets no record of the process's file reads and closes
 * (issue 17: they were a record, and a Lua callback, per request served). Probe reads,
 * not BTF pointer walks: raw tracepoint programs may not follow those on 6.1.
 */
#ifndef LT_FD_SOCKET_BPF_H
#define LT_FD_SOCKET_BPF_H

#include <linux/bpf.h>
#include <linux/stat.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* The kernel's types, only the fields used (the ___lt suffix: CO-RE matches them to
 * inode, file, fdtable, files_struct and task_struct by their names before it). */
struct inode___lt {
	unsigned short i_mode;
} __attribute__((preserve_access_index));

struct file___lt {
	struct inode___lt *f_inode;
} __attribute__((preserve_access_index));

struct fdtable___lt {
	unsigned int max_fds;
	struct file___lt **fd;
} __attribute__((preserve_access_index));

struct files_struct___lt {
	struct fdtable___lt *fdt;
} __attribute__((preserve_access_index));

struct task_struct___lt {
	struct files_struct___lt *files;
} __attribute__((preserve_access_index));

static __always_inline int lt_fd_is_socket(__u64 fd)
{
	struct task_struct___lt *t = (void *)bpf_get_current_task();
	struct fdtable___lt *fdt = BPF_CORE_READ(t, files, fdt);
	struct file___lt **fds, *f = NULL;

	if (!fdt || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds || bpf_core_read(&f, sizeof(f), &fds[(__u32)fd]) || !f)
		return 0;
	return S_ISSOCK(BPF_CORE_READ(f, f_inode, i_mode));
}

#endif
