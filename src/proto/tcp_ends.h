/* A connecting socket's own end, from the kernel's TCP state changes (the tracepoint
 * sock:inet_sock_set_state) rather than from /proc, which no longer has the connection
 * when the tool reads its records after it closed (a short one). connect's records name
 * the peer only; the state changes name the socket (its kernel address), the thread, and
 * both ends:
 *   CLOSE -> SYN_SENT   in the connecting thread's connect(): socket <-> thread
 *   connect() returns   on that thread with its fd: socket <-> (pid, fd)
 *   SYN_SENT -> ESTABLISHED   the socket's own address and port (its source port may
 *                       still be 0 at SYN_SENT)
 * the last two in either order (a non-blocking connect returns before ESTABLISHED).
 * Knows nothing of Lua or of connections; l_proto.c gives the end to the connection. */
#ifndef LT_TCP_ENDS_H
#define LT_TCP_ENDS_H

#include <stdint.h>

#define TCP_ENDS_MAX 1024	/* connects in progress followed (by socket, direct-mapped) */

struct tcp_end {
	uint64_t sk;		/* the kernel's socket, 0: a free entry */
	int tid, pid, fd;	/* fd -1: connect has not returned yet */
	char laddr[48];		/* "" until ESTABLISHED */
	int lport;
};

struct tcp_ends {
	struct tcp_end e[TCP_ENDS_MAX];
};

/* sk went CLOSE -> SYN_SENT in tid's connect (a socket met before is forgotten). */
void tcp_ends_connecting(struct tcp_ends *t, uint64_t sk, int tid);
/* tid's connect (pid, fd) returned: the entry it made, or NULL when no state change was
 * seen on the thread. */
struct tcp_end *tcp_ends_connected(struct tcp_ends *t, int tid, int pid, int fd);
/* sk is ESTABLISHED with its own end laddr:lport: the entry, or NULL when its connect
 * was not seen. */
struct tcp_end *tcp_ends_local(struct tcp_ends *t, uint64_t sk, const char *laddr, int lport);
/* Whether e has both its descriptor and its own end (then the caller uses it and lets
 * it go: tcp_ends_done). */
int tcp_ends_complete(const struct tcp_end *e);
void tcp_ends_done(struct tcp_end *e);

#endif
