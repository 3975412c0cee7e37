/* The guardian: a small process, forked when a session first may stop a thread (a `hold`
 * or `lossless` probe, exec holds for -f), that outlives the tracer and resumes every
 * thread still held if the tracer dies (SIGKILL, a crash, os.exit() in a callback).
 * It learns of held threads from lt_held (bpf-templates/lib/held.bpf.h), whose fd it keeps,
 * and, as the target's ptracer, holds them itself (guardian_ptrace.h). */
#ifndef LT_GUARDIAN_H
#define LT_GUARDIAN_H

#include <stdbool.h>
#include <sys/types.h>

struct guardian;

/* Forks the guardian, which keeps the fds of lt_held and lt_pids (the session's maps), into
 * *out. 0 or -errno. */
int guardian_start(int held_fd, int pids_fd, struct guardian **out);

/* The guardian ptraces pid (with follow, what it forks too), so holds stop it as ptrace
 * stops nobody else sees (guardian_ptrace.h). 0 or -errno (-EPERM: a debugger traces it
 * already; -ENOSYS: no guardian). The calls below do nothing when g is NULL. */
int guardian_seize(struct guardian *g, pid_t pid, bool follow);
/* -f: followed processes stop at exec until guardian_resume_exec (off: those held go on). */
void guardian_exec_holds(struct guardian *g, bool on);
void guardian_resume_exec(struct guardian *g, pid_t pid);
/* A held record of thread tid of pid is done: the thread goes on. */
void guardian_cont(struct guardian *g, pid_t pid, pid_t tid);

/* The tracer is about to SIGCONT pid: if it dies before it could, the guardian does it. */
void guardian_resuming(struct guardian *g, pid_t pid);

/* At a normal end, once every held thread is resumed: the guardian exits, quietly, and g
 * is freed. */
void guardian_stop(struct guardian *g);

/* Turns holds off (lt_held's switch) and sends SIGCONT to every registered process.
 * The guardian's work when the tracer dies, and the tracer's at its end. */
void held_release_all(int held_fd);

#endif
