// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of src/proto/http2*.c through http_conn.c: HTTP/2 frames whose header blocks
 * are made by nghttp2's own HPACK deflater (as a real peer's are), fed as a tracer sees
 * them: a gRPC call (client and server sides), the dynamic table reused by a second call,
 * every byte split, DATA bodies past the copy window counted, a header block cut by the
 * window (counted as lost, the call still counted with what the static table says), frame
 * boundaries lost and found again, RST_STREAM, and what the sniffer refuses.
 */
#include <stdint.h>
#include <string.h>
#include <nghttp2/nghttp2.h>

#include "http_conn.h"
#include "unit.h"

#define MAX_EX 8

struct seen {
	int n, total;
	char method[MAX_EX][16], path[MAX_EX][HTTP1_PATH_MAX], ctype[MAX_EX][64];
	int status[MAX_EX], grpc[MAX_EX], lost[MAX_EX], reset[MAX_EX];
	char msg[MAX_EX][HTTP1_VALUE_MAX];
	uint64_t bytes[MAX_EX], req_bytes[MAX_EX], latency[MAX_EX];
	enum http_role role;
};

static void on_ex(void *ctx, struct http_conn *c, const struct http1_msg *req,
		  const struct http1_msg *resp)
{
	struct seen *s = ctx;
	const struct h2_msg *q = H2_MSG(req), *r = resp ? H2_MSG(resp) : NULL;

	s->total++;
	if (s->n == MAX_EX)
		return;
	snprintf(s->method[s->n], 16, "%s", req->method);
	snprintf(s->path[s->n], HTTP1_PATH_MAX, "%s", req->path);
	snprintf(s->ctype[s->n], 64, "%s", q->content_type);
	s->status[s->n] = resp ? resp->status : 0;
	s->grpc[s->n] = r ? r->grpc_status : -2;
	snprintf(s->msg[s->n], HTTP1_VALUE_MAX, "%s", r ? r->grpc_message : "");
	s->lost[s->n] = q->headers_lost || (r && r->headers_lost);
	s->reset[s->n] = q->reset;
	s->bytes[s->n] = resp ? resp->body_bytes : 0;
	s->req_bytes[s->n] = req->body_bytes;
	s->latency[s->n] = resp ? resp->end_ts - req->start_ts : 0;
	s->role = c->role;
	s->n++;
}

/* ---- building frames ------------------------------------------------------------- */

struct wire {
	uint8_t b[8192];
	size_t n;
};

static void frame(struct wire *w, uint8_t type, uint8_t flags, uint32_t sid, const void *p,
		  size_t n)
{
	uint8_t *f = w->b + w->n;

	f[0] = (uint8_t)(n >> 16), f[1] = (uint8_t)(n >> 8), f[2] = (uint8_t)n;
	f[3] = type, f[4] = flags;
	f[5] = (uint8_t)(sid >> 24), f[6] = (uint8_t)(sid >> 16), f[7] = (uint8_t)(sid >> 8);
	f[8] = (uint8_t)sid;
	if (n)
		memcpy(f + 9, p, n);
	w->n += 9 + n;
}

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, 0 }

struct w_enc {
	nghttp2_hd_deflater *d;
};

/* HEADERS (END_HEADERS) with nv encoded by nghttp2's deflater: its dynamic table fills as
 * a real peer's does, so a second call refers to the first one's entries. */
static void headers(struct w_enc *e, struct wire *w, uint32_t sid, uint8_t flags,
		    const nghttp2_nv *nv, size_t nnv)
{
	uint8_t block[1024];
	ssize_t n = nghttp2_hd_deflate_hd(e->d, block, sizeof(block), (nghttp2_nv *)nv, nnv);

	CHECK(n > 0);
	frame(w, 1, flags | 0x4, sid, block, (size_t)n);
}

