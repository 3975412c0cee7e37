/* Request/response matching on one connection (http_conn.h). The side is decided by the
 * first message seen: a request sent makes this end the client, a request received the
 * server. A response with no request waiting (a connection met in the middle of an
 * exchange: opened before the session) is not reported; the next request is. */
#include <string.h>
#include "http_conn.h"

static struct http1_msg *front(struct http_conn *c)
{
	return c->count ? &c->pending[c->head] : NULL;
}

static void pop(struct http_conn *c)
{
	c->head = (c->head + 1) % HTTP_PIPELINE_MAX;
	c->count--;
}

/* A HEAD request's response has no body, whatever its headers say. */
static int no_body(void *ctx)
{
	struct http_conn *c = ctx;
	struct http1_msg *req = front(c);

	return req && !strcmp(req->method, "HEAD");
}

static void on_request(struct http_conn *c, struct http1_msg *m, int done)
{
	if (done) {	/* its body ended: the entry pushed at its head is the last one */
		if (c->count) {
			unsigned last = (c->head + c->count - 1) % HTTP_PIPELINE_MAX;

			c->pending[last].body_bytes = m->body_bytes;
			c->pending[last].end_ts = m->end_ts;
		}
		return;
	}
	if (c->count == HTTP_PIPELINE_MAX) {
		c->on_exchange(c->ctx, c, front(c), NULL);
		c->dropped++;
		pop(c);
	}
	c->pending[(c->head + c->count) % HTTP_PIPELINE_MAX] = *m;
	c->count++;
	if (c->on_begin)
		c->on_begin(c->ctx, c, m);
}

static int upgrade(struct http_conn *c);

static void on_response(struct http_conn *c, struct http1_msg *m, int done)
{
	if (!done || (m->status >= 100 && m->status < 200 && m->status != 101))
		return;	/* interim responses answer nothing yet */
	if (!c->count)
		return;	/* met mid-exchange: its request was not seen */
	if (m->status == 101 && m->upgrade_h2c && front(c)->upgrade_h2c && !upgrade(c))
		return;	/* answered in HTTP/2 */
	c->on_exchange(c->ctx, c, front(c), m);
	pop(c);
}

static void on_in(void *ctx, struct http1_msg *m, int done)
{
	struct http_conn *c = ctx;

	if (c->role == HTTP_ROLE_SERVER)
		on_request(c, m, done);
	else
		on_response(c, m, done);
}

static void on_out(void *ctx, struct http1_msg *m, int done)
{
	struct http_conn *c = ctx;

	if (c->role == HTTP_ROLE_CLIENT)
		on_request(c, m, done);
	else
		on_response(c, m, done);
}

void http_conn_init(struct http_conn *c, const char *const *interest, http_exchange_fn fn,
		    void *ctx)
{
	memset(c, 0, sizeof(*c));
	http1_init(&c->in, -1, interest, no_body, on_in, c);
	http1_init(&c->out, -1, interest, no_body, on_out, c);
	c->on_exchange = fn;
	c->ctx = ctx;
}

static void decide_role(struct http_conn *c, int outbound, const uint8_t *data, size_t len)
{
	int kind = http1_sniff(data, len);

	if (kind < 0)
		return;
	/* a request sent, or a response received: this end is the client */
	c->role = (kind == 1) == (outbound != 0) ? HTTP_ROLE_CLIENT : HTTP_ROLE_SERVER;
	c->out.want_request = c->role == HTTP_ROLE_CLIENT;
	c->in.want_request = c->role == HTTP_ROLE_SERVER;
}

/* HTTP/2's exchanges, handed on as HTTP/1's (struct h2_msg begins with a struct http1_msg;
 * H2_MSG() gets the rest back). */
static void h2_exchange(void *ctx, const struct h2_msg *req, const struct h2_msg *resp)
{
	struct http_conn *c = ctx;

	c->role = (enum http_role)c->h2->role;
	c->on_exchange(c->ctx, c, &req->m, resp ? &resp->m : NULL);
}

