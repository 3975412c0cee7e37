/* HTTP/1.x, one direction of one connection: an incremental parser fed the bytes a
 * syscall (or SSL_read/SSL_write) moved. It sees only what the kernel copied (the copy
 * window), but is told how many bytes really moved, so a body larger than the window is
 * still counted to its end by Content-Length; headers are parsed from what was copied.
 * Knows nothing of connections, pairing or Lua (http_conn.c pairs the two directions). */
#ifndef LT_HTTP1_H
#define LT_HTTP1_H

#include <stddef.h>
#include <stdint.h>

#define HTTP1_METHOD_MAX 16
#define HTTP1_PATH_MAX 256
#define HTTP1_VALUE_MAX 128
#define HTTP1_HDR_MAX 8192	/* header bytes kept while a head is incomplete */
#define HTTP1_HEADERS_MAX 8	/* headers of interest kept per message */

struct http1_header {
	char name[32];
	char value[HTTP1_VALUE_MAX];
};

/* One request or response: its head as parsed, its size and times. */
struct http1_msg {
	int is_request;
	char method[HTTP1_METHOD_MAX];
	char path[HTTP1_PATH_MAX];
	int status;
	int minor;			/* HTTP/1.minor */
	int64_t content_length;		/* -1: none */
	int chunked;
	int keep_alive;
	int head_truncated;		/* the head did not fit the copy window or HTTP1_HDR_MAX */
	int upgrade_h2c;		/* "Upgrade: h2c" (RFC 7540 3.2; a 101's: the switch) */
	uint64_t head_bytes, body_bytes;
	uint64_t start_ts, end_ts;	/* first byte seen, last byte seen */
	uint32_t stream;		/* HTTP/2's stream id (0: HTTP/1): several in flight on one connection */
	char host[HTTP1_VALUE_MAX];
	char traceparent[64];
	char tracestate[256];		/* W3C vendor entries, kept when it fits whole */
	int nheaders;
	struct http1_header headers[HTTP1_HEADERS_MAX];	/* those the caller asked for */
};

enum http1_state {
	H1_IDLE,	/* between messages */
	H1_HEAD,	/* a head begun, not ended */
	H1_BODY_LEN,	/* counting Content-Length bytes */
	H1_CHUNK_SIZE,	/* reading a chunk-size line */
	H1_CHUNK_DATA,	/* counting a chunk's bytes */
	H1_CHUNK_CRLF,	/* the CRLF after a chunk */
	H1_TRAILER,	/* after the last chunk: trailers up to an empty line */
	H1_BODY_CLOSE,	/* a response body that ends with the connection */
	H1_LOST,	/* bytes not seen: waits for something that starts a message */
	H1_OPAQUE,	/* not HTTP/1 (the connection decides: http_conn.c): ignored for good */
};

/* Tells the parser, at a response head, whether its body is empty whatever the
 * headers say (the response to HEAD): the caller knows the request it answers. */
typedef int (*http1_no_body_fn)(void *ctx);
/* A message whose head is parsed (done == 0) or which has ended (done == 1). */
typedef void (*http1_msg_fn)(void *ctx, struct http1_msg *m, int done);

struct http1_stream {
	enum http1_state state;
	int want_request;		/* 1: requests, 0: responses, -1: not known yet */
	uint64_t remaining;		/* body or chunk bytes still to come */
	uint64_t last_ts;		/* the last bytes of the open message */
	size_t hlen;
	char hbuf[HTTP1_HDR_MAX];	/* the head (or chunk-size line) so far */
	struct http1_msg msg;
	const char *const *interest;	/* header names to keep, lower case, NULL-ended */
	http1_no_body_fn no_body;
	http1_msg_fn on_msg;
	void *ctx;
	size_t opaque_at;		/* the bytes of the last call before a message's end made
					 * the stream opaque (a 101 switching protocols), 0: none */
};

void http1_init(struct http1_stream *st, int want_request, const char *const *interest,
		http1_no_body_fn no_body, http1_msg_fn on_msg, void *ctx);
/* `total` bytes moved at time ts, of which the first `len` are in data (len <= total).
 * Calls on_msg for each head parsed and each message ended within them. */
void http1_feed(struct http1_stream *st, const uint8_t *data, size_t len, uint64_t total,
		uint64_t ts);
/* The connection ended: a body read until close ends here. */
void http1_close(struct http1_stream *st, uint64_t ts);
/* A header (name, value) as a head's parser takes it: Content-Length, Host, traceparent,
 * those in interest (HTTP/2's header blocks use it too). */
void http1_msg_header(struct http1_msg *m, const char *const *interest, const char *name,
		      size_t nl, const char *v, size_t vl);
/* Whether data begins like an HTTP/1 request (1), a response (0) or neither (-1). */
int http1_sniff(const uint8_t *data, size_t len);

#endif