static const nghttp2_nv REQ[] = {
	NV(":method", "POST"), NV(":scheme", "http"), NV(":path", "/demo.Greeter/Hello"),
	NV(":authority", "127.0.0.1:50051"), NV("content-type", "application/grpc"),
	NV("te", "trailers"),
};
static const nghttp2_nv RESP[] = { NV(":status", "200"), NV("content-type", "application/grpc") };
static const nghttp2_nv TRAILERS_OK[] = { NV("grpc-status", "0") };
static const nghttp2_nv TRAILERS_ERR[] = { NV("grpc-status", "5"), NV("grpc-message", "no such name") };
static const uint8_t MSG[] = { 0, 0, 0, 0, 3, 'a', 'b', 'c' };	/* a gRPC message: "abc" */

/* One gRPC call on stream sid: the request (client -> server) and the response. */
static void call(struct w_enc *ce, struct w_enc *se, struct wire *req, struct wire *resp,
		 uint32_t sid, int fail)
{
	headers(ce, req, sid, 0, REQ, 6);
	frame(req, 0, 0x1, sid, MSG, sizeof(MSG));
	headers(se, resp, sid, 0, RESP, 2);
	frame(resp, 0, 0, sid, MSG, sizeof(MSG));
	if (fail)
		headers(se, resp, sid, 0x1, TRAILERS_ERR, 2);
	else
		headers(se, resp, sid, 0x1, TRAILERS_OK, 1);
}

