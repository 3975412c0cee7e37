/* Signals into the event loop through a self-pipe (SA_SIGINFO, so the sender is known:
 * a terminal's Ctrl-C reached the child too and is not forwarded again). SIGINT while
 * Lua runs also interrupts the running Lua code. */
#ifndef LT_SIGNALS_H
#define LT_SIGNALS_H

#include <sys/types.h>

struct sig_msg {
	int signo;
	int code;	/* si_code: SI_USER from kill(), SI_KERNEL from a terminal */
	pid_t sender;
};

/* Installs the handlers; returns the fd to watch, or -errno. */
int signals_open(void);
/* 0 with *m filled, or -EAGAIN when nothing is pending. */
int signals_read(int fd, struct sig_msg *m);

#endif
