/* Where task->files->fdt->fd[fd]->f_inode->i_mode is in the running kernel, from its BTF,
 * read in a child process: libbpf's parse of /sys/kernel/btf/vmlinux holds ~20 MB at
 * once, the peak RSS issue 17 keeps under 20 MB for httpsnoop (CO-RE relocations in the
 * template would have done the same parse in the tool itself). The child writes the six
 * offsets to a pipe and exits. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/btf.h>
#include "fd_offsets.h"

/* The byte offset of member `name` of struct `type`, or -1. */
static long member_offset(const struct btf *btf, const char *type, const char *name)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_member *m = t ? btf_members(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return btf_member_bit_offset(t, i) / 8;
	return -1;
}

static int find(struct lt_fd_offsets *o)
{
	static const char *const path[][2] = {
		{ "task_struct", "files" }, { "files_struct", "fdt" }, { "fdtable", "max_fds" },
		{ "fdtable", "fd" }, { "file", "f_inode" }, { "inode", "i_mode" },
	};
	__u32 *field[] = { &o->files, &o->fdt, &o->max_fds, &o->fd, &o->f_inode, &o->i_mode };
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
		long off = member_offset(btf, path[i][0], path[i][1]);

		if (off < 0) {
			btf__free(btf);
			return -ENOENT;
		}
		*field[i] = off;
	}
	btf__free(btf);
	o->ok = 1;
	return 0;
}

int fd_offsets(struct lt_fd_offsets *out)
{
	static struct lt_fd_offsets found;
	static int rc = 1;	/* 1: not asked yet */
	int fds[2], status;
	pid_t child;

	if (rc <= 0)
		goto done;
	if (pipe(fds))
		return -errno;
	if ((child = fork()) < 0) {
		rc = -errno;
		close(fds[0]);
		close(fds[1]);
		goto done;
	}
	if (!child) {
		struct lt_fd_offsets o = { 0 };

		close(fds[0]);
		_exit(find(&o) || write(fds[1], &o, sizeof(o)) != sizeof(o));
	}
	close(fds[1]);
	rc = read(fds[0], &found, sizeof(found)) == sizeof(found) && found.ok ? 0 : -ENOENT;
	close(fds[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
done:
	*out = found;
	return rc;
}
