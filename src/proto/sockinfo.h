/* What a process's file descriptor is, for the protocol layer: a TCP socket and its two
 * ends, another socket, or no socket, read from /proc at first sight (so sockets opened
 * before the session are known too), and socket addresses as the syscalls carry them. */
#ifndef LT_SOCKINFO_H
#define LT_SOCKINFO_H

#include <stddef.h>
#include <stdint.h>

enum sock_kind { SOCK_UNKNOWN, SOCK_NONE, SOCK_TCP, SOCK_OTHER };

struct sockinfo {
	enum sock_kind kind;
	char laddr[48], raddr[48];	/* "" when not known */
	int lport, rport;
};

/* /proc/PID/fd/FD and /proc/PID/net/tcp{,6}: fills *out; SOCK_UNKNOWN when the process or
 * the descriptor is gone. */
void sockinfo_lookup(int pid, int fd, struct sockinfo *out);
/* A struct sockaddr_in or sockaddr_in6 of len bytes as an address and port: 0, or -1 when
 * it is neither. */
int sockaddr_format(const uint8_t *sa, size_t len, char *addr, size_t size, int *port);

#endif
