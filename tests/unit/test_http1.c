// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of src/proto/: http1.c framing (Content-Length, chunked split anywhere,
 * HEAD/204/304 without a body, a body read to the close, bytes past the copy window counted,
 * a head cut by the window), http_conn.c matching (client and server sides, pipelining in
 * one chunk, a response with no request seen, unanswered requests at close), redact.c.
 */
#include <stdint.h>
#include <string.h>

#include "http_conn.h"
#include "redact.h"
#include "unit.h"

#define MAX_EX 16

struct seen {
	int n;
	char method[MAX_EX][16], path[MAX_EX][HTTP1_PATH_MAX];
	int status[MAX_EX];
	uint64_t bytes[MAX_EX], latency[MAX_EX];
	enum http_role role;
};

static void on_ex(void *ctx, struct http_conn *c, const struct http1_msg *req,
		  const struct http1_msg *resp)
{
	struct seen *s = ctx;

	if (s->n == MAX_EX)
		return;
	strcpy(s->method[s->n], req->method);
	snprintf(s->path[s->n], sizeof(s->path[0]), "%s", req->path);
	s->status[s->n] = resp ? resp->status : 0;
	s->bytes[s->n] = resp ? resp->body_bytes : 0;
	s->latency[s->n] = resp ? resp->end_ts - req->start_ts : 0;
	s->role = c->role;
	s->n++;
}

static void feed(struct http_conn *c, int out, const char *text, uint64_t ts)
{
	http_conn_data(c, out, (const uint8_t *)text, strlen(text), strlen(text), ts);
}

