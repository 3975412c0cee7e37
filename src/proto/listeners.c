/* Listening sockets' local ends (listeners.h). */
#include <stdio.h>
#include <string.h>
#include "listeners.h"
#include "sockinfo.h"

static struct listener *find(struct listeners *ls, int pid, int fd)
{
	for (int i = 0; i < LISTENERS_MAX; i++)
		if (ls->l[i].pid == pid && ls->l[i].fd == fd)
			return &ls->l[i];
	return NULL;
}

static struct listener *slot(struct listeners *ls, int pid, int fd)
{
	struct listener *l = find(ls, pid, fd);

	for (int i = 0; !l && i < LISTENERS_MAX; i++)
		if (!ls->l[i].pid)
			l = &ls->l[i];
	if (!l) {
		l = &ls->l[ls->next];
		ls->next = (ls->next + 1) % LISTENERS_MAX;
	}
	l->pid = pid;
	l->fd = fd;
	return l;
}

void listeners_bound(struct listeners *ls, int pid, int fd, const char *addr, int port)
{
	struct listener *l;

	if (port <= 0 || pid <= 0)
		return;
	l = slot(ls, pid, fd);
	snprintf(l->addr, sizeof(l->addr), "%s", addr);
	l->port = port;
}

int listeners_local(struct listeners *ls, int pid, int fd, char *addr, size_t size, int *port)
{
	struct listener *l = find(ls, pid, fd);

	if (!l) {	/* listening since before the session, or bound to port 0 */
		struct sockinfo si;

		sockinfo_lookup(pid, fd, &si);
		if (si.kind != SOCK_TCP || si.lport <= 0)
			return 0;
		listeners_bound(ls, pid, fd, si.laddr, si.lport);
		l = find(ls, pid, fd);
	}
	snprintf(addr, size, "%s", l->addr);
	*port = l->port;
	return 1;
}

void listeners_forget(struct listeners *ls, int pid, int fd)
{
	struct listener *l = find(ls, pid, fd);

	if (l)
		memset(l, 0, sizeof(*l));
}
