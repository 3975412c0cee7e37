/* SPDX-License-Identifier: GPL-2.0 */
/* Holding traced processes: at exec (-f: the guardian, as their ptracer, or else
 * follow.bpf.c's SIGSTOP stops a traced process when it execs, while the host probes the
 * new program) and at the records of `hold` probes (the template stops the thread, the
 * session resumes it once the record is handled). It knows the session only through
 * struct holds, which the session keeps and fills (session.h: session_hold_*). */
#ifndef LT_EXEC_HOLD_H
#define LT_EXEC_HOLD_H

#include <stdbool.h>
#include <stdint.h>

struct guardian;

struct holds {
	int held_fd;		/* lt_held (held.bpf.h); -1 before the session's maps exist */
	int pids_fd;		/* lt_pids, for the guardian */
	volatile uint32_t *exec_switch;	/* follow.bpf.c's hold_execs; NULL without -f */
	struct guardian *guardian;	/* resumes held threads if we die (guardian.h) */
	bool ptraced;		/* the guardian ptraces the target: holds are ptrace stops */
	bool seize_tried;
};

#define HOLDS_INIT ((struct holds){ .held_fd = -1, .pids_fd = -1 })

/* Before a hold can happen, once the maps exist: starts the guardian, which ptraces the
 * target (pid > 0; with follow, what it forks too) if it can (it says on stderr why not).
 * 0 or -errno. */
int exec_hold_prepare(struct holds *h, int target, bool follow);

/* Turns holding at exec on (after exec_hold_prepare) or off. -EINVAL without -f (nothing
 * is followed). */
int exec_hold_set(struct holds *h, bool on);

/* Resumes a held process (SIGCONT) whose thread tid a hold stopped (tid 0: unknown).
 * 0 or -errno. */
int exec_hold_resume(struct holds *h, int pid, int tid);

/* core.resume(pid): a process held at exec goes on (the guardian continues it, or
 * SIGCONT). */
int exec_hold_resume_exec(struct holds *h, int pid);

/* Holds off for good (the session ends): records are sent, threads no longer stopped. */
void exec_hold_off(struct holds *h);

/* At session end: resumes every traced process, so none stays stopped if a resume was
 * missed (SIGCONT to a running process does nothing), then the guardian exits. */
void exec_hold_release_all(struct holds *h);

#endif