static void test_client_keepalive_and_sizes(void)
{
	struct http_conn c;
	struct seen s = { 0 };

	http_conn_init(&c, NULL, on_ex, &s);
	feed(&c, 1, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 100);
	feed(&c, 0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", 150);
	CHECK_EQ_INT(s.n, 0);			/* two body bytes still to come */
	feed(&c, 0, "lo", 180);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(s.role, HTTP_ROLE_CLIENT);
	CHECK_EQ_STR(s.path[0], "/a");
	CHECK_EQ_INT(s.status[0], 200);
	CHECK_EQ_INT(s.bytes[0], 5);
	CHECK_EQ_INT(s.latency[0], 80);
	/* the same connection again: 1 MB, of which the window copied 100 bytes */
	feed(&c, 1, "HEAD /h HTTP/1.1\r\n\r\n", 200);
	feed(&c, 0, "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n", 210);
	CHECK_EQ_INT(s.n, 2);			/* HEAD: no body whatever the length says */
	CHECK_EQ_INT(s.bytes[1], 0);
	feed(&c, 1, "GET /big HTTP/1.1\r\n\r\n", 300);
	const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n";
	char window[100];

	memset(window, 'x', sizeof(window));
	memcpy(window, head, strlen(head));
	http_conn_data(&c, 0, (const uint8_t *)window, sizeof(window), 65536, 310);
	for (int i = 0; i < 15; i++)	/* 15 more reads of 64 KiB, nothing copied */
		http_conn_data(&c, 0, NULL, 0, 65536, 320 + (uint64_t)i);
	CHECK_EQ_INT(s.n, 2);
	http_conn_data(&c, 0, NULL, 0, strlen(head), 400);	/* the last bytes */
	CHECK_EQ_INT(s.n, 3);
	CHECK_EQ_INT(s.bytes[2], 1048576);
	CHECK_EQ_INT(s.latency[2], 100);
}

static void test_server_pipelined_chunked(void)
{
	struct http_conn c;
	struct seen s = { 0 };
	const char *chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			      "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n";

	http_conn_init(&c, NULL, on_ex, &s);
	feed(&c, 0, "GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\n\r\n",
	     10);
	CHECK_EQ_INT(c.count, 3);
	/* the chunked response, one byte per write: framing across every boundary */
	for (size_t i = 0; chunked[i]; i++)
		http_conn_data(&c, 1, (const uint8_t *)chunked + i, 1, 1, 20 + i);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(s.role, HTTP_ROLE_SERVER);
	CHECK_EQ_INT(s.bytes[0], 9);
	feed(&c, 1, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n",
	     500);
	CHECK_EQ_INT(s.n, 3);
	CHECK_EQ_STR(s.method[1], "POST");
	CHECK_EQ_INT(s.status[1], 204);
	CHECK_EQ_STR(s.path[2], "/3");
	CHECK_EQ_INT(s.status[2], 304);
	feed(&c, 0, "GET /unanswered HTTP/1.1\r\n\r\n", 600);
	http_conn_close(&c, 700);
	CHECK_EQ_INT(s.n, 4);
	CHECK_EQ_STR(s.path[3], "/unanswered");
	CHECK_EQ_INT(s.status[3], 0);
}

static void test_close_and_midstream(void)
{
	struct http_conn c;
	struct seen s = { 0 };

	/* met mid-exchange: a response whose request was not seen is not reported */
	http_conn_init(&c, NULL, on_ex, &s);
	feed(&c, 0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 5);
	CHECK_EQ_INT(s.n, 0);
	feed(&c, 1, "GET /next HTTP/1.0\r\n\r\n", 10);
	feed(&c, 0, "HTTP/1.0 200 OK\r\n\r\nuntil the close", 20);
	CHECK_EQ_INT(s.n, 0);
	http_conn_close(&c, 30);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_STR(s.path[0], "/next");
	CHECK_EQ_INT(s.bytes[0], 15);
	CHECK_EQ_INT(s.latency[0], 20);
	/* a chunked body past the window: its framing is lost, its last chunk ends it */
	s.n = 0;
	http_conn_init(&c, NULL, on_ex, &s);
	feed(&c, 1, "GET /chunks HTTP/1.1\r\n\r\n", 10);
	const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n";

	http_conn_data(&c, 0, (const uint8_t *)ch, strlen(ch), strlen(ch) + 500000, 20);
	CHECK_EQ_INT(s.n, 0);
	feed(&c, 0, "0\r\n\r\n", 30);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(s.status[0], 200);
	CHECK_EQ_INT(s.latency[0], 20);
	CHECK(s.bytes[0] >= 500000 - 100);
	/* bytes never seen before a response: it is still parsed */
	s.n = 0;
	http_conn_init(&c, NULL, on_ex, &s);
	feed(&c, 1, "GET /lost HTTP/1.0\r\n\r\n", 10);
	feed(&c, 0, "\x17\x03\x03 garbage", 14);	/* bytes that are no message */
	http_conn_data(&c, 0, NULL, 0, 4096, 15);
	feed(&c, 0, "HTTP/1.0 200 OK\r\n\r\nbody", 20);
	http_conn_close(&c, 30);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(s.status[0], 200);
	/* not HTTP: TLS records on the socket */
	http_conn_init(&c, NULL, on_ex, &s);
	for (int i = 0; i < HTTP_SNIFF_TRIES; i++)
		feed(&c, 1, "\x16\x03\x01\x02", 1);
	CHECK(http_conn_opaque(&c));
}

static void test_head_cut_and_headers(void)
{
	static const char *const interest[] = { "user-agent", "authorization", NULL };
	struct http_conn c;
	struct seen s = { 0 };
	const char *req = "GET /p HTTP/1.1\r\nUser-Agent: t/1\r\nAuthorization: x\r\n"
			  "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
			  "Cookie: aaaaaaaaaaaaaaaa";

	http_conn_init(&c, interest, on_ex, &s);
	/* the head runs past the window: what was seen is reported */
	http_conn_data(&c, 1, (const uint8_t *)req, strlen(req), 5000, 1);
	CHECK_EQ_INT(c.count, 1);
	CHECK(c.pending[c.head].head_truncated);
	CHECK_EQ_INT(c.pending[c.head].nheaders, 2);
	CHECK_EQ_STR(c.pending[c.head].headers[0].value, "t/1");
	CHECK_EQ_STR(c.pending[c.head].traceparent,
		     "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
	CHECK_EQ_INT(http1_sniff((const uint8_t *)"GE", 2), 1);
	CHECK_EQ_INT(http1_sniff((const uint8_t *)"HTTP/1.1 200", 12), 0);
	CHECK_EQ_INT(http1_sniff((const uint8_t *)"SSH-2.0", 7), -1);
}

static void test_redact(void)
{
	static const char *const pats[] = { "token=[a-z0-9]+", "[0-9]{4}( ?[0-9]{4}){3}", "x*" };
	struct redact r;
	char err[256], out[128];

	CHECK_EQ_INT(redact_init(&r, pats, 3, err, sizeof(err)), 0);	/* "x*" matches empty */
	redact_text(&r, "/a?token=abc123&card=4111 1111 1111 1111", 64, out, sizeof(out));
	CHECK_EQ_STR(out, "/a?[REDACTED]&card=[REDACTED]");
	redact_text(&r, "token=a token=b", 64, out, sizeof(out));
	CHECK_EQ_STR(out, "[REDACTED] [REDACTED]");
	redact_text(&r, "token=abcdefgh", 64, out, 8);	/* matched whole, then cut */
	CHECK_EQ_STR(out, "[REDACT");
	redact_free(&r);
	static const char *const bad[] = { "(" };

	CHECK(redact_init(&r, bad, 1, err, sizeof(err)) < 0);
	CHECK(strstr(err, "bad redaction pattern '('") != NULL);
	CHECK(redact_header_always("Cookie"));
	CHECK(redact_header_always("AUTHORIZATION"));
	CHECK(!redact_header_always("user-agent"));
}

int main(void)
{
	test_client_keepalive_and_sizes();
	test_server_pipelined_chunked();
	test_close_and_midstream();
	test_head_cut_and_headers();
	test_redact();
	return unit_summary();
}
