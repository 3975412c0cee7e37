/* http_link.h: the tables are small fixed arrays scanned whole; a request's head is one
 * scan of HTTP_LINK_OPEN entries (a few microseconds), which is small next to the
 * syscall records that carried it. */
#include <string.h>
#include "http_link.h"
#include "trace_ids.h"

static struct http_link_entry *slot(struct http_link *l)
{
	struct http_link_entry *oldest = &l->open[0];

	for (unsigned i = 0; i < HTTP_LINK_OPEN; i++) {
		if (!l->open[i].used)
			return &l->open[i];
		if (l->open[i].seq < oldest->seq)
			oldest = &l->open[i];
	}
	l->evicted++;	/* its response never came while it was followed */
	return oldest;
}

/* Whether c (a client request) is the other end of server s's connection: the client's
 * own end is the server's peer (accept's address, always known), and the server's own end,
 * when /proc could tell it, is the client's peer. */
static bool ends_meet(const struct http_link_entry *c, const struct http_link_entry *s)
{
	if (!c->used || c->server || !c->lport || c->lport != s->rport || strcmp(c->laddr, s->raddr))
		return false;
	return !s->lport || (c->rport == s->lport && !strcmp(c->raddr, s->laddr));
}

static uint64_t gap(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* The client request on the other end of s's connection closest in time to it (a
 * keep-alive connection carries one after the other), in flight or ended lately: not
 * before s began (a server reads a request before its client can have the answer). */
static const struct http_link_entry *peer_of(const struct http_link *l,
					     const struct http_link_entry *s)
{
	const struct http_link_entry *best = NULL;

	for (unsigned i = 0; i < HTTP_LINK_OPEN + HTTP_LINK_RECENT; i++) {
		const struct http_link_entry *c = i < HTTP_LINK_OPEN ? &l->open[i] :
							&l->recent[i - HTTP_LINK_OPEN];

		if (ends_meet(c, s) && (!c->end || c->end >= s->start) &&
		    (!best || gap(c->start, s->start) < gap(best->start, s->start)))
			best = c;
	}
	return best;
}

static void child_of(struct http_ids *ids, const struct http_ids *parent)
{
	memcpy(ids->trace, parent->trace, 16);
	memcpy(ids->parent, parent->span, 8);
	ids->has_parent = true;
}

/* The server request of q's process that q was made for (http_link.h), or NULL. */
static const struct http_link_entry *server_of(struct http_link *l, const struct http_link_req *q)
{
	const struct http_link_entry *best = NULL;
	unsigned on_thread = 0;

	for (unsigned i = 0; i < HTTP_LINK_OPEN; i++) {
		const struct http_link_entry *s = &l->open[i];

		if (!s->used || !s->server || s->pid != q->pid || s->start > q->start)
			continue;
		if (q->tp) {	/* the trace it carries: the thread only breaks ties */
			if (memcmp(s->ids.trace, q->tp->trace_id, 16))
				continue;
			if (!best || (s->ids.tid == q->tid) > (best->ids.tid == q->tid) ||
			    ((s->ids.tid == q->tid) == (best->ids.tid == q->tid) && s->start > best->start))
				best = s;
		} else if (q->tid > 0 && s->ids.tid == q->tid) {
			best = s;
			on_thread++;
		}
	}
	if (on_thread > 1) {	/* an event loop serving several: which one is not known */
		l->ambiguous++;
		return NULL;
	}
	return best;
}

static void take_ends(struct http_link_entry *e, const struct sockinfo *sock)
{
	memcpy(e->laddr, sock->laddr, sizeof(e->laddr));
	memcpy(e->raddr, sock->raddr, sizeof(e->raddr));
	e->lport = sock->lport;
	e->rport = sock->rport;
}

void http_link_ends(struct http_link *l, int pid, int fd, int tls, const struct sockinfo *sock)
{
	for (unsigned i = 0; i < HTTP_LINK_OPEN; i++) {
		struct http_link_entry *e = &l->open[i];

		if (e->used && e->pid == pid && e->fd == fd && e->tls == tls && !e->lport)
			take_ends(e, sock);
	}
}

void http_link_begin(struct http_link *l, const struct http_link_req *q)
{
	struct http_link_entry *e = slot(l);
	const struct http_link_entry *p;

	memset(e, 0, sizeof(*e));
	e->used = true;
	e->server = q->server;
	e->pid = q->pid;
	e->fd = q->fd;
	e->tls = q->tls;
	e->start = q->start;
	e->stream = q->stream;
	e->seq = ++l->seq;
	if (q->sock)
		take_ends(e, q->sock);
	e->ids.tid = q->tid;
	trace_random_id(e->ids.span, 8);
	if (q->server && (p = peer_of(l, e))) {
		child_of(&e->ids, &p->ids);
		e->peer = true;
	} else if (!q->server && (p = server_of(l, q))) {
		child_of(&e->ids, &p->ids);
	} else if (q->tp) {
		memcpy(e->ids.trace, q->tp->trace_id, 16);
		memcpy(e->ids.parent, q->tp->parent_id, 8);
		e->ids.has_parent = true;
	} else {
		trace_random_id(e->ids.trace, 16);
	}
}

bool http_link_end(struct http_link *l, int pid, int fd, int tls, uint64_t start,
		   uint32_t stream, uint64_t end, struct http_ids *out)
{
	struct http_link_entry *e = NULL;
	const struct http_link_entry *p;

	/* pipelined requests read in one chunk share a start: the oldest answers first */
	for (unsigned i = 0; i < HTTP_LINK_OPEN; i++) {
		struct http_link_entry *c = &l->open[i];

		if (c->used && c->pid == pid && c->fd == fd && c->tls == tls && c->start == start &&
		    c->stream == stream &&
		    (!e || c->seq < e->seq))
			e = c;
	}
	if (!e)
		return false;
	if (e->server && !e->peer && (p = peer_of(l, e)))
		child_of(&e->ids, &p->ids);	/* its client's head came after its own */
	*out = e->ids;
	if (!e->server) {
		e->end = end ? end : start;
		l->recent[l->recent_next] = *e;
		l->recent_next = (l->recent_next + 1) % HTTP_LINK_RECENT;
	}
	e->used = false;
	return true;
}
