/* The local end of each listening socket a process accepts on, so that a connection it
 * accepted has its server address even when the connection is gone from /proc by the
 * time its records are read (short connections, a process that exited): from bind, else
 * from /proc at the listener's first accept (listeners live long). Bounded: the oldest
 * entry makes room. */
#ifndef LT_LISTENERS_H
#define LT_LISTENERS_H

#include <stddef.h>

#define LISTENERS_MAX 64

struct listener {
	int pid, fd;		/* pid 0: a free entry */
	char addr[48];
	int port;
};

struct listeners {
	struct listener l[LISTENERS_MAX];
	unsigned next;		/* the entry replaced next when all are used */
};

/* bind(fd, addr:port) succeeded (port 0, the kernel's choice, is left to /proc). */
void listeners_bound(struct listeners *ls, int pid, int fd, const char *addr, int port);
/* The listener's local end into addr/port: 1 when known, else 0. */
int listeners_local(struct listeners *ls, int pid, int fd, char *addr, size_t size, int *port);
/* The descriptor was closed: whatever it was bound to is over. */
void listeners_forget(struct listeners *ls, int pid, int fd);

#endif
