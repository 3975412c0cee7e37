/* Signals into the event loop through a self-pipe (SA_SIGINFO, so the sender is known:
 * a terminal's Ctrl-C reached the child too and is not forwarded again). SIGINT while
 * Lua runs also interrupts the running Lua code. */
#ifndef LT_SIGNALS_H
#define LT_SIGNALS_H

#include <stdbool.h>
#include <sys/types.h>

struct sig_msg {
	int signo;
	int code;	/* si_code: SI_USER from kill(), SI_KERNEL from a terminal */
	pid_t sender;
};

/* At start-up, before anything changes them: the dispositions and mask the tool inherited. */
void signals_save_inherited(void);
/* In a spawned target before exec: ignored signals and the mask as the tool found them,
 * every other signal back to its default. */
void signals_restore_inherited(void);
/* Installs the handlers (SIGPIPE too: a closed output ends the session); returns the fd
 * to watch, or -errno. In the REPL (repl), SIGINT is no stop request. */
int signals_open(bool repl);
/* The last stop request's signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT), 0 before any. */
int signals_stop_signo(void);
/* 0 with *m filled, or -EAGAIN when nothing is pending. */
int signals_read(int fd, struct sig_msg *m);

#endif
