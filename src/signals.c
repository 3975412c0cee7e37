/* The self-pipe: async-signal-safe write in the handler, reads in the loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "script.h"
#include "signals.h"

static int pipe_fds[2] = { -1, -1 };

static void on_signal(int signo, siginfo_t *si, void *uctx)
{
	struct sig_msg m = { signo, si ? si->si_code : 0, si ? si->si_pid : 0 };
	int saved = errno;

	if (signo == SIGINT)
		script_interrupt(NULL);
	if (write(pipe_fds[1], &m, sizeof(m)) < 0) {
		/* pipe full: the loop has plenty pending already */
	}
	errno = saved;
}

int signals_open(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD };
	struct sigaction sa;

	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	signal(SIGPIPE, SIG_IGN);
	return pipe_fds[0];
}

int signals_read(int fd, struct sig_msg *m)
{
	ssize_t n = read(fd, m, sizeof(*m));

	return n == sizeof(*m) ? 0 : -EAGAIN;
}
