/* One HTTP/1 connection as its two byte streams: which side it is (client or server), the
 * requests in flight (pipelining) and each response matched to the request it answers,
 * first in first out (RFC 9112 9.3.2). Fed by whoever sees the bytes (syscalls, TLS
 * uprobes); knows nothing of processes, sockets or Lua. */
#ifndef LT_HTTP_CONN_H
#define LT_HTTP_CONN_H

#include "http1.h"
#include "http2.h"

#define HTTP_PIPELINE_MAX 16	/* requests in flight per connection; more count as dropped */
#define HTTP_SNIFF_TRIES 16	/* chunks without a start line before a connection is opaque */

enum http_role { HTTP_ROLE_UNKNOWN, HTTP_ROLE_CLIENT, HTTP_ROLE_SERVER };

struct http_conn;
/* A request and its response (NULL: the connection ended, or the pipeline overflowed,
 * before one came). */
typedef void (*http_exchange_fn)(void *ctx, struct http_conn *c, const struct http1_msg *req,
				 const struct http1_msg *resp);

/* A request's head was just parsed (before its response): for whoever follows requests as
 * they begin (http_link.c via l_proto.c). Optional. */
typedef void (*http_begin_fn)(void *ctx, struct http_conn *c, const struct http1_msg *req);

struct http_conn {
	enum http_role role;
	struct http1_stream in, out;	/* bytes received, bytes sent */
	struct http1_msg pending[HTTP_PIPELINE_MAX];
	unsigned head, count;
	unsigned unknown_chunks;	/* chunks seen while the side was not known */
	uint64_t dropped;		/* requests pushed out of a full pipeline */
	http_exchange_fn on_exchange;
	http_begin_fn on_begin;		/* NULL: not told */
	void *ctx;
	void *owner;			/* the caller's: who this connection is */
	struct http2_conn *h2;		/* HTTP/2 (http2.c): set when its bytes say so */
	uint64_t h2_blocks_lost, h2_desyncs;	/* http2.c's losses, kept past h2's end */
	uint64_t h2_pushed;			/* and its server pushes (not reported) */
};

void http_conn_init(struct http_conn *c, const char *const *interest, http_exchange_fn fn,
		    void *ctx);
/* Bytes moved: outbound (sent) or not, `total` of them, the first `len` in data. */
void http_conn_data(struct http_conn *c, int outbound, const uint8_t *data, size_t len,
		    uint64_t total, uint64_t ts);
/* The connection closed: bodies read to the close end, requests never answered are
 * reported without a response. */
void http_conn_close(struct http_conn *c, uint64_t ts);
/* Whether this connection carries something that is not HTTP/1 (so far) */
int http_conn_opaque(const struct http_conn *c);

#endif
