/* Holding traced processes: at exec (the knob in follow.bpf.c's globals) and at the records
 * of `hold` probes (LT_RF_HELD); SIGCONT to resume, and a release of every traced pid at
 * the end. A thread stopped by a hold is registered in lt_held (held.bpf.h) for the
 * guardian, which resumes it if we die first. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "exec_hold.h"
#include "follow.skel.h"
#include "guardian.h"
#include "session.h"
#include "uprobe.skel.h"

int exec_hold_set(struct session *s, bool on)
{
	int rc;

	if (!s->follow)
		return -EINVAL;
	if (on && (rc = guardian_start(s)))
		return rc;
	s->follow->bss->hold_execs = on;
	return 0;
}

/* The thread is stopped, so no hold of its own can register it again meanwhile: it leaves
 * lt_held first. Should we die between that and the SIGCONT, the guardian still knows the
 * pid (guardian_resuming). */
int exec_hold_resume(struct session *s, int pid, int tid)
{
	uint32_t key = tid;
	int rc;

	if (pid <= 0)
		return 0;
	guardian_resuming(s, pid);
	if (s->skel && key)
		bpf_map_delete_elem(bpf_map__fd(s->skel->maps.lt_held), &key);
	rc = kill(pid, SIGCONT) ? -errno : 0;
	guardian_resuming(s, 0);
	return rc;
}

void exec_hold_release_all(struct session *s)
{
	bool execs = s->follow && s->follow->bss->hold_execs;
	uint32_t key, next, *prev = NULL;
	int fd;

	if (s->skel && s->guardian)
		held_release_all(bpf_map__fd(s->skel->maps.lt_held));
	if (!execs && !s->holds)
		return;
	if (execs)
		s->follow->bss->hold_execs = 0;
	if (s->opts.have_target)
		kill(s->opts.pid, SIGCONT);
	if (!s->follow)
		return;
	fd = bpf_map__fd(s->follow->maps.lt_pids);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		kill(next, SIGCONT);
		key = next;
		prev = &key;
	}
}

void exec_hold_off(struct session *s)
{
	uint32_t off = 0, on = 1;

	if (s->skel && s->guardian)
		bpf_map_update_elem(bpf_map__fd(s->skel->maps.lt_held), &off, &on, BPF_ANY);
}
