/* Requests as spans of one trace (docs/http.md#correlation): each request gets a span id
 * when its head is seen, and a trace id and parent from, in this order,
 *   - the other end of its connection, when this session traces both processes (a server
 *     request whose peer is a client request seen here: its parent is that request),
 *   - a server request of the same process the client request belongs to: the one with
 *     the trace id the request's traceparent carries, or, without a traceparent, the only
 *     server request in flight on the thread that sent it (between that request's read
 *     and its response's last write); several in flight on the thread (an event loop)
 *     is ambiguous: no parent, counted,
 *   - the request's own W3C traceparent (its trace, and the caller's span as parent),
 *   - else a new trace.
 * Knows nothing of Lua or of the exporter: ids in, ids out. */
#ifndef LT_HTTP_LINK_H
#define LT_HTTP_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include "sockinfo.h"
#include "traceparent.h"

#define HTTP_LINK_OPEN 1024	/* requests in flight followed; the oldest goes first */
#define HTTP_LINK_RECENT 256	/* client requests ended, kept for a server seen late */

struct http_ids {
	uint8_t trace[16], span[8], parent[8];
	bool has_parent;
	int tid;		/* the thread that read (server) or sent (client) its head */
};

/* A request whose head was just seen. */
struct http_link_req {
	int pid, tid, fd, tls;
	bool server;
	uint64_t start;				/* its first byte */
	uint32_t stream;			/* HTTP/2's stream id (0: HTTP/1) */
	const struct traceparent *tp;		/* its valid traceparent, or NULL */
	const struct sockinfo *sock;		/* its connection's ends (may be unknown) */
};

struct http_link_entry {
	bool used, server, peer;	/* peer: parent from the connection's other end */
	int pid, fd, tls;
	uint64_t start, end, seq;	/* end: a client's, once ended */
	uint32_t stream;		/* HTTP/2's stream id: streams in flight on one connection */
	char laddr[48], raddr[48];
	int lport, rport;
	struct http_ids ids;
};

struct http_link {
	struct http_link_entry open[HTTP_LINK_OPEN];
	struct http_link_entry recent[HTTP_LINK_RECENT];	/* a ring */
	unsigned recent_next;
	uint64_t seq;
	uint64_t ambiguous;	/* client requests not linked: several server requests on the thread */
	uint64_t evicted;	/* requests let go unanswered at HTTP_LINK_OPEN */
};

/* Ids for a request whose head was just seen (random ones from trace_random_id). */
void http_link_begin(struct http_link *l, const struct http_link_req *q);
/* The connection (pid, fd, tls)'s ends became known after its requests began (a TLS
 * connection on memory BIOs paired with its socket later: tls_sock.h): requests in flight
 * on it without ends take these. */
void http_link_ends(struct http_link *l, int pid, int fd, int tls, const struct sockinfo *sock);
/* The request (pid, fd, tls, start, stream) ended at `end`: its ids into *out, true when
 * it was followed. A server request still without a peer looks for one again (its client
 * may have been seen after it). HTTP/2's streams answer in any order: the stream id tells
 * those whose heads came in one read apart. */
bool http_link_end(struct http_link *l, int pid, int fd, int tls, uint64_t start,
		   uint32_t stream, uint64_t end, struct http_ids *out);

#endif
