/* HTTP/1.x message framing and head parsing for one direction (http1.h). Framing follows
 * RFC 9112 section 6: a response to HEAD, 1xx, 204 and 304 has no body; chunked wins over
 * Content-Length; a request without either has none; a response without either runs to
 * the close. Bytes beyond the copy window are counted, never guessed at: where framing
 * would need them (a chunk-size line, the next head) the stream waits (H1_LOST) for data
 * that starts a message. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http1.h"

static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS",
				       "PATCH", "CONNECT", "TRACE", NULL };

/* A prefix counts when the chunk is shorter than the word: a head split after 2 bytes. */
static int starts_with(const uint8_t *d, size_t len, const char *word)
{
	size_t w = strlen(word);

	return !memcmp(d, word, len < w ? len : w);
}

int http1_sniff(const uint8_t *data, size_t len)
{
	char word[12];

	if (!len)
		return -1;
	if (starts_with(data, len, "HTTP/1."))
		return 0;
	for (int i = 0; methods[i]; i++) {
		snprintf(word, sizeof(word), "%s ", methods[i]);
		if (starts_with(data, len, word))
			return 1;
	}
	return -1;
}

void http1_init(struct http1_stream *st, int want_request, const char *const *interest,
		http1_no_body_fn no_body, http1_msg_fn on_msg, void *ctx)
{
	memset(st, 0, sizeof(*st));
	st->state = H1_IDLE;
	st->want_request = want_request;
	st->interest = interest;
	st->no_body = no_body;
	st->on_msg = on_msg;
	st->ctx = ctx;
}

static void copy_value(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = 0;
}

/* Whether the comma-separated list v (n bytes) holds token, case-insensitively. */
static int has_token(const char *v, size_t n, const char *token)
{
	size_t t = strlen(token);

	for (size_t i = 0; i + t <= n; i++)
		if (!strncasecmp(v + i, token, t) && (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
		    (i + t == n || v[i + t] == ' ' || v[i + t] == ',' || v[i + t] == ';'))
			return 1;
	return 0;
}

static void header(struct http1_msg *m, const char *const *interest, const char *name, size_t nl,
		   const char *v, size_t vl)
{
	if (nl == 14 && !strncasecmp(name, "content-length", nl)) {
		m->content_length = strtoll(v, NULL, 10);
		if (m->content_length < 0)
			m->content_length = -1;
	} else if (nl == 17 && !strncasecmp(name, "transfer-encoding", nl)) {
		m->chunked = has_token(v, vl, "chunked");
	} else if (nl == 10 && !strncasecmp(name, "connection", nl)) {
		if (has_token(v, vl, "close"))
			m->keep_alive = 0;
		else if (has_token(v, vl, "keep-alive"))
			m->keep_alive = 1;
	} else if (nl == 7 && !strncasecmp(name, "upgrade", nl)) {
		m->upgrade_h2c = has_token(v, vl, "h2c");
	} else if (nl == 4 && !strncasecmp(name, "host", nl)) {
		copy_value(m->host, sizeof(m->host), v, vl);
	} else if (nl == 11 && !strncasecmp(name, "traceparent", nl)) {
		copy_value(m->traceparent, sizeof(m->traceparent), v, vl);
	} else if (nl == 10 && !strncasecmp(name, "tracestate", nl) && vl < sizeof(m->tracestate)) {
		copy_value(m->tracestate, sizeof(m->tracestate), v, vl);	/* longer: dropped whole */
	}
	for (int i = 0; interest && interest[i] && m->nheaders < HTTP1_HEADERS_MAX; i++) {
		if (strlen(interest[i]) != nl || strncasecmp(interest[i], name, nl))
			continue;
		struct http1_header *h = &m->headers[m->nheaders++];

		copy_value(h->name, sizeof(h->name), interest[i], strlen(interest[i]));
		copy_value(h->value, sizeof(h->value), v, vl);
	}
}

/* The start line: "GET /x HTTP/1.1" or "HTTP/1.1 200 OK". 0, or -1 when it is neither. */
static int start_line(struct http1_msg *m, const char *l, size_t n)
{
	const char *sp = memchr(l, ' ', n), *sp2;

	if (!sp)
		return -1;
	if (!m->is_request) {
		if (n < 12 || strncmp(l, "HTTP/1.", 7) || !isdigit((unsigned char)l[9]))
			return -1;
		m->minor = l[7] - '0';
		m->status = atoi(l + 9);
		return 0;
	}
	copy_value(m->method, sizeof(m->method), l, (size_t)(sp - l));
	sp++;
	sp2 = memchr(sp, ' ', n - (size_t)(sp - l));
	copy_value(m->path, sizeof(m->path), sp, sp2 ? (size_t)(sp2 - sp) : n - (size_t)(sp - l));
	if (sp2 && (size_t)(l + n - sp2) >= 9 && !strncmp(sp2 + 1, "HTTP/1.", 7))
		m->minor = sp2[8] - '0';
	return 0;
}

/* Parses the head in h[0..n): the start line and every complete header line. */
static void parse_head(struct http1_stream *st, const char *h, size_t n)
{
	struct http1_msg *m = &st->msg;
	const char *end = h + n, *l = h;
	int first = 1;

	m->content_length = -1;
	m->minor = 1;
	while (l < end) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - l);
		if (len && l[len - 1] == '\r')
			len--;
		if (first) {
			start_line(m, l, len);
			m->keep_alive = m->minor >= 1;
			first = 0;
		} else if (len) {
			const char *colon = memchr(l, ':', len), *v;

			if (colon) {
				v = colon + 1;
				while (v < l + len && (*v == ' ' || *v == '\t'))
					v++;
				header(m, st->interest, l, (size_t)(colon - l), v,
				       (size_t)(l + len - v));
			}
		}
		l = nl + 1;
	}
}

