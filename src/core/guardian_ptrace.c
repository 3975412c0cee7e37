/* The guardian's ptrace side (guardian_ptrace.h). Being a tracer means every signal of a
 * tracee stops it first and is handed back at once (PTRACE_CONT with the signal), and a
 * group stop (a real SIGSTOP, ^Z) is kept with PTRACE_LISTEN, as strace does, so the
 * program, its parent and its job control see what they would untraced. Two stops are
 * ours and never reach the program: an exec while exec holds are on (-f), and the SIGSTOP
 * a hold's BPF program sends (bpf_send_signal: si_code SI_KERNEL, which no process can
 * send), held in its delivery stop and then discarded (PTRACE_CONT with no signal): no
 * group stop, no SIGCONT, other threads run on, an interrupted system call restarts. If
 * the guardian dies or exits, the kernel detaches the tracees: one held at exec goes on, a
 * signal waiting in its delivery stop is delivered (so gp_release_all first). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/wait.h>
#include "guardian_ptrace.h"

#define GP_SLOTS 1024	/* stops held at once, resumes ahead of their stop */

struct set {
	pid_t id[GP_SLOTS];
};

static struct set exec_held;	/* stopped at exec (pids), waiting for gp_resume */
static struct set exec_early;	/* gp_resume came before the exec stop was reported */
static struct set sig_held;	/* in a hold's SIGSTOP delivery stop (tids) */
static struct set sig_early;	/* gp_cont came before that stop was reported */
static bool exec_holds;		/* gp_exec_holds */
static bool releasing;		/* gp_release_all: nothing is held any more */

static bool take(struct set *s, pid_t id)
{
	for (int i = 0; i < GP_SLOTS; i++)
		if (s->id[i] == id) {
			s->id[i] = 0;
			return true;
		}
	return false;
}

static bool put(struct set *s, pid_t id)
{
	for (int i = 0; i < GP_SLOTS; i++)
		if (!s->id[i]) {
			s->id[i] = id;
			return true;
		}
	return false;
}

static void cont(pid_t pid, int sig)
{
	ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig);
}

static void cont_all(struct set *s)
{
	for (int i = 0; i < GP_SLOTS; i++) {
		if (s->id[i])
			cont(s->id[i], 0);
		s->id[i] = 0;
	}
}

/* The threads of pid, by reading /proc/PID/task with getdents64 (opendir allocates). */
static int seize_threads(pid_t pid, long opts, int *seized)
{
	char path[64], buf[4096];
	int fd, n, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (int off = 0; off < n;) {
			struct dirent64 {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			long tid = strtol(d->name, NULL, 10);

			off += d->reclen;
			if (tid <= 0)
				continue;
			if (!ptrace(PTRACE_SEIZE, (pid_t)tid, 0, opts))
				(*seized)++;
			else if (errno != EPERM || tid == pid)	/* EPERM: ours already */
				rc = rc ? rc : -errno;
		}
	}
	close(fd);
	return rc;
}

int gp_seize(pid_t pid, bool follow)
{
	/* Threads it starts are traced too (a hold stops one thread), its children only
	 * when followed. */
	long opts = PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE;
	int rc = 0, seized, total = 0;

	if (follow)
		opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	/* Until a pass finds no new thread: one may start while we read the list. */
	do {
		seized = 0;
		rc = seize_threads(pid, opts, &seized);
		total += seized;
	} while (!rc && seized);
	if (rc == -EPERM && total)
		rc = 0;
	return rc;
}

/* A SIGSTOP from a hold's BPF program (bpf_send_signal sends SEND_SIG_PRIV). */
static bool hold_stop(pid_t tid, int sig)
{
	siginfo_t si;

	return sig == SIGSTOP && !ptrace(PTRACE_GETSIGINFO, tid, 0, &si) && si.si_code == SI_KERNEL;
}

void gp_event(pid_t pid, int status, bool (*hold_exec)(pid_t pid))
{
	int sig = WSTOPSIG(status), event = (unsigned)status >> 16;

	if (!WIFSTOPPED(status)) {	/* gone: forget it */
		take(&exec_held, pid);
		take(&exec_early, pid);
		take(&sig_held, pid);
		take(&sig_early, pid);
		return;
	}
	switch (event) {
	case PTRACE_EVENT_EXEC:
		if (!exec_holds || releasing || take(&exec_early, pid) || !hold_exec(pid) ||
		    !put(&exec_held, pid))
			cont(pid, 0);
		return;
	case PTRACE_EVENT_STOP:
		/* A group stop (the stop signal) is kept, as untraced, until a SIGCONT; any
		 * other trap (a new child's first, the one after the SIGCONT) goes on. */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			ptrace(PTRACE_LISTEN, pid, 0, 0);
		else
			cont(pid, 0);
		return;
	case 0:
		if (!hold_stop(pid, sig))
			cont(pid, sig);	/* a signal on its way: delivered as sent */
		else if (take(&sig_early, pid) || releasing || !put(&sig_held, pid))
			cont(pid, 0);	/* the hold is over: the SIGSTOP is dropped */
		return;
	default:		/* fork, vfork, clone: the child is traced; both go on */
		cont(pid, 0);
		return;
	}
}

void gp_resume(pid_t pid)
{
	if (take(&exec_held, pid))
		cont(pid, 0);
	else if (exec_holds && !releasing)
		put(&exec_early, pid);
}

/* Whether tid is a tracee of ours (its delivery stop may just not be reported yet). */
static bool traced_by_us(pid_t tid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strstr(buf, "\nTracerPid:");
	return p && strtol(p + 11, NULL, 10) == getpid();
}

void gp_cont(pid_t pid, pid_t tid)
{
	if (take(&sig_held, tid))
		cont(tid, 0);
	else if (!releasing && traced_by_us(tid) && put(&sig_early, tid))
		;
	else
		kill(pid, SIGCONT);	/* not ours to ptrace: a plain stop */
}

void gp_exec_holds(bool on)
{
	exec_holds = on;
	if (!on) {
		cont_all(&exec_held);
		memset(&exec_early, 0, sizeof(exec_early));
	}
}

void gp_release_all(void)
{
	releasing = true;
	gp_exec_holds(false);
	cont_all(&sig_held);
}

void gp_reap(bool (*hold_exec)(pid_t pid))
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
		gp_event(pid, status, hold_exec);
}

void gp_quit(bool (*hold_exec)(pid_t pid))
{
	struct timespec tick = { 0, 10 * 1000000L };
	bool left = true;

	gp_release_all();
	/* A hold whose resume came first must not leave its SIGSTOP to be delivered after
	 * we are gone: wait for its stop (and drop it), 200 ms at most... */
	for (int i = 0; i < 20 && left; i++) {
		gp_reap(hold_exec);
		left = false;
		for (int k = 0; k < GP_SLOTS; k++)
			left |= sig_early.id[k] != 0;
		if (left)
			nanosleep(&tick, NULL);
	}
	/* ...then a SIGCONT discards it if still queued. */
	for (int k = 0; k < GP_SLOTS; k++)
		if (sig_early.id[k])
			kill(sig_early.id[k], SIGCONT);
}
