/* The minimal libbpf loader behind the benchmark floors: load floor.bpf.c (programs that
 * return 0), attach an empty uprobe (and with -r an empty uretprobe too) to LIB:FUNC in
 * the process about to run CMD, run CMD, wait for it, exit with its status.
 *
 *   floor [-r] [-c] LIB FUNC -- CMD ARGS
 *     -r  also attach the empty uretprobe (the uprobe+uretprobe pair floor)
 *     -c  classic perf-event links instead of uprobe_multi links
 *
 * The child is forked first and held on a pipe; probes are attached to its pid, then it
 * execs CMD, so the probes are in place before CMD's first instruction, as with
 * ltrace-ebpf -- CMD. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

#define BPF_TRACE_UPROBE_MULTI_ 48	/* enum bpf_attach_type, Linux 6.6; headers predate it */
#define BPF_F_UPROBE_MULTI_RETURN_ 1U

/* link_create.uprobe_multi (include/uapi/linux/bpf.h since 6.6), spelled out. */
struct link_create_uprobe_multi {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, multi_flags, pid;
};

static int multi_attach(int prog_fd, const char *path, uint64_t off, bool ret, int pid)
{
	union bpf_attr attr;
	struct link_create_uprobe_multi *lc = (void *)&attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	lc->prog_fd = prog_fd;
	lc->attach_type = BPF_TRACE_UPROBE_MULTI_;
	lc->path = (uintptr_t)path;
	lc->offsets = (uintptr_t)&off;
	lc->cnt = 1;
	lc->multi_flags = ret ? BPF_F_UPROBE_MULTI_RETURN_ : 0;
	lc->pid = pid;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : (int)fd;
}

/* File offset of FUNC's first instruction: its symbol value mapped through PT_LOAD. */
static long long func_offset(const char *path, const char *func)
{
	long long off = -1;
	uint64_t vaddr = 0;
	bool found = false;
	Elf_Scn *scn = NULL;
	size_t nph;
	Elf *e;
	int fd;

	elf_version(EV_CURRENT);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (!(e = elf_begin(fd, ELF_C_READ, NULL)))
		goto out;
	while (!found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *name;

			if (!gelf_getsym(d, i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    !s.st_value)
				continue;
			name = elf_strptr(e, sh.sh_link, s.st_name);
			if (name && !strcmp(name, func)) {
				vaddr = s.st_value;
				found = true;
				break;
			}
		}
	}
	if (found && !elf_getphdrnum(e, &nph)) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e, i, &ph) && ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
			    vaddr < ph.p_vaddr + ph.p_memsz) {
				off = vaddr - ph.p_vaddr + ph.p_offset;
				break;
			}
		}
	}
	elf_end(e);
out:
	close(fd);
	return off;
}

static int attach(struct floor_bpf *skel, bool ret, bool classic, const char *lib,
		  long long off, int pid)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	int fd;

	if (classic) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = ret);

		prog = ret ? skel->progs.floor_return : skel->progs.floor_entry;
		link = bpf_program__attach_uprobe_opts(prog, pid, lib, off, &opts);
		return link ? 0 : -errno;	/* the link lives until exit */
	}
	prog = ret ? skel->progs.floor_return_multi : skel->progs.floor_entry_multi;
	fd = multi_attach(bpf_program__fd(prog), lib, off, ret, pid);
	return fd < 0 ? fd : 0;
}

int main(int argc, char **argv)
{
	bool pair = false, classic = false;
	struct floor_bpf *skel;
	struct bpf_program *p;
	int opt, go[2], status, rc;
	long long off;
	pid_t child;
	char c = 0;

	while ((opt = getopt(argc, argv, "+rc")) != -1) {
		if (opt == 'r')
			pair = true;
		else if (opt == 'c')
			classic = true;
		else
			goto usage;
	}
	if (argc - optind < 3)
		goto usage;
	const char *lib = argv[optind], *func = argv[optind + 1];
	char **cmd = argv + optind + 2;

	if (cmd[0] && !strcmp(cmd[0], "--"))
		cmd++;
	if (!cmd[0])
		goto usage;

	if ((off = func_offset(lib, func)) < 0) {
		fprintf(stderr, "floor: %s: no function %s\n", lib, func);
		return 1;
	}
	if (!(skel = floor_bpf__open()))
		return 1;
	bpf_object__for_each_program(p, skel->obj) {
		bool multi = p == skel->progs.floor_entry_multi || p == skel->progs.floor_return_multi;
		bool is_ret = p == skel->progs.floor_return || p == skel->progs.floor_return_multi;

		bpf_program__set_autoload(p, multi != classic && (pair || !is_ret));
		if (multi)
			bpf_program__set_expected_attach_type(
				p, (enum bpf_attach_type)BPF_TRACE_UPROBE_MULTI_);
	}
	if ((rc = floor_bpf__load(skel))) {
		fprintf(stderr, "floor: load: %s\n", strerror(-rc));
		return 1;
	}
	if (pipe2(go, O_CLOEXEC) || (child = fork()) < 0)
		return 1;
	if (!child) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execvp(cmd[0], cmd);
		fprintf(stderr, "floor: %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	if ((rc = attach(skel, false, classic, lib, off, child)) ||
	    (pair && (rc = attach(skel, true, classic, lib, off, child)))) {
		fprintf(stderr, "floor: attach %s:%s: %s\n", lib, func, strerror(-rc));
		kill(child, SIGKILL);
		return 1;
	}
	if (write(go[1], &c, 1) != 1)
		return 1;
	close(go[1]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	floor_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
usage:
	fprintf(stderr, "usage: floor [-r] [-c] LIB FUNC -- CMD ARGS\n");
	return 2;
}