static void finish(struct http1_stream *st, uint64_t ts)
{
	st->msg.end_ts = ts;
	st->state = H1_IDLE;
	st->remaining = 0;
	st->on_msg(st->ctx, &st->msg, 1);
}

/* A message begun and not ended (its end is still to come, or was not seen). */
static int msg_open(const struct http1_stream *st)
{
	return st->msg.start_ts && !st->msg.end_ts;
}

/* After the head: where the body ends (RFC 9112 6.3). */
static void body_state(struct http1_stream *st, uint64_t ts)
{
	struct http1_msg *m = &st->msg;

	if (!m->is_request && ((m->status >= 100 && m->status < 200) || m->status == 204 ||
			       m->status == 304 || (st->no_body && st->no_body(st->ctx)))) {
		finish(st, ts);
	} else if (m->chunked) {
		st->state = H1_CHUNK_SIZE;
		st->hlen = 0;
	} else if (m->content_length > 0) {
		st->state = H1_BODY_LEN;
		st->remaining = (uint64_t)m->content_length;
	} else if (m->content_length == 0 || m->is_request) {
		finish(st, ts);
	} else {
		st->state = H1_BODY_CLOSE;
	}
}

static void begin(struct http1_stream *st, int is_request, uint64_t ts)
{
	memset(&st->msg, 0, sizeof(st->msg));
	st->msg.is_request = is_request;
	st->msg.start_ts = ts;
	st->state = H1_HEAD;
	st->hlen = 0;
}

/* Head bytes from d: returns how many were used; ends the head when its blank line came. */
static size_t head_bytes(struct http1_stream *st, const uint8_t *d, size_t n, uint64_t ts)
{
	size_t room = sizeof(st->hbuf) - st->hlen, take = n < room ? n : room;
	size_t from = st->hlen > 3 ? st->hlen - 3 : 0, old = st->hlen;

	memcpy(st->hbuf + st->hlen, d, take);
	st->hlen += take;
	for (size_t i = from; i + 4 <= st->hlen; i++) {
		if (memcmp(st->hbuf + i, "\r\n\r\n", 4))
			continue;
		size_t used = i + 4 - old;	/* before body_state reuses hbuf for chunk lines */

		st->hlen = i + 4;
		st->msg.head_bytes = st->hlen;
		parse_head(st, st->hbuf, st->hlen);
		st->on_msg(st->ctx, &st->msg, 0);
		body_state(st, ts);
		return used;
	}
	return take;
}

/* The head could not be completed (it ran past the copy window or HTTP1_HDR_MAX): what
 * was seen is reported, a request ends here, a response waits for the next message. */
static void head_cut(struct http1_stream *st, uint64_t ts)
{
	st->msg.head_truncated = 1;
	st->msg.head_bytes = st->hlen;
	parse_head(st, st->hbuf, st->hlen);
	st->on_msg(st->ctx, &st->msg, 0);
	if (st->msg.is_request)
		finish(st, ts);
	st->state = H1_LOST;
}

/* Chunk-size or trailer line bytes: 1 when a line ended (in hbuf, hlen bytes). */
static int line_bytes(struct http1_stream *st, const uint8_t *d, size_t n, size_t *used)
{
	const uint8_t *nl = memchr(d, '\n', n);
	size_t take = nl ? (size_t)(nl - d) + 1 : n;

	*used = take;
	if (st->hlen + take < 64) {	/* long chunk extensions are cut, not kept */
		memcpy(st->hbuf + st->hlen, d, take);
		st->hlen += take;
	}
	return nl != NULL;
}

