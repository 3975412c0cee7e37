/* The guardian as the ptracer of the target (and, with -f, of every process it forks):
 * the stops of holds become ptrace stops nobody else sees. At exec (-f) a
 * PTRACE_EVENT_EXEC stop instead of a SIGSTOP, whose group stop sends the parent
 * CLD_STOPPED, then CLD_CONTINUED; at a `hold`/`lossless` record the BPF program's
 * SIGSTOP is held in its delivery stop and dropped, instead of a group stop that stops
 * every thread and a SIGCONT the program can catch. Runs in the guardian process only,
 * which is forked from a tracer that may have threads: no allocation, fixed tables. */
#ifndef LT_GUARDIAN_PTRACE_H
#define LT_GUARDIAN_PTRACE_H

#include <stdbool.h>
#include <sys/types.h>

/* PTRACE_SEIZEs every thread of pid, the threads it starts (and with follow, what it
 * forks).
 * 0 or -errno (-EPERM: traced already, by gdb or strace). */
int gp_seize(pid_t pid, bool follow);

/* One waitpid() report of a tracee. hold_exec(pid): whether a tracee that just exec'd
 * waits for gp_resume (else it goes on at once). */
void gp_event(pid_t pid, int status, bool (*hold_exec)(pid_t pid));

/* Exec holds on or off (off: those held go on). */
void gp_exec_holds(bool on);

/* The tracer has probed what pid runs now: it goes on (now, or at its exec stop if
 * that is not reported yet). */
void gp_resume(pid_t pid);

/* The tracer is done with a held record of thread tid of pid: it goes on (now, at its
 * delivery stop if not reported yet, or by SIGCONT if it is not our tracee). */
void gp_cont(pid_t pid, pid_t tid);

/* Nothing is held any more: every held tracee goes on, and so will those that stop. */
void gp_release_all(void);

/* Reads every report waiting (gp_event). */
void gp_reap(bool (*hold_exec)(pid_t pid));

/* Before the guardian exits: gp_release_all, and no hold's SIGSTOP left behind. */
void gp_quit(bool (*hold_exec)(pid_t pid));

#endif
