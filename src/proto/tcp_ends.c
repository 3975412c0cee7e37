/* tcp_ends.h: a small table by socket address; a thread connects one socket at a time,
 * so the connect that returns on a thread is the newest SYN_SENT seen on it. */
#include <string.h>
#include "tcp_ends.h"

static struct tcp_end *at(struct tcp_ends *t, uint64_t sk)
{
	return &t->e[(sk >> 6) % TCP_ENDS_MAX];	/* sockets are at least 64-byte aligned */
}

void tcp_ends_done(struct tcp_end *e)
{
	memset(e, 0, sizeof(*e));
}

void tcp_ends_connecting(struct tcp_ends *t, uint64_t sk, int tid)
{
	struct tcp_end *e = at(t, sk);

	/* a connect of the thread's that never returned here (failed, or its record lost) */
	for (unsigned i = 0; i < TCP_ENDS_MAX; i++)
		if (t->e[i].sk && t->e[i].tid == tid && t->e[i].fd < 0)
			tcp_ends_done(&t->e[i]);
	memset(e, 0, sizeof(*e));
	e->sk = sk;
	e->tid = tid;
	e->fd = -1;
}

struct tcp_end *tcp_ends_connected(struct tcp_ends *t, int tid, int pid, int fd)
{
	for (unsigned i = 0; i < TCP_ENDS_MAX; i++) {
		struct tcp_end *e = &t->e[i];

		if (e->sk && e->tid == tid && e->fd < 0) {
			e->pid = pid;
			e->fd = fd;
			return e;
		}
	}
	return NULL;
}

struct tcp_end *tcp_ends_local(struct tcp_ends *t, uint64_t sk, const char *laddr, int lport)
{
	struct tcp_end *e = at(t, sk);

	if (e->sk != sk)
		return NULL;
	strncpy(e->laddr, laddr, sizeof(e->laddr) - 1);
	e->lport = lport;
	return e;
}

int tcp_ends_complete(const struct tcp_end *e)
{
	return e && e->sk && e->fd >= 0 && e->lport;
}

