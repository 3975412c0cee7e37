/* The traced program: a command started for `-- CMD ARGS` (held before exec until the
 * probes are attached, so no early call is missed) or a running process (-p PID). Both
 * end the session when they exit. */
#ifndef LT_TARGET_H
#define LT_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct target {
	pid_t pid;
	bool spawned;		/* we started it: we reap it and take its exit status */
	int gate_fd;		/* write end: closing it lets the child exec */
	int err_fd;		/* read end: errno from a failed exec */
	int pidfd;		/* readable when the process exits */
	bool exited;
	int status;		/* shell-style exit status: code, or 128+signal */
	/* at release: the command's stdout becomes its stderr (a JSON output a tool's -j
	 * started on stdout after the command was forked keeps stdout to itself) */
	bool stdout_to_stderr;
};

/* Forks a child that waits at the gate, then execvp(argv). 0 or -errno. */
int target_spawn(struct target *t, char *const argv[]);
/* Opens the gate; returns 0, or -errno when exec failed (errno of the child). */
int target_release(struct target *t);
/* 0, or -errno: -ESRCH no such process, -EINVAL a kernel thread (no user space). */
int target_attach_pid(struct target *t, pid_t pid);
/* Reaps a spawned child if it has exited; true when the target is gone. */
bool target_poll(struct target *t);
/* Kills and reaps a spawned child that never ran (setup failed). */
void target_abort(struct target *t);
void target_close(struct target *t);
/* The executable's path: argv0 looked up in $PATH for a command, /proc/PID/exe for -p;
 * empty when unknown. */
void target_exe(const struct target *t, const char *argv0, char *out, size_t outlen);

#endif
