/* The guardian process (guardian.h). It is forked, not exec'd, from a tracer that may
 * have threads: the child runs system calls only (libbpf's map calls are thin syscall
 * wrappers), no allocation and no stdio. It leaves the tracer's session (a ^C or a hangup
 * for the tracer must not end it first), ignores the signals that end a session, and
 * closes every fd but five: lt_held's and lt_pids', a pidfd of the tracer (readable once
 * it is dead), the read end of the tracer's message pipe (GM_QUIT at a normal end) and
 * the write end of its reply pipe. Keeping no other fd matters: an inherited link would
 * keep probes attached, an inherited pipe would keep a reader of the tracer's output
 * waiting. With a target it is also the target's ptracer (guardian_ptrace.h): only a
 * tracer that outlives the tool can release a thread held in a ptrace stop. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "guardian.h"
#include "guardian_ptrace.h"

struct guardian {
	pid_t pid;
	int ctl;			/* write end: messages (struct gmsg) */
	int reply;			/* read end: answers to GM_SEIZE */
	volatile pid_t *resuming;	/* shared page: the pid the tracer is resuming */
};

/* The tracer's messages, one write each (atomic on a pipe). */
enum gm_op {
	GM_QUIT,	/* a normal end: exit (everything is resumed already) */
	GM_SEIZE,	/* ptrace pid (arg: follow its forks); answers 0 or -errno */
	GM_EXEC_HOLDS,	/* arg: hold followed processes at exec, or not */
	GM_RESUME,	/* pid, held at exec, goes on */
	GM_CONT,	/* thread arg of pid, held by a hold's SIGSTOP, goes on */
};
struct gmsg {
	int32_t op;
	int32_t pid;
	int32_t arg;
};

/* After the switch is set no program starts a new hold, but one already past its check
 * may still send its SIGSTOP (a sleepable program may even be faulting a page in): the
 * registered processes get SIGCONT again after these pauses. SIGCONT also discards a
 * SIGSTOP not taken yet. */
static const long release_rounds_ms[] = { 0, 10, 50, 250 };

static void cont_registered(int fd)
{
	uint32_t key, next, tgid, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (next && !bpf_map_lookup_elem(fd, &next, &tgid) && tgid)
			kill(tgid, SIGCONT);
		key = next;
		prev = &key;
	}
}

