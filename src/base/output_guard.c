/* Output never holds the tool hostage. The tool writes its output (stderr, stdout, an
 * ltrace -o file) with plain blocking writes, so a reader that stops reading (a paused
 * pager, `| sleep 600`, a terminal after Ctrl-S) stalls the main thread inside write();
 * with lossless holds the traced program then waits too. A stop request (SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT) arms a grace period; when it expires and the session is still going,
 * every watched output that can block for ever (pipe, FIFO, socket, terminal) is replaced
 * by /dev/null (dup2: writes in flight and later ones then finish at once) and SIGALRM,
 * installed without SA_RESTART, breaks the main thread out of the write it is stuck in.
 * A reader that went away (EPIPE) cuts its output at once and ends the session, as SIGPIPE
 * ends ltrace. Everything here runs in signal handlers: only async-signal-safe calls. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "output_guard.h"

#define MAX_WATCHED 8

static int watched[MAX_WATCHED] = { STDOUT_FILENO, STDERR_FILENO };
static volatile sig_atomic_t nwatched = 2;
static volatile sig_atomic_t armed, was_cut;
static pid_t main_tid;

void output_guard_watch(int fd)
{
	for (int i = 0; i < nwatched; i++)
		if (watched[i] == fd)
			return;
	if (nwatched < MAX_WATCHED)
		watched[nwatched++] = fd;
}

/* Could a write to fd block for ever? Regular files and character devices other than
 * terminals (/dev/null) always make progress. */
static bool can_stall(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return false;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd);
}

static void cut(int fd)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null < 0)
		return;
	if (null != fd) {
		dup3(null, fd, fcntl(fd, F_GETFD) & FD_CLOEXEC ? O_CLOEXEC : 0);
		close(null);
	}
	was_cut = 1;
}

static void on_alarm(int signo, siginfo_t *si, void *uctx)
{
	int saved = errno;

	for (int i = 0; i < nwatched; i++)
		if (can_stall(watched[i]))
			cut(watched[i]);
	/* The write to interrupt is the main thread's: a process-directed SIGALRM may have
	 * landed on a helper thread. */
	if (main_tid && syscall(SYS_gettid) != main_tid)
		syscall(SYS_tgkill, getpid(), main_tid, SIGALRM);
	else
		alarm(1);	/* a write that got past the cut (a partial one) is broken again */
	errno = saved;
}

int output_guard_open(void)
{
	struct sigaction sa;

	main_tid = syscall(SYS_gettid);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_alarm;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: the stuck write must return */
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGALRM, &sa, NULL) ? -errno : 0;
}

void output_guard_stop_requested(void)
{
	if (!armed) {
		armed = 1;
		alarm(OUTPUT_GUARD_GRACE_S);
	}
}

void output_guard_broken_pipe(void)
{
	for (int i = 0; i < nwatched; i++) {
		struct pollfd p = { .fd = watched[i], .events = POLLOUT };

		if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
			cut(watched[i]);
	}
}

bool output_guard_was_cut(void)
{
	return was_cut;
}