void http1_feed(struct http1_stream *st, const uint8_t *data, size_t len, uint64_t total,
		uint64_t ts)
{
	uint64_t unseen = total > len ? total - len : 0;
	size_t pos = 0, used;

	if (st->state == H1_OPAQUE)
		return;
	uint64_t prev_ts = st->last_ts;

	st->last_ts = ts;
	while (pos < len) {
		const uint8_t *d = data + pos;
		size_t n = len - pos;
		int kind;

		switch (st->state) {
		case H1_IDLE:
		case H1_LOST:
			if (*d == '\r' || *d == '\n') {	/* CRLF between messages (RFC 9112 2.2) */
				pos++;
				continue;
			}
			kind = http1_sniff(d, n);
			/* a chunked body whose framing was lost: its last chunk, copied whole */
			if (kind < 0 && st->state == H1_LOST && msg_open(st) && st->msg.chunked &&
			    !unseen && n >= 5 && !memcmp(d + n - 5, "0\r\n\r\n", 5)) {
				st->msg.body_bytes += n - 5;
				finish(st, ts);
				return;
			}
			if (kind < 0 || (st->want_request >= 0 && kind != st->want_request)) {
				/* whether the connection speaks HTTP at all is the caller's call
				 * (http_conn.c sniffs): here, wait for the next message */
				st->state = H1_LOST;
				return;
			}
			if (msg_open(st))	/* its end was not seen: it ended before this */
				finish(st, prev_ts);
			begin(st, kind, ts);
			break;
		case H1_HEAD:
			pos += head_bytes(st, d, n, ts);
			if (st->state == H1_OPAQUE) {	/* the caller switched protocols */
				st->opaque_at = pos;
				return;
			}
			if (st->state == H1_HEAD && (unseen || st->hlen == sizeof(st->hbuf))) {
				head_cut(st, ts);
				return;
			}
			break;
		case H1_BODY_LEN:
		case H1_CHUNK_DATA:
		case H1_CHUNK_CRLF:
			used = n < st->remaining ? n : (size_t)st->remaining;
			pos += used;
			st->remaining -= used;
			if (st->state != H1_CHUNK_CRLF)
				st->msg.body_bytes += used;
			if (st->remaining)
				break;
			if (st->state == H1_BODY_LEN) {
				finish(st, ts);
			} else if (st->state == H1_CHUNK_DATA) {
				st->state = H1_CHUNK_CRLF;
				st->remaining = 2;
			} else {
				st->state = H1_CHUNK_SIZE;
				st->hlen = 0;
			}
			break;
		case H1_CHUNK_SIZE:
			if (!line_bytes(st, d, n, &used)) {
				pos += used;
				break;
			}
			pos += used;
			st->hbuf[st->hlen < sizeof(st->hbuf) ? st->hlen : sizeof(st->hbuf) - 1] = 0;
			st->remaining = strtoull(st->hbuf, NULL, 16);
			st->hlen = 0;
			st->state = st->remaining ? H1_CHUNK_DATA : H1_TRAILER;
			break;
		case H1_TRAILER:
			if (!line_bytes(st, d, n, &used)) {
				pos += used;
				break;
			}
			pos += used;
			if (st->hlen <= 2)	/* the empty line: "\r\n" or "\n" */
				finish(st, ts);
			st->hlen = 0;
			break;
		case H1_BODY_CLOSE:
			st->msg.body_bytes += n;
			pos = len;
			break;
		case H1_OPAQUE:
			return;
		}
	}
	if (!unseen)
		return;
	/* Bytes past the window: counted where the framing says how many, else lost. */
	if (st->state == H1_BODY_LEN || st->state == H1_CHUNK_DATA) {
		used = unseen < st->remaining ? unseen : st->remaining;
		st->remaining -= used;
		st->msg.body_bytes += used;
		unseen -= used;
		if (!st->remaining && st->state == H1_BODY_LEN)
			finish(st, ts);
		else if (!st->remaining)
			st->state = H1_CHUNK_CRLF, st->remaining = 2;
		if (!unseen)
			return;
	}
	if (st->state == H1_BODY_CLOSE) {
		st->msg.body_bytes += unseen;
		return;
	}
	if (st->state == H1_HEAD) {
		head_cut(st, ts);
		return;
	}
	if (st->state != H1_OPAQUE) {
		if (msg_open(st) && st->state != H1_IDLE)
			st->msg.body_bytes += unseen;	/* most likely the rest of its body */
		st->state = H1_LOST;
	}
}

void http1_close(struct http1_stream *st, uint64_t ts)
{
	if (st->state == H1_OPAQUE)
		return;
	if (st->state == H1_HEAD)
		head_cut(st, ts);
	if (msg_open(st))
		finish(st, st->state == H1_BODY_CLOSE ? ts : st->last_ts);
}

void http1_msg_header(struct http1_msg *m, const char *const *interest, const char *name,
		      size_t nl, const char *v, size_t vl)
{
	header(m, interest, name, nl, v, vl);
}
