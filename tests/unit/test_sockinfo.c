// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of src/proto/sockinfo.c on this process's own descriptors: a connected TCP
 * socket over IPv4 and IPv6 loopback (both ends, from /proc/self/net/tcp{,6}), a file (no
 * socket), a closed descriptor (unknown), and sockaddr_format on what accept() returns.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockinfo.h"
#include "unit.h"

/* A listener on loopback (port chosen by the kernel), a client connected to it, the
 * accepted end and its peer address as accept() wrote it. 0 or -1. */
static int pair(int family, int *lfd, int *cfd, int *afd, struct sockaddr_storage *peer)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	socklen_t plen = sizeof(*peer);

	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	*lfd = socket(family, SOCK_STREAM, 0);
	if (*lfd < 0 || bind(*lfd, (struct sockaddr *)&ss, len) || listen(*lfd, 1) ||
	    getsockname(*lfd, (struct sockaddr *)&ss, &len))
		return -1;
	*cfd = socket(family, SOCK_STREAM, 0);
	if (*cfd < 0 || connect(*cfd, (struct sockaddr *)&ss, len))
		return -1;
	*afd = accept(*lfd, (struct sockaddr *)peer, &plen);
	return *afd < 0 ? -1 : 0;
}

static int port_of(int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void test_family(int family, const char *loopback)
{
	struct sockaddr_storage peer;
	struct sockinfo si;
	int lfd, cfd, afd, port;
	char addr[64];

	CHECK_EQ_INT(pair(family, &lfd, &cfd, &afd, &peer), 0);
	sockinfo_lookup(getpid(), cfd, &si);
	CHECK_EQ_INT(si.kind, SOCK_TCP);
	CHECK_EQ_STR(si.laddr, loopback);
	CHECK_EQ_STR(si.raddr, loopback);
	CHECK_EQ_INT(si.lport, port_of(cfd, 0));
	CHECK_EQ_INT(si.rport, port_of(cfd, 1));
	sockinfo_lookup(getpid(), afd, &si);	/* the server's end: the ports the other way */
	CHECK_EQ_INT(si.lport, port_of(cfd, 1));
	CHECK_EQ_INT(si.rport, port_of(cfd, 0));
	CHECK_EQ_INT(sockaddr_format((const uint8_t *)&peer, sizeof(peer), addr, sizeof(addr), &port), 0);
	CHECK_EQ_STR(addr, loopback);
	CHECK_EQ_INT(port, port_of(cfd, 0));
	CHECK_EQ_INT(sockaddr_format((const uint8_t *)&peer, 2, addr, sizeof(addr), &port), -1);
	close(afd);
	close(cfd);
	close(lfd);
	sockinfo_lookup(getpid(), cfd, &si);	/* closed: nothing to say */
	CHECK_EQ_INT(si.kind, SOCK_UNKNOWN);
}

int main(void)
{
	struct sockinfo si;
	int fd = open("/proc/self/stat", O_RDONLY), u[2];

	test_family(AF_INET, "127.0.0.1");
	test_family(AF_INET6, "::1");
	sockinfo_lookup(getpid(), fd, &si);
	CHECK_EQ_INT(si.kind, SOCK_NONE);
	close(fd);
	CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, u), 0);
	sockinfo_lookup(getpid(), u[0], &si);
	CHECK_EQ_INT(si.kind, SOCK_OTHER);	/* a socket, not TCP: parsed by its bytes */
	close(u[0]);
	close(u[1]);
	return unit_summary();
}
