/* SPDX-License-Identifier: GPL-2.0 */
/* Holding traced processes: at exec (-f: the guardian, as their ptracer, or else
 * follow.bpf.c's SIGSTOP stops a traced process when it execs, while the host probes the
 * new program) and at the records of `hold` probes (the template stops the thread,
 * l_event.c resumes it after the callback). */
#ifndef LT_EXEC_HOLD_H
#define LT_EXEC_HOLD_H

#include <stdbool.h>

struct session;

/* Before a hold can happen: starts the guardian, which ptraces the target if it can (it
 * says on stderr why not). 0 or -errno. */
int exec_hold_prepare(struct session *s);

/* Turns holding on or off. -EINVAL without -f (nothing is followed).  */
int exec_hold_set(struct session *s, bool on);

/* Resumes a held process (SIGCONT) whose thread tid a hold stopped (tid 0: unknown).
 * 0 or -errno. */
int exec_hold_resume(struct session *s, int pid, int tid);

/* core.resume(pid): a process held at exec goes on (the guardian continues it, or
 * SIGCONT). */
int exec_hold_resume_exec(struct session *s, int pid);

/* Holds off for good (the session ends): records are sent, threads no longer stopped. */
void exec_hold_off(struct session *s);

/* At session end: resumes every traced process, so none stays stopped if a resume was
 * missed (SIGCONT to a running process does nothing). */
void exec_hold_release_all(struct session *s);

#endif