/* An HTTP/2 request's head: told as HTTP/1's (http_link.c keys it by its stream too). */
static void h2_begin(void *ctx, const struct h2_msg *req)
{
	struct http_conn *c = ctx;

	c->role = (enum http_role)c->h2->role;
	if (c->on_begin)
		c->on_begin(c->ctx, c, &req->m);
}

/* A 101 to "Upgrade: h2c": HTTP/2 from the byte after its head on (RFC 7540 3.2), the
 * client's preface first; the request that asked is stream 1's. 0, or -1 (out of memory:
 * the 101 answers it, as any other). */
static int upgrade(struct http_conn *c)
{
	int client = c->role == HTTP_ROLE_CLIENT;

	if (!(c->h2 = http2_new(c->in.interest, 1, client, h2_exchange, c)))
		return -1;
	c->h2->on_begin = h2_begin;
	c->h2->role = client ? H2_ROLE_CLIENT : H2_ROLE_SERVER;
	if (http2_upgraded(c->h2, front(c))) {
		http2_free(c->h2);
		c->h2 = NULL;
		return -1;
	}
	pop(c);
	c->in.state = c->out.state = H1_OPAQUE;
	return 0;
}

/* Whether these bytes are HTTP/2's (http2.c), which takes the connection over when its
 * first bytes are the client preface or frames (h2c by prior knowledge, as gRPC; h2 in TLS). */
static int h2_data(struct http_conn *c, int outbound, const uint8_t *data, size_t len,
		   uint64_t total, uint64_t ts)
{
	int kind;

	if (!c->h2) {
		if (c->role != HTTP_ROLE_UNKNOWN || !(kind = http2_sniff(data, len, total)))
			return 0;
		if (!(c->h2 = http2_new(c->in.interest, kind, outbound, h2_exchange, c)))
			return 0;
		c->h2->on_begin = h2_begin;
	}
	http2_feed(c->h2, outbound, data, len, total, ts);
	c->h2_blocks_lost = c->h2->blocks_lost;
	c->h2_desyncs = c->h2->desyncs;
	c->h2_pushed = c->h2->pushed;
	c->dropped = c->h2->dropped;
	return 1;
}

void http_conn_data(struct http_conn *c, int outbound, const uint8_t *data, size_t len,
		    uint64_t total, uint64_t ts)
{
	if (h2_data(c, outbound, data, len, total, ts))
		return;
	if (c->role == HTTP_ROLE_UNKNOWN)
		decide_role(c, outbound, data, len);
	if (c->role == HTTP_ROLE_UNKNOWN) {
		/* the middle of a body (a connection met mid-exchange) or another protocol:
		 * after a few such chunks, this is not HTTP/1 */
		if (len && ++c->unknown_chunks >= HTTP_SNIFF_TRIES)
			c->in.state = c->out.state = H1_OPAQUE;
		return;
	}
	struct http1_stream *st = outbound ? &c->out : &c->in;
	size_t at;

	http1_feed(st, data, len, total, ts);
	if (c->h2 && (at = st->opaque_at)) {	/* switched to HTTP/2 by a 101: the rest */
		st->opaque_at = 0;
		if (total > at)
			h2_data(c, outbound, data + at, len - at, total - at, ts);
	}
}

void http_conn_close(struct http_conn *c, uint64_t ts)
{
	if (c->h2) {
		http2_close(c->h2, ts);
		http2_free(c->h2);
		c->h2 = NULL;
	}
	http1_close(&c->out, ts);
	http1_close(&c->in, ts);
	while (c->count) {
		c->on_exchange(c->ctx, c, front(c), NULL);
		pop(c);
	}
}

int http_conn_opaque(const struct http_conn *c)
{
	return c->in.state == H1_OPAQUE && c->out.state == H1_OPAQUE;
}