void held_release_all(int fd)
{
	uint32_t off = 0, on = 1;

	bpf_map_update_elem(fd, &off, &on, BPF_ANY);
	cont_registered(fd);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Closes every fd but the n kept (ascending). */
static void keep_only(const int *keep, int n)
{
	int from = 0;

	for (int i = 0; i < n; i++) {
		if (keep[i] > from)
			close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

static void sort_fds(int *fd, int n)	/* no qsort: it may allocate */
{
	for (int i = 1; i < n; i++)
		for (int j = i, t; j > 0 && fd[j] < fd[j - 1]; j--)
			t = fd[j], fd[j] = fd[j - 1], fd[j - 1] = t;
}

static int held_fd = -1, pids_fd = -1;

/* A followed process that exec'd waits for the tracer while holds are on. */
static bool hold_exec(pid_t pid)
{
	uint32_t off = 0, key = pid, v;
	uint8_t one;

	return bpf_map_lookup_elem(held_fd, &off, &v) && !bpf_map_lookup_elem(pids_fd, &key, &one);
}

/* A message from the tracer; false when it says to quit. */
static bool obey(const struct gmsg *m, int reply)
{
	int32_t rc;

	switch (m->op) {
	case GM_QUIT:
		return false;
	case GM_SEIZE:
		rc = gp_seize(m->pid, m->arg);
		while (write(reply, &rc, sizeof(rc)) < 0 && errno == EINTR)
			;
		return true;
	case GM_EXEC_HOLDS:
		gp_exec_holds(m->arg);
		return true;
	case GM_RESUME:
		gp_resume(m->pid);
		return true;
	case GM_CONT:
		gp_cont(m->pid, m->arg);
		return true;
	}
	return true;
}

_Noreturn static void guard(int tracer, int ctl, int reply, volatile pid_t *resuming)
{
	struct pollfd pfd[3] = { { .fd = tracer, .events = POLLIN },
				 { .fd = ctl, .events = POLLIN },
				 { .fd = -1, .events = POLLIN } };
	int keep[5] = { held_fd, pids_fd, tracer, ctl, reply };
	struct signalfd_siginfo si;
	sigset_t chld;
	struct gmsg m;

	setsid();
	prctl(PR_SET_NAME, "lt-guardian");
	/* None of the tracer's handlers (they write to its self-pipe; SIGCHLD's has
	 * SA_NOCLDSTOP, which would hide the tracees' stops from us). */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	/* Tracees' stops come as SIGCHLD, read from a signalfd beside the pipe. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_SETMASK, &chld, NULL);
	sort_fds(keep, 5);
	keep_only(keep, 5);
	pfd[2].fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	for (;;) {
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;		/* cannot watch any more: release now rather than never */
		}
		/* The tracer's messages first, every one, back to poll after each: one is sent
		 * before what it is about happens (exec holds are on before the target may
		 * exec), so it is obeyed before the tracees' reports that came meanwhile. */
		if (pfd[1].revents) {
			ssize_t n = read(ctl, &m, sizeof(m));

			if (n < 0 && errno == EINTR)
				continue;
			if (n == sizeof(m) && !obey(&m, reply)) {
				gp_quit(hold_exec);
				_exit(0);	/* tracees detach */
			}
			if (n == sizeof(m))
				continue;
			break;		/* EOF: every writer is gone, the tracer with them */
		}
		if (pfd[2].revents) {
			while (read(pfd[2].fd, &si, sizeof(si)) > 0)
				;
			gp_reap(hold_exec);
		}
		if (pfd[0].revents)
			break;		/* the tracer is dead */
	}
	/* Holds off, then everything held goes on: our tracees from their ptrace stops
	 * (before we exit: a SIGSTOP left in its delivery stop would be delivered), the
	 * others by SIGCONT. Tracees' reports are read meanwhile, to drop late SIGSTOPs. */
	uint32_t off = 0, on = 1;

	bpf_map_update_elem(held_fd, &off, &on, BPF_ANY);
	gp_release_all();
	for (size_t i = 0; i < sizeof(release_rounds_ms) / sizeof(*release_rounds_ms); i++) {
		sleep_ms(release_rounds_ms[i]);
		gp_reap(hold_exec);
		held_release_all(held_fd);
		if (*resuming > 0)
			kill(*resuming, SIGCONT);
	}
	gp_quit(hold_exec);
	_exit(0);
}

int guardian_start(int held, int pids, struct guardian **out)
{
	struct guardian *g;
	int rc, ctl[2] = { -1, -1 }, rep[2] = { -1, -1 }, tracer = -1;

	if (held < 0 || pids < 0)
		return -EBADF;
	held_fd = held;
	pids_fd = pids;
	if (!(g = calloc(1, sizeof(*g))))
		return -ENOMEM;
	g->resuming = mmap(NULL, sizeof(*g->resuming), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->resuming == MAP_FAILED) {
		rc = -errno;
		free(g);
		return rc;
	}
	tracer = syscall(SYS_pidfd_open, getpid(), 0);
	if (tracer < 0 || pipe2(ctl, O_CLOEXEC) || pipe2(rep, O_CLOEXEC)) {
		rc = -errno;
		goto fail;
	}
	g->pid = fork();
	if (g->pid == 0)
		guard(tracer, ctl[0], rep[1], g->resuming);
	rc = g->pid < 0 ? -errno : 0;
	close(ctl[0]);
	close(rep[1]);
	close(tracer);
	ctl[0] = rep[1] = tracer = -1;
	if (rc)
		goto fail;
	g->ctl = ctl[1];
	g->reply = rep[0];
	*out = g;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (ctl[i] >= 0)
			close(ctl[i]);
		if (rep[i] >= 0)
			close(rep[i]);
	}
	if (tracer >= 0)
		close(tracer);
	munmap((void *)g->resuming, sizeof(*g->resuming));
	free(g);
	return rc;
}

static int send_msg(struct guardian *g, enum gm_op op, pid_t pid, int arg)
{
	struct gmsg m = { op, pid, arg };
	ssize_t n;

	while ((n = write(g->ctl, &m, sizeof(m))) < 0 && errno == EINTR)
		;
	return n == sizeof(m) ? 0 : -EPIPE;
}

int guardian_seize(struct guardian *g, pid_t pid, bool follow)
{
	int32_t rc;
	ssize_t n;

	if (!g)
		return -ENOSYS;
	if (send_msg(g, GM_SEIZE, pid, follow))
		return -EPIPE;
	while ((n = read(g->reply, &rc, sizeof(rc))) < 0 && errno == EINTR)
		;
	return n == sizeof(rc) ? rc : -EPIPE;
}

void guardian_resume_exec(struct guardian *g, pid_t pid)
{
	if (g)
		send_msg(g, GM_RESUME, pid, 0);
}

void guardian_cont(struct guardian *g, pid_t pid, pid_t tid)
{
	if (g)
		send_msg(g, GM_CONT, pid, tid);
}

void guardian_exec_holds(struct guardian *g, bool on)
{
	if (g)
		send_msg(g, GM_EXEC_HOLDS, 0, on);
}

void guardian_resuming(struct guardian *g, pid_t pid)
{
	if (g)
		*g->resuming = pid;
}

void guardian_stop(struct guardian *g)
{
	if (!g)
		return;
	send_msg(g, GM_QUIT, 0, 0);
	close(g->ctl);
	close(g->reply);
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	munmap((void *)g->resuming, sizeof(*g->resuming));
	free(g);
}
