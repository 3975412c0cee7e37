/* Holding traced processes: at exec (-f) and at the records of `hold`/`lossless` probes
 * (LT_RF_HELD). The guardian ptraces the target (and with -f what it forks) when it can:
 * then a hold is a ptrace stop that neither the program nor its parent sees (no group
 * stop, no CLD_STOPPED/CLD_CONTINUED, no SIGCONT: guardian_ptrace.h). Otherwise a hold is
 * a SIGSTOP and a SIGCONT. A thread stopped by a hold is registered in lt_held
 * (held.bpf.h) for the guardian, which resumes it if we die first. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "exec_hold.h"
#include "follow.skel.h"
#include "guardian.h"
#include "session.h"
#include "uprobe.skel.h"

int exec_hold_prepare(struct session *s)
{
	int rc;

	if ((rc = guardian_start(s)))
		return rc;
	if (s->seize_tried || !s->opts.have_target)
		return 0;
	s->seize_tried = true;
	/* A program that ptraces itself or its children (LeakSanitizer at exit, a debugger,
	 * a crash reporter) fails while we trace it: this keeps SIGSTOP holds instead. */
	if (getenv("LTRACE_EBPF_NO_PTRACE"))
		return 0;
	rc = guardian_seize(s, s->opts.pid, s->opts.follow);
	s->ptraced = !rc;
	if (rc)
		fprintf(stderr, "ltrace-ebpf: cannot ptrace %d (%s%s): holds stop it with SIGSTOP, "
			"which it and its parent can see\n", s->opts.pid, strerror(-rc),
			rc == -EPERM ? ": a debugger traces it" : "");
	return 0;
}

int exec_hold_set(struct session *s, bool on)
{
	int rc;

	if (!s->follow)
		return -EINVAL;
	if (on && (rc = exec_hold_prepare(s)))
		return rc;
	if (s->ptraced)
		guardian_exec_holds(s, on);
	s->follow->bss->hold_execs = on && !s->ptraced;
	return 0;
}

/* The thread is stopped, so no hold of its own can register it again meanwhile: it leaves
 * lt_held first. Should we die between that and the resume, the guardian still knows the
 * pid (guardian_resuming). */
int exec_hold_resume(struct session *s, int pid, int tid)
{
	uint32_t key = tid;
	int rc = 0;

	if (pid <= 0)
		return 0;
	guardian_resuming(s, pid);
	if (s->skel && key)
		bpf_map_delete_elem(bpf_map__fd(s->skel->maps.lt_held), &key);
	if (s->ptraced)
		guardian_cont(s, pid, tid);
	else
		rc = kill(pid, SIGCONT) ? -errno : 0;
	guardian_resuming(s, 0);
	return rc;
}

int exec_hold_resume_exec(struct session *s, int pid)
{
	if (!s->ptraced)
		return exec_hold_resume(s, pid, pid);
	guardian_resume_exec(s, pid);
	return 0;
}

/* lt_held lists exactly the threads a hold of ours stopped: only those are resumed. */
void exec_hold_release_all(struct session *s)
{
	uint32_t key, next, tgid, *prev = NULL;
	int fd;

	if (s->follow)
		exec_hold_set(s, false);
	if (!s->skel)
		return;
	exec_hold_off(s);
	fd = bpf_map__fd(s->skel->maps.lt_held);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (next && !bpf_map_lookup_elem(fd, &next, &tgid) && tgid) {
			if (s->ptraced)
				guardian_cont(s, tgid, next);
			else
				kill(tgid, SIGCONT);
		}
		key = next;
		prev = &key;
	}
}

void exec_hold_off(struct session *s)
{
	uint32_t off = 0, on = 1;

	if (s->skel)
		bpf_map_update_elem(bpf_map__fd(s->skel->maps.lt_held), &off, &on, BPF_ANY);
}
