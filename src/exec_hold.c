/* Holding followed processes at exec: the knob in follow.bpf.c's globals, SIGCONT to
 * resume, and a release of every traced pid at the end. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "exec_hold.h"
#include "follow.skel.h"
#include "session.h"

int exec_hold_set(struct session *s, bool on)
{
	if (!s->follow)
		return -EINVAL;
	s->follow->bss->hold_execs = on;
	return 0;
}

int exec_hold_resume(int pid)
{
	return pid > 0 && kill(pid, SIGCONT) ? -errno : 0;
}

void exec_hold_release_all(struct session *s)
{
	uint32_t key, next, *prev = NULL;
	int fd;

	if (!s->follow || !s->follow->bss->hold_execs)
		return;
	s->follow->bss->hold_execs = 0;
	fd = bpf_map__fd(s->follow->maps.lt_pids);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		exec_hold_resume(next);
		key = next;
		prev = &key;
	}
}
