/* A descriptor's socket and its ends from /proc (sockinfo.h). /proc/PID/net/tcp lists the
 * sockets of the process's network namespace: the line whose inode is the descriptor's
 * gives both ends. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sockinfo.h"

/* "0100007F:1F90" (v4) or 32 hex digits (v6), as the kernel prints its own words. */
static void hex_endpoint(const char *hex, char *addr, size_t size, int *port)
{
	const char *colon = strchr(hex, ':');
	uint32_t w[4] = { 0 };
	int words = colon && colon - hex == 32 ? 4 : 1;

	for (int i = 0; i < words; i++) {
		char part[9];

		memcpy(part, hex + 8 * i, 8);
		part[8] = 0;
		w[i] = (uint32_t)strtoul(part, NULL, 16);	/* host order of the raw bytes */
	}
	inet_ntop(words == 4 ? AF_INET6 : AF_INET, w, addr, (socklen_t)size);
	*port = colon ? (int)strtol(colon + 1, NULL, 16) : 0;
}

/* Scans one table for inode: 1 when found (*out filled). */
static int scan(const char *path, unsigned long inode, struct sockinfo *out)
{
	char line[512], local[64], remote[64];
	unsigned long ino;
	int found = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f)) {	/* the column names */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d: %63s %63s %*x %*s %*s %*s %*s %*s %lu", local, remote,
			   &ino) != 3)
			continue;
		if (ino == inode) {
			hex_endpoint(local, out->laddr, sizeof(out->laddr), &out->lport);
			hex_endpoint(remote, out->raddr, sizeof(out->raddr), &out->rport);
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

void sockinfo_lookup(int pid, int fd, struct sockinfo *out)
{
	char path[64], link[64];
	unsigned long inode;
	int found;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return;	/* gone: SOCK_UNKNOWN */
	link[n] = 0;
	if (sscanf(link, "socket:[%lu]", &inode) != 1) {
		out->kind = SOCK_NONE;
		return;
	}
	out->kind = SOCK_OTHER;
	snprintf(path, sizeof(path), "/proc/%d/net/tcp", pid);
	found = scan(path, inode, out);
	snprintf(path, sizeof(path), "/proc/%d/net/tcp6", pid);
	if (found || scan(path, inode, out))
		out->kind = SOCK_TCP;
}

int sockaddr_format(const uint8_t *sa, size_t len, char *addr, size_t size, int *port)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	sa_family_t family;

	if (len < sizeof(family))
		return -1;
	memcpy(&family, sa, sizeof(family));
	if (family == AF_INET && len >= sizeof(in)) {
		memcpy(&in, sa, sizeof(in));
		inet_ntop(AF_INET, &in.sin_addr, addr, (socklen_t)size);
		*port = ntohs(in.sin_port);
		return 0;
	}
	if (family == AF_INET6 && len >= sizeof(in6)) {
		memcpy(&in6, sa, sizeof(in6));
		inet_ntop(AF_INET6, &in6.sin6_addr, addr, (socklen_t)size);
		*port = ntohs(in6.sin6_port);
		return 0;
	}
	return -1;
}
