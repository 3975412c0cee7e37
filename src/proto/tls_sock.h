/* Which socket carries a TLS connection that OpenSSL runs on memory BIOs (gRPC's): its
 * SSL_write and SSL_read make no syscall, other code moves the ciphertext, so SSL_get_fd
 * and the syscalls during the call say nothing. The same thread does move it right
 * around the call: the sendmsg/write right after an SSL_write sends what it encrypted,
 * and an SSL_read that returns data decrypts what the thread's last read took in. This
 * keeps the first half: an SSL_write waiting for its thread's next outbound socket call.
 * Knows nothing of Lua; l_proto.c copies the socket's ends to the TLS connection. */
#ifndef LT_TLS_SOCK_H
#define LT_TLS_SOCK_H

#include <stdint.h>

#define TLS_SOCK_WAITS 1024	/* threads followed at once (by tid, direct-mapped) */
#define TLS_SOCK_WITHIN 100000000ull	/* ns: a later socket call is some other work's */

struct tls_sock_wait {
	int tid, pid, id;	/* id: the TLS connection's (a negative number, lua/http.lua) */
	uint64_t ts;		/* the SSL_write's end */
};

struct tls_sock {
	struct tls_sock_wait w[TLS_SOCK_WAITS];
};

/* tid's SSL_write on connection id ended at ts without a socket. */
void tls_sock_wrote(struct tls_sock *t, int tid, int pid, int id, uint64_t ts);
/* tid (of pid) sent bytes on a socket, its call starting at ts: the connection id whose
 * SSL_write it follows (once), or 0. */
int tls_sock_sent(struct tls_sock *t, int tid, int pid, uint64_t ts);

#endif
