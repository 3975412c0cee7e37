/* HTTP/2 (RFC 9113) on one connection, from the bytes a syscall or SSL_read/SSL_write moved:
 * the connection preface, frames (HEADERS/CONTINUATION, DATA, RST_STREAM, GOAWAY, SETTINGS),
 * header blocks decoded by nghttp2's HPACK inflater (one per direction), and streams matched
 * request <-> response by stream id. Like http1.c it is told how many bytes moved and sees
 * only the first `len` of them (the copy window): a frame whose body was not copied is
 * skipped by its length; a header block not copied whole loses the direction's HPACK state
 * (counted: blocks_lost), after which headers are read only where they do not need it
 * (docs/http.md, "HTTP/2 and gRPC"). Knows nothing of processes, sockets or Lua. */
#ifndef LT_HTTP2_H
#define LT_HTTP2_H

#include <stddef.h>
#include <stdint.h>
#include "http1.h"

#define H2_STREAMS_MAX 128	/* streams in flight per connection (gRPC allows 100); more: dropped */
#define H2_BLOCK_MAX 65536	/* header block bytes assembled (HEADERS + CONTINUATION) */
#define H2_KEEP_MAX 64		/* payload bytes kept of the other frames (RST, GOAWAY, SETTINGS) */

/* One request or response: the HTTP/1 message fields (method, path, status, :authority as
 * host, traceparent, headers of interest, sizes, times) and gRPC's. */
struct h2_msg {
	struct http1_msg m;
	int grpc_status;		/* -1: none */
	int headers_lost;		/* its header blocks were not (all) decoded */
	int reset;			/* RST_STREAM's error code + 1, 0: none */
	char grpc_message[HTTP1_VALUE_MAX];
	char content_type[64];
};

/* The h2_msg an http1_msg handed out by this module is the head of. */
#define H2_MSG(p) ((const struct h2_msg *)(const void *)(p))

struct h2_stream {
	uint32_t id;
	unsigned slot;			/* its place in http2_conn.streams */
	struct h2_msg req, resp;
	int resp_head;			/* a response head came */
};

struct h2_dir {
	int preface;			/* preface bytes still to pass in this direction */
	int synced;			/* where frames begin is known */
	uint8_t fh[9];			/* a frame header being read */
	unsigned fh_len;
	uint32_t len, remaining, sid;	/* the frame being read: length, bytes to come, stream */
	uint8_t type, flags;
	uint64_t frame_ts;		/* when its first byte came */
	int cut;			/* some of its payload was not copied */
	uint8_t keep[H2_KEEP_MAX];	/* its first payload bytes (frames other than headers) */
	unsigned kept;
	uint8_t *block;			/* the header block being assembled */
	size_t block_len, block_cap;
	size_t frag_start;		/* where the current frame's part of the block begins */
	uint32_t block_sid;
	int block_open, block_cut, block_end_stream;
	uint64_t block_ts;
	void *inflater;			/* nghttp2_hd_inflater * */
	int hpack_lost;			/* the inflater missed a block: its table is not the peer's */
	uint64_t last_ts;
};

enum h2_role { H2_ROLE_UNKNOWN, H2_ROLE_CLIENT, H2_ROLE_SERVER };

/* A request and its response (NULL: the stream was reset before one, the connection ended,
 * or the stream table overflowed). */
typedef void (*h2_exchange_fn)(void *ctx, const struct h2_msg *req, const struct h2_msg *resp);
/* A request's head was just decoded (its stream opened): optional, as http_conn's on_begin. */
typedef void (*h2_begin_fn)(void *ctx, const struct h2_msg *req);

struct http2_conn {
	enum h2_role role;
	struct h2_dir in, out;		/* bytes received, bytes sent */
	struct h2_stream *streams[H2_STREAMS_MAX];	/* those in flight, allocated */
	const char *const *interest;
	uint64_t blocks_lost;		/* header blocks not decoded (or not whole) */
	uint64_t desyncs;		/* times frame boundaries were lost past the copy window */
	uint64_t dropped;		/* streams pushed out of a full table */
	uint64_t pushed;		/* server push streams promised: not requests anyone made,
					 * not reported (their block is decoded for HPACK's table) */
	h2_exchange_fn on_exchange;
	h2_begin_fn on_begin;		/* NULL: not told */
	void *ctx;
};

/* Whether data starts the client preface ("PRI * HTTP/2.0...": 1), or is a run of
 * well-formed frames that ends exactly at len == total: starting with a SETTINGS frame (3:
 * the server's preface, which may come before the client's), else (2: a connection met
 * after its prefaces); or neither (0). */
int http2_sniff(const uint8_t *data, size_t len, uint64_t total);
/* A new connection state (NULL: out of memory), from http2_sniff's answer `sniffed` on
 * bytes that moved outbound or not (those bytes are then fed as any others). */
struct http2_conn *http2_new(const char *const *interest, int sniffed, int outbound,
			     h2_exchange_fn fn, void *ctx);
/* An HTTP/1.1 connection switched by "Upgrade: h2c" (RFC 7540 3.2): the request that asked
 * is stream 1's, answered in HTTP/2 (0, or -1 when out of memory). */
int http2_upgraded(struct http2_conn *h, const struct http1_msg *req);
void http2_feed(struct http2_conn *h, int outbound, const uint8_t *data, size_t len,
		uint64_t total, uint64_t ts);
/* The connection ended: streams with a response head are reported as answered up to the
 * last bytes seen, the others unanswered. */
void http2_close(struct http2_conn *h, uint64_t ts);
void http2_free(struct http2_conn *h);

#endif
