/* The syscall floor loader: load sysfloor.bpf.c's empty programs of one KIND, attach the
 * pair (system-wide: tracepoints have no pid filter), run CMD, wait for it, exit with its
 * status.
 *
 *   sysfloor KIND -- CMD ARGS
 *     KIND: read (syscalls:sys_enter_read + sys_exit_read), raw_syscalls (the generic
 *     tracepoints), raw_tp (raw tracepoints sys_enter + sys_exit), tp_btf (the same, BTF);
 *     hist: not empty, a minimal hand-written read() latency histogram on the raw
 *     tracepoints (the least that design costs)
 *
 * Attached before CMD is started, so the probes are in place before its first syscall. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include "sysfloor.skel.h"

int main(int argc, char **argv)
{
	static const struct {
		const char *kind, *enter, *exit;
	} kinds[] = {
		{ "read", "tp_enter_read", "tp_exit_read" },
		{ "raw_syscalls", "tp_sys_enter", "tp_sys_exit" },
		{ "raw_tp", "raw_sys_enter", "raw_sys_exit" },
		{ "tp_btf", "btf_sys_enter", "btf_sys_exit" },
		{ "hist", "hist_enter", "hist_exit" },
	};
	struct sysfloor_bpf *skel;
	struct bpf_program *p;
	int k, status, rc;
	char **cmd = argv + 2;
	pid_t child;

	for (k = 0; argc > 1 && k < (int)(sizeof(kinds) / sizeof(kinds[0])); k++)
		if (!strcmp(argv[1], kinds[k].kind))
			break;
	if (argc < 3 || k == (int)(sizeof(kinds) / sizeof(kinds[0])))
		goto usage;
	if (!strcmp(*cmd, "--"))
		cmd++;
	if (!*cmd)
		goto usage;
	if (!(skel = sysfloor_bpf__open()))
		return 1;
	bpf_object__for_each_program(p, skel->obj) {
		const char *name = bpf_program__name(p);

		bpf_program__set_autoload(p, !strcmp(name, kinds[k].enter) ||
						     !strcmp(name, kinds[k].exit));
	}
	if ((rc = sysfloor_bpf__load(skel))) {
		fprintf(stderr, "sysfloor: load: %s\n", strerror(-rc));
		return 1;
	}
	bpf_object__for_each_program(p, skel->obj) {
		if (bpf_program__autoload(p) && !bpf_program__attach(p)) {
			fprintf(stderr, "sysfloor: attach %s: %s\n", bpf_program__name(p),
				strerror(errno));
			return 1;
		}
	}
	if ((child = fork()) < 0)
		return 1;
	if (!child) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "sysfloor: %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	sysfloor_bpf__destroy(skel);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
usage:
	fprintf(stderr, "usage: sysfloor read|raw_syscalls|raw_tp|tp_btf|hist -- CMD ARGS\n");
	return 2;
}
