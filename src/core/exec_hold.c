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
#include "exec_hold.h"
#include "guardian.h"

int exec_hold_prepare(struct holds *h, int target, bool follow)
{
	int rc;

	if (!h->guardian && (rc = guardian_start(h->held_fd, h->pids_fd, &h->guardian)))
		return rc;
	if (h->seize_tried || target <= 0)
		return 0;
	h->seize_tried = true;
	/* A program that ptraces itself or its children (LeakSanitizer at exit, a debugger,
	 * a crash reporter) fails while we trace it: this keeps SIGSTOP holds instead. */
	if (getenv("LTRACE_EBPF_NO_PTRACE"))
		return 0;
	rc = guardian_seize(h->guardian, target, follow);
	h->ptraced = !rc;
	if (rc)
		fprintf(stderr, "ltrace-ebpf: cannot ptrace %d (%s%s): holds stop it with SIGSTOP, "
			"which it and its parent can see\n", target, strerror(-rc),
			rc == -EPERM ? ": a debugger traces it" : "");
	return 0;
}

int exec_hold_set(struct holds *h, bool on)
{
	if (!h->exec_switch)
		return -EINVAL;
	if (h->ptraced)
		guardian_exec_holds(h->guardian, on);
	*h->exec_switch = on && !h->ptraced;
	return 0;
}

/* The thread is stopped, so no hold of its own can register it again meanwhile: it leaves
 * lt_held first. Should we die between that and the resume, the guardian still knows the
 * pid (guardian_resuming). */
int exec_hold_resume(struct holds *h, int pid, int tid)
{
	uint32_t key = tid;
	int rc = 0;

	if (pid <= 0)
		return 0;
	guardian_resuming(h->guardian, pid);
	if (h->held_fd >= 0 && key)
		bpf_map_delete_elem(h->held_fd, &key);
	if (h->ptraced)
		guardian_cont(h->guardian, pid, tid);
	else
		rc = kill(pid, SIGCONT) ? -errno : 0;
	guardian_resuming(h->guardian, 0);
	return rc;
}

int exec_hold_resume_exec(struct holds *h, int pid)
{
	if (!h->ptraced)
		return exec_hold_resume(h, pid, pid);
	guardian_resume_exec(h->guardian, pid);
	return 0;
}

/* lt_held lists exactly the threads a hold of ours stopped: only those are resumed. */
void exec_hold_release_all(struct holds *h)
{
	uint32_t key, next, tgid, *prev = NULL;

	if (h->exec_switch)
		exec_hold_set(h, false);
	if (h->held_fd >= 0) {
		exec_hold_off(h);
		while (!bpf_map_get_next_key(h->held_fd, prev, &next)) {
			if (next && !bpf_map_lookup_elem(h->held_fd, &next, &tgid) && tgid) {
				if (h->ptraced)
					guardian_cont(h->guardian, tgid, next);
				else
					kill(tgid, SIGCONT);
			}
			key = next;
			prev = &key;
		}
	}
	guardian_stop(h->guardian);
	h->guardian = NULL;
}

void exec_hold_off(struct holds *h)
{
	uint32_t off = 0, on = 1;

	if (h->held_fd >= 0)
		bpf_map_update_elem(h->held_fd, &off, &on, BPF_ANY);
}