static void start(struct wire *req, struct wire *resp)
{
	static const uint8_t table[6] = { 0, 1, 0, 0, 0x10, 0 };	/* HEADER_TABLE_SIZE 4096 */

	memcpy(req->b, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	req->n = 24;
	frame(req, 4, 0, 0, table, 6);
	frame(resp, 4, 0, 0, table, 6);
	frame(resp, 4, 1, 0, NULL, 0);
}

static void encoders(struct w_enc *c, struct w_enc *s)
{
	nghttp2_hd_deflate_new(&c->d, 4096);
	nghttp2_hd_deflate_new(&s->d, 4096);
}

static void encoders_free(struct w_enc *c, struct w_enc *s)
{
	nghttp2_hd_deflate_del(c->d);
	nghttp2_hd_deflate_del(s->d);
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_client_two_calls(void)
{
	struct w_enc ce, se;
	struct wire req = { .n = 0 }, resp = { .n = 0 }, req2 = { .n = 0 }, resp2 = { .n = 0 };
	struct seen s = { 0 };
	struct http_conn c;

	encoders(&ce, &se);
	start(&req, &resp);
	call(&ce, &se, &req, &resp, 1, 0);
	call(&ce, &se, &req2, &resp2, 3, 1);	/* the second call's blocks use the table */
	http_conn_init(&c, NULL, on_ex, &s);
	http_conn_data(&c, 1, req.b, req.n, req.n, 1000);
	http_conn_data(&c, 0, resp.b, resp.n, resp.n, 5000);
	http_conn_data(&c, 1, req2.b, req2.n, req2.n, 6000);
	CHECK_EQ_INT(s.n, 1);
	http_conn_data(&c, 0, resp2.b, resp2.n, resp2.n, 9000);
	CHECK_EQ_INT(s.n, 2);
	CHECK_EQ_INT(s.role, HTTP_ROLE_CLIENT);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ_STR(s.method[i], "POST");
		CHECK_EQ_STR(s.path[i], "/demo.Greeter/Hello");
		CHECK_EQ_STR(s.ctype[i], "application/grpc");
		CHECK_EQ_INT(s.status[i], 200);
		CHECK_EQ_INT(s.bytes[i], sizeof(MSG));
		CHECK_EQ_INT(s.req_bytes[i], sizeof(MSG));
		CHECK_EQ_INT(s.lost[i], 0);
	}
	CHECK_EQ_INT(s.grpc[0], 0);
	CHECK_EQ_INT(s.grpc[1], 5);
	CHECK_EQ_STR(s.msg[1], "no such name");
	CHECK_EQ_INT(s.latency[0], 4000);
	CHECK_EQ_INT(s.latency[1], 3000);
	CHECK_EQ_INT(c.h2_blocks_lost, 0);
	http_conn_close(&c, 10000);
	CHECK_EQ_INT(s.n, 2);
	encoders_free(&ce, &se);
}

/* One failing gRPC call's bytes, both ways, and a connection to feed them to. */
struct one_call {
	struct w_enc ce, se;
	struct wire req, resp;
	struct seen s;
	struct http_conn c;
};

static void one_call_init(struct one_call *o)
{
	memset(o, 0, sizeof(*o));
	encoders(&o->ce, &o->se);
	start(&o->req, &o->resp);
	call(&o->ce, &o->se, &o->req, &o->resp, 1, 1);
	http_conn_init(&o->c, NULL, on_ex, &o->s);
}

/* The server's side, every byte its own call after the preface (which is sniffed whole):
 * frames and blocks straddle every boundary. */
static void test_server_bytewise(void)
{
	static struct one_call o;

	one_call_init(&o);
	http_conn_data(&o.c, 0, o.req.b, 24, 24, 100);
	for (size_t i = 24; i < o.req.n; i++)
		http_conn_data(&o.c, 0, o.req.b + i, 1, 1, 100 + i);
	for (size_t i = 0; i < o.resp.n; i++)
		http_conn_data(&o.c, 1, o.resp.b + i, 1, 1, 1000 + i);
	CHECK_EQ_INT(o.s.n, 1);
	CHECK_EQ_INT(o.s.role, HTTP_ROLE_SERVER);
	CHECK_EQ_STR(o.s.path[0], "/demo.Greeter/Hello");
	CHECK_EQ_INT(o.s.grpc[0], 5);
	CHECK_EQ_INT(o.s.latency[0], 1000 + o.resp.n - 1 - (100 + 24 + 15));	/* HEADERS' first byte */
	http_conn_close(&o.c, 5000);
	encoders_free(&o.ce, &o.se);
}

/* Bytes past the copy window: a DATA body not copied is counted by its length and the next
 * call is still in step; a header block not copied whole loses the table (counted), and the
 * next call is still reported, with what its block says without the table. */
static void test_copy_window(void)
{
	struct w_enc ce, se;
	struct wire req = { .n = 0 }, resp = { .n = 0 }, big = { .n = 0 }, req2 = { .n = 0 },
		    resp2 = { .n = 0 };
	static uint8_t body[5000];
	struct seen s = { 0 };
	struct http_conn c;

	encoders(&ce, &se);
	start(&req, &resp);
	headers(&ce, &req, 1, 0, REQ, 6);
	frame(&req, 0, 0x1, 1, MSG, sizeof(MSG));
	headers(&se, &resp, 1, 0, RESP, 2);
	http_conn_init(&c, NULL, on_ex, &s);
	http_conn_data(&c, 1, req.b, req.n, req.n, 10);
	http_conn_data(&c, 0, resp.b, resp.n, resp.n, 20);
	/* a 5000-byte DATA frame, 1024 bytes of it copied, then the trailers in their own call */
	frame(&big, 0, 0, 1, body, sizeof(body));
	http_conn_data(&c, 0, big.b, 1024, big.n, 30);
	big.n = 0;
	headers(&se, &big, 1, 0x1, TRAILERS_OK, 1);
	http_conn_data(&c, 0, big.b, big.n, big.n, 40);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(s.bytes[0], sizeof(body));
	CHECK_EQ_INT(s.grpc[0], 0);
	CHECK_EQ_INT(s.latency[0], 30);

	/* the second call's request block is cut: 10 of its bytes copied */
	call(&ce, &se, &req2, &resp2, 3, 0);
	http_conn_data(&c, 1, req2.b, 10, 9 + req2.b[2], 50);
	http_conn_data(&c, 1, req2.b + 9 + req2.b[2], req2.n - 9 - req2.b[2],
		       req2.n - 9 - req2.b[2], 51);
	http_conn_data(&c, 0, resp2.b, resp2.n, resp2.n, 60);
	CHECK_EQ_INT(s.n, 2);
	CHECK_EQ_INT(c.h2_blocks_lost, 1);
	CHECK_EQ_INT(s.lost[1], 1);
	CHECK_EQ_INT(s.status[1], 200);		/* the response direction kept its table */
	CHECK_EQ_INT(s.grpc[1], 0);
	CHECK_EQ_INT(s.latency[1], 10);
	http_conn_close(&c, 100);
	encoders_free(&ce, &se);
}

/* Frame boundaries lost (bytes not copied run past the frame being read): the direction
 * waits for a call that starts with frames, and its table counts as lost. */
static void test_desync_and_reset(void)
{
	struct w_enc ce, se;
	struct wire req = { .n = 0 }, resp = { .n = 0 }, more = { .n = 0 };
	static const uint8_t cancel[4] = { 0, 0, 0, 8 };
	struct seen s = { 0 };
	struct http_conn c;

	encoders(&ce, &se);
	start(&req, &resp);
	headers(&ce, &req, 1, 0x1, REQ, 6);
	headers(&ce, &req, 3, 0x1, REQ, 6);
	http_conn_init(&c, NULL, on_ex, &s);
	http_conn_data(&c, 1, req.b, req.n, req.n, 10);
	/* 20 bytes copied of a call that moved 500: frames past the window */
	headers(&se, &resp, 1, 0, RESP, 2);
	http_conn_data(&c, 0, resp.b, 20, 500, 20);
	CHECK_EQ_INT(c.h2_desyncs, 1);
	http_conn_data(&c, 0, (const uint8_t *)"\x01\x02\x03", 3, 3, 25);	/* mid-frame: skipped */
	frame(&more, 3, 0, 3, cancel, 4);	/* RST_STREAM(CANCEL) on stream 3: in step again */
	http_conn_data(&c, 0, more.b, more.n, more.n, 30);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(s.reset[0], 8 + 1);
	CHECK_EQ_INT(s.status[0], 0);
	http_conn_close(&c, 40);	/* stream 1: never answered while seen */
	CHECK_EQ_INT(s.n, 2);
	CHECK_EQ_STR(s.path[1], "/demo.Greeter/Hello");
	CHECK_EQ_INT(s.status[1], 0);
	encoders_free(&ce, &se);
}

static void test_sniff(void)
{
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03 };
	static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct wire w = { .n = 0 };
	static const uint8_t ping[8] = { 0 };

	CHECK_EQ_INT(http2_sniff((const uint8_t *)"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24, 24), 1);
	CHECK_EQ_INT(http2_sniff(tls, sizeof(tls), sizeof(tls)), 0);
	CHECK_EQ_INT(http2_sniff((const uint8_t *)get, sizeof(get) - 1, sizeof(get) - 1), 0);
	frame(&w, 6, 0, 0, ping, 8);
	CHECK_EQ_INT(http2_sniff(w.b, w.n, w.n), 2);
	CHECK_EQ_INT(http2_sniff(w.b, w.n - 1, w.n - 1), 0);
	w.n = 0;
	frame(&w, 4, 0, 0, NULL, 0);
	CHECK_EQ_INT(http2_sniff(w.b, w.n, w.n), 3);
}

/* The server speaks first (its SETTINGS before it reads the client's preface, as gRPC's
 * does): a fresh connection, tables intact. */
static void test_server_first(void)
{
	static struct one_call o;

	one_call_init(&o);
	http_conn_data(&o.c, 1, o.resp.b, 15, 15, 1);	/* its SETTINGS */
	http_conn_data(&o.c, 0, o.req.b, o.req.n, o.req.n, 2);
	http_conn_data(&o.c, 1, o.resp.b + 15, o.resp.n - 15, o.resp.n - 15, 3);
	CHECK_EQ_INT(o.s.n, 1);
	CHECK_EQ_INT(o.s.role, HTTP_ROLE_SERVER);
	CHECK_EQ_INT(o.s.grpc[0], 5);
	CHECK_EQ_INT(o.s.lost[0], 0);
	CHECK_EQ_INT(o.c.h2_blocks_lost, 0);
	http_conn_close(&o.c, 5);
	encoders_free(&o.ce, &o.se);
}

/* More streams in flight than the table holds: the oldest are reported unanswered and
 * counted as dropped; the rest at close. */
static void test_stream_table_full(void)
{
	struct w_enc ce, se;
	struct wire w = { .n = 0 }, unused = { .n = 0 };
	struct seen s = { 0 };
	struct http_conn c;

	encoders(&ce, &se);
	start(&w, &unused);
	http_conn_init(&c, NULL, on_ex, &s);
	http_conn_data(&c, 1, w.b, w.n, w.n, 1);
	for (uint32_t i = 0; i < H2_STREAMS_MAX + 2; i++) {
		w.n = 0;
		headers(&ce, &w, 1 + 2 * i, 0x1, REQ, 6);
		http_conn_data(&c, 1, w.b, w.n, w.n, 10 + i);
	}
	CHECK_EQ_INT(c.dropped, 2);
	CHECK_EQ_INT(s.total, 2);
	CHECK_EQ_INT(s.status[0], 0);
	http_conn_close(&c, 1000);
	CHECK_EQ_INT(s.total, H2_STREAMS_MAX + 2);
	encoders_free(&ce, &se);
}

/* A server push (RFC 9113 8.4): the PUSH_PROMISE's block (a request the server made up) and
 * the pushed stream's response are counted, not reported as a request, and the client's
 * HPACK table still follows the server's (the promise's block fills it too). */
static void test_server_push(void)
{
	static const nghttp2_nv PROMISED[] = {
		NV(":method", "GET"), NV(":scheme", "http"), NV(":path", "/pushed.css"),
		NV(":authority", "127.0.0.1:50051"),
	};
	static const nghttp2_nv PUSHED_RESP[] = { NV(":status", "200"), NV("content-type", "text/css") };
	struct w_enc ce, se;
	struct wire req = { .n = 0 }, resp = { .n = 0 }, req2 = { .n = 0 }, resp2 = { .n = 0 };
	struct wire block = { .n = 0 };
	uint8_t promise[1024] = { 0, 0, 0, 2 };	/* promised stream 2, then its block */
	struct seen s = { 0 };
	struct http_conn c;

	encoders(&ce, &se);
	start(&req, &resp);
	headers(&ce, &req, 1, 0x1, REQ, 6);
	headers(&se, &block, 1, 0, PROMISED, 4);	/* the block alone: past its frame header */
	memcpy(promise + 4, block.b + 9, block.n - 9);
	frame(&resp, 5, 0x4, 1, promise, 4 + block.n - 9);
	headers(&se, &resp, 1, 0, RESP, 2);
	headers(&se, &resp, 2, 0, PUSHED_RESP, 2);
	frame(&resp, 0, 0x1, 2, MSG, sizeof(MSG));
	headers(&se, &resp, 1, 0x1, TRAILERS_OK, 1);
	call(&ce, &se, &req2, &resp2, 3, 1);	/* its blocks refer to the table */
	http_conn_init(&c, NULL, on_ex, &s);
	http_conn_data(&c, 1, req.b, req.n, req.n, 1000);
	http_conn_data(&c, 0, resp.b, resp.n, resp.n, 2000);
	http_conn_data(&c, 1, req2.b, req2.n, req2.n, 3000);
	http_conn_data(&c, 0, resp2.b, resp2.n, resp2.n, 4000);
	http_conn_close(&c, 5000);
	CHECK_EQ_INT(s.total, 2);
	CHECK_EQ_STR(s.path[0], "/demo.Greeter/Hello");
	CHECK_EQ_INT(s.grpc[0], 0);
	CHECK_EQ_STR(s.path[1], "/demo.Greeter/Hello");
	CHECK_EQ_INT(s.grpc[1], 5);
	CHECK_EQ_INT(c.h2_pushed, 1);
	CHECK_EQ_INT(c.h2_blocks_lost, 0);
	encoders_free(&ce, &se);
}

int main(void)
{
	test_client_two_calls();
	test_server_bytewise();
	test_copy_window();
	test_desync_and_reset();
	test_sniff();
	test_server_first();
	test_stream_table_full();
	test_server_push();
	return unit_summary();
}
