/* The self-pipe: async-signal-safe write in the handler, reads in the loop. Also what the
 * tool inherited (ignored signals, the mask), which a spawned target gets back: a command
 * run under nohup, or in the background of a script, ignores what it would untraced. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "output_guard.h"
#include "script_call.h"
#include "signals.h"

static int pipe_fds[2] = { -1, -1 };
static sigset_t inherited_mask, inherited_ignored;
static volatile sig_atomic_t stop_signo;
/* How long Lua code running when a stop arrives may take to finish (see on_signal). */
#define STOP_GRACE_MS 1000
static bool sigint_clears_line;

int signals_stop_signo(void)
{
	return stop_signo;
}

void signals_save_inherited(void)
{
	sigemptyset(&inherited_ignored);
	sigprocmask(SIG_SETMASK, NULL, &inherited_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (!sigaction(sig, NULL, &sa) && sa.sa_handler == SIG_IGN)
			sigaddset(&inherited_ignored, sig);
	}
}

void signals_restore_inherited(void)
{
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, sigismember(&inherited_ignored, sig) == 1 ? SIG_IGN : SIG_DFL);
	sigprocmask(SIG_SETMASK, &inherited_mask, NULL);
}

/* timeout(1) sends the signal it passes on twice: to the command, then to its process
 * group, the command in it. On a slow machine (one vCPU under qemu) the copy came once the
 * end handlers ran, a tool's last report, and interrupted them. So a repeat of the stop
 * signal that stopped the session, from the same process, is that copy and no new
 * request: dropped. A terminal's Ctrl-C (sent by the kernel), another process's signal or
 * another stop signal still interrupts. Called from the handler, which runs with its own
 * signal blocked. */
static bool stop_repeated(int signo, const siginfo_t *si)
{
	static int first_signo;
	static pid_t first_sender;

	if (!si || si->si_code != SI_USER || si->si_pid <= 0)
		return false;
	if (!first_signo) {
		first_signo = signo;
		first_sender = si->si_pid;
		return false;
	}
	return signo == first_signo && si->si_pid == first_sender;
}

static void on_signal(int signo, siginfo_t *si, void *uctx)
{
	struct sig_msg m = { signo, si ? si->si_code : 0, si ? si->si_pid : 0 };
	int saved = errno;

	if (signo == SIGPIPE) {
		output_guard_broken_pipe();
	} else if (signo == SIGINT && sigint_clears_line) {
		script_interrupt(NULL);	/* the REPL: Ctrl-C abandons the line or the evaluation */
	} else if (signo != SIGCHLD && signo != SIGUSR1 && signo != SIGUSR2) {
		if (stop_repeated(signo, si)) {
			errno = saved;
			return;
		}
		/* A stop request. Lua code running now (a callback, a periodic report, a
		 * script's own loop) gets STOP_GRACE_MS to finish what it started: a report cut
		 * after it took its interval's counts would lose them (seen under qemu: syslat's
		 * requests of the last interval in no report). A loop that does not end is
		 * interrupted then, or at once by a second stop request. The output gets a grace
		 * period too. */
		if (stop_signo)
			script_interrupt(NULL);
		else
			script_interrupt_after(STOP_GRACE_MS);
		stop_signo = signo;
		output_guard_stop_requested();
	}
	if (write(pipe_fds[1], &m, sizeof(m)) < 0) {
		/* pipe full: the loop has plenty pending already */
	}
	errno = saved;
}

int signals_open(bool repl)
{
	static const int sigs[] = { SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
				    SIGUSR1, SIGUSR2, SIGCHLD, SIGPIPE };
	struct sigaction sa;

	sigint_clears_line = repl;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	return output_guard_open() ?: pipe_fds[0];
}

int signals_read(int fd, struct sig_msg *m)
{
	ssize_t n = read(fd, m, sizeof(*m));

	return n == sizeof(*m) ? 0 : -EAGAIN;
}
