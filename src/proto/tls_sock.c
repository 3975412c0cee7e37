/* tls_sock.h: one waiting SSL_write per thread, the thread's next send takes it. */
#include "tls_sock.h"

static struct tls_sock_wait *of(struct tls_sock *t, int tid)
{
	return &t->w[(unsigned)tid % TLS_SOCK_WAITS];
}

void tls_sock_wrote(struct tls_sock *t, int tid, int pid, int id, uint64_t ts)
{
	*of(t, tid) = (struct tls_sock_wait){ tid, pid, id, ts };
}

int tls_sock_sent(struct tls_sock *t, int tid, int pid, uint64_t ts)
{
	struct tls_sock_wait *w = of(t, tid);
	int id = w->id;

	if (!id || w->tid != tid || w->pid != pid)
		return 0;
	w->id = 0;	/* only the first send after the write: later ones are other work's */
	return ts >= w->ts && ts - w->ts <= TLS_SOCK_WITHIN ? id : 0;
}
