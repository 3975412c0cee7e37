// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of src/proto/traceparent.c (the W3C rules a receiver applies) and
 * src/proto/http_link.c (which request is whose parent: by thread, by the trace id a
 * request carries, by the connection's other end, an event loop's ambiguity).
 */
#include <stdint.h>
#include <string.h>

#include "http_link.h"
#include "traceparent.h"
#include "unit.h"

#define TP "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

static bool parses(const char *s)
{
	struct traceparent tp;

	return traceparent_parse(s, strlen(s), &tp);
}

static void test_traceparent(void)
{
	struct traceparent tp;

	CHECK(traceparent_parse(" " TP "\t", strlen(TP) + 2, &tp));
	CHECK_EQ_INT(tp.version, 0);
	CHECK_EQ_INT(tp.trace_id[0], 0x0a);
	CHECK_EQ_INT(tp.trace_id[15], 0x9c);
	CHECK_EQ_INT(tp.parent_id[7], 0x31);
	CHECK_EQ_INT(tp.flags, 1);
	CHECK(!parses("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"));	/* uppercase */
	CHECK(!parses("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));	/* version ff */
	CHECK(!parses("00-00000000000000000000000000000000-b7ad6b7169203331-01"));
	CHECK(!parses("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"));
	CHECK(!parses(TP "-extra"));				/* 00: exactly 55 */
	CHECK(parses("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"));
	CHECK(!parses("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x"));
	CHECK(!parses("00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01"));	/* short */
	CHECK(!parses("00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
	CHECK(!parses("0g-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
	CHECK(!parses(""));
}

static struct http_link link;

static void begin(int pid, int tid, int fd, bool server, uint64_t start,
		  const struct traceparent *tp, const struct sockinfo *sock)
{
	struct http_link_req q = { .pid = pid, .tid = tid, .fd = fd, .server = server,
				   .start = start, .tp = tp, .sock = sock };

	http_link_begin(&link, &q);
}

static struct http_ids end(int pid, int fd, uint64_t start)
{
	struct http_ids ids;

	memset(&ids, 0, sizeof(ids));
	CHECK(http_link_end(&link, pid, fd, 0, start, 0, start + 50, &ids));
	return ids;
}

static void test_thread(void)
{
	struct traceparent tp;
	struct http_ids srv, cli;

	memset(&link, 0, sizeof(link));
	traceparent_parse(TP, strlen(TP), &tp);
	begin(1, 10, 3, true, 100, &tp, NULL);		/* a threaded server's request */
	begin(1, 11, 4, true, 101, NULL, NULL);		/* another thread's */
	begin(1, 10, 5, false, 110, NULL, NULL);	/* what thread 10 calls for it */
	cli = end(1, 5, 110);
	srv = end(1, 3, 100);
	CHECK(!memcmp(srv.trace, tp.trace_id, 16));
	CHECK(srv.has_parent && !memcmp(srv.parent, tp.parent_id, 8));
	CHECK(cli.has_parent && !memcmp(cli.parent, srv.span, 8));
	CHECK(!memcmp(cli.trace, srv.trace, 16));
	CHECK_EQ_INT(cli.tid, 10);
	srv = end(1, 4, 101);
	CHECK(!srv.has_parent);
	/* after the response: a call on thread 10 belongs to no request */
	begin(1, 10, 5, false, 200, NULL, NULL);
	cli = end(1, 5, 200);
	CHECK(!cli.has_parent);
	CHECK(!http_link_end(&link, 1, 5, 0, 200, 0, 250, &cli));	/* once */
}

static void test_event_loop(void)
{
	struct traceparent tp;
	struct http_ids a, b, cli;

	memset(&link, 0, sizeof(link));
	traceparent_parse(TP, strlen(TP), &tp);
	begin(2, 20, 3, true, 100, NULL, NULL);
	begin(2, 20, 4, true, 101, &tp, NULL);
	begin(2, 20, 7, false, 110, NULL, NULL);	/* whose? two in flight on the thread */
	begin(2, 20, 8, false, 111, &tp, NULL);		/* the trace id says: the second's */
	cli = end(2, 7, 110);
	CHECK(!cli.has_parent);
	CHECK_EQ_INT(link.ambiguous, 1);
	cli = end(2, 8, 111);
	a = end(2, 3, 100);
	b = end(2, 4, 101);
	CHECK(cli.has_parent && !memcmp(cli.parent, b.span, 8));
	CHECK(!memcmp(cli.trace, tp.trace_id, 16));
	CHECK(memcmp(a.trace, b.trace, 16));
}

/* Process 3's client request on c at t, process 4's server request on s (its head seen
 * first when server_first): whether the server span is the client span's child. */
static bool peers(const struct sockinfo *c, const struct sockinfo *s, uint64_t t,
		  bool server_first)
{
	struct http_ids cli, srv;

	begin(server_first ? 4 : 3, server_first ? 40 : 30, server_first ? 6 : 5, server_first,
	      t, NULL, server_first ? s : c);
	begin(server_first ? 3 : 4, server_first ? 30 : 40, server_first ? 5 : 6, !server_first,
	      t + 1, NULL, server_first ? c : s);
	srv = end(4, 6, server_first ? t : t + 1);
	cli = end(3, 5, server_first ? t + 1 : t);
	return srv.has_parent && !memcmp(srv.parent, cli.span, 8) && !memcmp(srv.trace, cli.trace, 16);
}

static void test_peer(void)
{
	struct sockinfo c = { SOCK_TCP, "127.0.0.1", "127.0.0.1", 40000, 8080 };
	struct sockinfo s = { SOCK_TCP, "127.0.0.1", "127.0.0.1", 8080, 40000 };
	struct sockinfo other = { SOCK_TCP, "127.0.0.1", "127.0.0.1", 8080, 40001 };

	memset(&link, 0, sizeof(link));
	CHECK(peers(&c, &s, 100, false));	/* process 3 calls process 4 */
	CHECK(!peers(&c, &other, 200, false));	/* someone else's request */
	CHECK(peers(&c, &s, 300, true));	/* the server's head seen first: linked at its end */
	/* the server's own end not known (gone from /proc): the client's end is its peer */
	s.laddr[0] = 0;
	s.lport = 0;
	CHECK(peers(&c, &s, 400, false));
	/* ... and not when the client's end is not known either */
	c.laddr[0] = 0;
	c.lport = 0;
	CHECK(!peers(&c, &s, 500, false));
}

static void test_bounded(void)
{
	struct http_ids ids;

	memset(&link, 0, sizeof(link));
	for (unsigned i = 0; i <= HTTP_LINK_OPEN; i++)
		begin(5, 50, (int)i, true, i, NULL, NULL);
	CHECK_EQ_INT(link.evicted, 1);
	CHECK(!http_link_end(&link, 5, 0, 0, 0, 0, 1, &ids));	/* the oldest went */
	CHECK(http_link_end(&link, 5, HTTP_LINK_OPEN, 0, HTTP_LINK_OPEN, 0, 1, &ids));
}

/* HTTP/2: two streams whose heads came in one read share a start; they answer in any
 * order, and each end finds its own stream's ids. */
static void test_streams(void)
{
	static const char *const tps[2] = {
		"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	};
	struct traceparent tp[2];
	struct http_ids ids;

	memset(&link, 0, sizeof(link));
	for (int i = 0; i < 2; i++) {
		struct http_link_req q = { .pid = 7, .tid = 70, .fd = 9, .start = 500,
					   .stream = (uint32_t)(1 + 2 * i), .tp = &tp[i] };

		CHECK(traceparent_parse(tps[i], strlen(tps[i]), &tp[i]));
		http_link_begin(&link, &q);
	}
	CHECK(http_link_end(&link, 7, 9, 0, 500, 3, 600, &ids));	/* stream 3 first */
	CHECK(!memcmp(ids.trace, tp[1].trace_id, 16));
	CHECK(http_link_end(&link, 7, 9, 0, 500, 1, 700, &ids));
	CHECK(!memcmp(ids.trace, tp[0].trace_id, 16));
	CHECK(!http_link_end(&link, 7, 9, 0, 500, 1, 700, &ids));
}

int main(void)
{
	test_traceparent();
	test_thread();
	test_event_loop();
	test_peer();
	test_bounded();
	test_streams();
	return unit_summary();
}
