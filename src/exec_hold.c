/* Holding traced processes: at exec (the knob in follow.bpf.c's globals) and at the records
 * of `hold` probes (LT_RF_HELD); SIGCONT to resume, and a release of every traced pid at
 * the end. */
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
	bool execs = s->follow && s->follow->bss->hold_execs;
	uint32_t key, next, *prev = NULL;
	int fd;

	if (!execs && !s->holds)
		return;
	if (execs)
		s->follow->bss->hold_execs = 0;
	if (s->opts.have_target)
		exec_hold_resume(s->opts.pid);
	if (!s->follow)
		return;
	fd = bpf_map__fd(s->follow->maps.lt_pids);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		exec_hold_resume(next);
		key = next;
		prev = &key;
	}
}
