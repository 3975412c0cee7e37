/* HTTP/2 frames and streams of one connection (http2.h). Each direction is read frame by
 * frame: a 9-byte header, then a payload counted by its length, so bytes past the copy
 * window only shorten what is kept of a frame, never where the next one starts, as long as
 * the bytes not copied end inside the frame that was being read. When they run past it
 * (a frame header was never copied) the direction is out of sync: it waits for a call whose
 * bytes start with well-formed frames, and its HPACK table is taken as lost, since a header
 * block may have gone by unseen. */
#include <stdlib.h>
#include <string.h>
#include "http2.h"
#include "http2_hpack.h"

static const char PREFACE[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define PREFACE_LEN 24
#define PREFACE_SNIFF 16	/* "PRI * HTTP/2.0\r\n": enough to tell */

enum { F_DATA, F_HEADERS, F_PRIORITY, F_RST, F_SETTINGS, F_PUSH, F_PING, F_GOAWAY, F_WINDOW, F_CONT };
#define FL_END_STREAM 0x01
#define FL_ACK 0x01
#define FL_END_HEADERS 0x04
#define FL_PADDED 0x08
#define FL_PRIORITY 0x20
#define SETTINGS_HEADER_TABLE_SIZE 1
#define FRAME_PLAUSIBLE_MAX (1u << 20)	/* larger: text or TLS records, not a frame */

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t be31(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) & 0x7fffffff;
}

/* A frame header that follows RFC 9113 section 6's rules on types, lengths and streams. */
static int plausible(const uint8_t *f)
{
	uint32_t len = be24(f), sid = be31(f + 5);

	if ((f[5] & 0x80) || len > FRAME_PLAUSIBLE_MAX)
		return 0;
	switch (f[3]) {
	case F_DATA: case F_HEADERS: case F_CONT: case F_PUSH:
		return sid != 0;
	case F_PRIORITY:
		return sid && len == 5;
	case F_RST:
		return sid && len == 4;
	case F_SETTINGS:
		return !sid && len % 6 == 0;
	case F_PING:
		return !sid && len == 8;
	case F_GOAWAY:
		return !sid && len >= 8;
	case F_WINDOW:
		return len == 4;
	}
	return 0;
}

/* How many well-formed frames data's first len bytes begin (the last may run past them);
 * *end is where the last one ends. 0 when a header there is not one. */
static int frames(const uint8_t *d, size_t len, size_t *end)
{
	size_t off = 0;
	int n = 0;

	while (off + 9 <= len) {
		if (!plausible(d + off))
			return 0;
		off += 9 + be24(d + off);
		n++;
	}
	*end = off;
	return n;
}

int http2_sniff(const uint8_t *data, size_t len, uint64_t total)
{
	size_t end;

	if (len >= PREFACE_SNIFF && !memcmp(data, PREFACE, len < PREFACE_LEN ? len : PREFACE_LEN))
		return 1;
	if (len != total || !frames(data, len, &end) || end != len)
		return 0;
	/* a server may speak first: its preface is a SETTINGS frame (RFC 9113 3.4) */
	return data[3] == F_SETTINGS && !(data[4] & FL_ACK) ? 3 : 2;
}

struct http2_conn *http2_new(const char *const *interest, int sniffed, int outbound,
			     h2_exchange_fn fn, void *ctx)
{
	struct http2_conn *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->interest = interest;
	h->on_exchange = fn;
	h->ctx = ctx;
	h->in.inflater = h2_hpack_new();
	h->out.inflater = h2_hpack_new();
	if (!h->in.inflater || !h->out.inflater) {
		http2_free(h);
		return NULL;
	}
	h->in.synced = h->out.synced = 1;
	if (sniffed == 1) {
		(outbound ? &h->out : &h->in)->preface = PREFACE_LEN;
	} else if (sniffed == 3) {	/* the server's preface: the client's is still to come */
		(outbound ? &h->in : &h->out)->preface = PREFACE_LEN;
	} else {	/* met after its preface: the tables were filled before we came */
		h->in.hpack_lost = h->out.hpack_lost = 1;
		(outbound ? &h->in : &h->out)->synced = 0;
	}
	return h;
}

void http2_free(struct http2_conn *h)
{
	if (!h)
		return;
	for (int i = 0; i < H2_STREAMS_MAX; i++)
		free(h->streams[i]);
	h2_hpack_free(h->in.inflater);
	h2_hpack_free(h->out.inflater);
	free(h->in.block);
	free(h->out.block);
	free(h);
}

/* ---- streams ---------------------------------------------------------------------- */

static void msg_init(struct h2_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->grpc_status = -1;
	m->m.content_length = -1;
	m->m.keep_alive = 1;
}

static struct h2_stream *find(struct http2_conn *h, uint32_t sid)
{
	for (int i = 0; i < H2_STREAMS_MAX; i++)
		if (h->streams[i] && h->streams[i]->id == sid)
			return h->streams[i];
	return NULL;
}

/* Hands the exchange on and lets the stream go. */
static void report(struct http2_conn *h, struct h2_stream *s, int answered)
{
	h->on_exchange(h->ctx, &s->req, answered && s->resp_head ? &s->resp : NULL);
	h->streams[s->slot] = NULL;
	free(s);
}

/* A new stream (NULL: out of memory); when all slots are taken the oldest stream is
 * reported unanswered. Streams are allocated as they open: a connection costs what it
 * has in flight. */
static struct h2_stream *open_stream(struct http2_conn *h, uint32_t sid)
{
	struct h2_stream *s, *oldest = NULL;
	int slot = -1;

	for (int i = 0; i < H2_STREAMS_MAX && slot < 0; i++) {
		if (!h->streams[i])
			slot = i;
		else if (!oldest || h->streams[i]->req.m.start_ts < oldest->req.m.start_ts)
			oldest = h->streams[i];
	}
	if (slot < 0) {
		h->dropped++;
		slot = (int)oldest->slot;
		report(h, oldest, 0);
	}
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	s->id = sid;
	s->slot = (unsigned)slot;
	h->streams[slot] = s;
	return s;
}

int http2_upgraded(struct http2_conn *h, const struct http1_msg *req)
{
	struct h2_stream *s = open_stream(h, 1);

	if (!s)
		return -1;
	msg_init(&s->req);
	s->req.m = *req;	/* its stream stays 0: the link knows it as HTTP/1's */
	return 0;
}

/* Whether bytes going this way come from the client. */
static int from_client(const struct http2_conn *h, int outbound)
{
	return (outbound != 0) == (h->role == H2_ROLE_CLIENT);
}

/* ---- header blocks ---------------------------------------------------------------- */

static void decode(struct http2_conn *h, struct h2_dir *d, struct h2_msg *m)
{
	msg_init(m);
	if (!d->block_cut && !d->hpack_lost &&
	    !h2_hpack_decode(d->inflater, d->block, d->block_len, m, h->interest))
		return;
	/* not copied whole, or the table already wrong: from here on this direction's table
	 * is not the peer's; what the block says by itself is still read */
	d->hpack_lost = 1;
	h->blocks_lost++;
	msg_init(m);
	m->headers_lost = 1;
	if (!d->block_cut)
		h2_hpack_decode_partial(d->block, d->block_len, m, h->interest);
}

/* The role, when not known yet: a request's :method or a response's :status says who sent
 * it even without the table (both are in HPACK's static table for the common values);
 * else the side that opens a client stream (odd id) with HEADERS is the client. */
static void decide_role(struct http2_conn *h, int outbound, const struct h2_msg *m)
{
	int client;

	if (m->m.method[0])
		client = 1;
	else if (m->m.status)
		client = 0;
	else
		client = 1;
	h->role = (client == (outbound != 0)) ? H2_ROLE_CLIENT : H2_ROLE_SERVER;
}

static void headers_done(struct http2_conn *h, struct h2_dir *d, int outbound, uint64_t ts)
{
	struct h2_msg m;
	struct h2_stream *s;
	uint32_t sid = d->block_sid;
	int end = d->block_end_stream;

	decode(h, d, &m);
	d->block_open = 0;
	if (!sid) {	/* PUSH_PROMISE: decoded for the table's sake only */
		h->pushed++;
		return;
	}
	m.m.head_bytes = d->block_len;
	m.m.start_ts = d->block_ts;
	m.m.end_ts = ts;
	if (h->role == H2_ROLE_UNKNOWN) {
		if (!(sid & 1))
			return;
		decide_role(h, outbound, &m);
	}
	s = find(h, sid);
	if (!s) {
		/* a stream not seen opened (met mid-exchange) or pushed (even ids, counted at
		 * their PUSH_PROMISE): not followed */
		if (!from_client(h, outbound) || !(sid & 1))
			return;
		if (!(s = open_stream(h, sid)))
			return;
		s->req = m;
		s->req.m.is_request = 1;
		s->req.m.stream = sid;
		if (h->on_begin)
			h->on_begin(h->ctx, &s->req);
		return;
	}
	if (from_client(h, outbound)) {		/* request trailers */
		s->req.m.head_bytes += m.m.head_bytes;
		s->req.headers_lost |= m.headers_lost;
		s->req.m.end_ts = ts;
		return;
	}
	if (!s->resp_head) {
		if (m.m.status >= 100 && m.m.status < 200)
			return;		/* interim: the response is still to come */
		s->resp = m;
		s->resp_head = 1;
	} else {			/* trailers: gRPC's status is there */
		s->resp.m.head_bytes += m.m.head_bytes;
		s->resp.headers_lost |= m.headers_lost;
		if (m.grpc_status >= 0)
			s->resp.grpc_status = m.grpc_status;
		if (m.grpc_message[0])
			memcpy(s->resp.grpc_message, m.grpc_message, sizeof(m.grpc_message));
		s->resp.m.end_ts = ts;
	}
	if (end)
		report(h, s, 1);
}

/* Appends n payload bytes of a header block frame (NULL: n bytes not copied). */
static void block_bytes(struct h2_dir *d, const uint8_t *p, size_t n)
{
	if (!p || d->block_len + n > H2_BLOCK_MAX) {
		d->block_cut = 1;
		return;
	}
	if (d->block_len + n > d->block_cap) {
		size_t cap = d->block_cap ? d->block_cap : 1024;
		uint8_t *b;

		while (cap < d->block_len + n)
			cap *= 2;
		if (!(b = realloc(d->block, cap))) {
			d->block_cut = 1;
			return;
		}
		d->block = b;
		d->block_cap = cap;
	}
	memcpy(d->block + d->block_len, p, n);
	d->block_len += n;
}

static int carries_block(uint8_t type)
{
	return type == F_HEADERS || type == F_CONT || type == F_PUSH;
}

/* ---- frames ----------------------------------------------------------------------- */

static void frame_begin(struct h2_dir *d)
{
	d->len = d->remaining = be24(d->fh);
	d->type = d->fh[3];
	d->flags = d->fh[4];
	d->sid = be31(d->fh + 5);
	d->cut = 0;
	d->kept = 0;
	if (d->type == F_HEADERS || d->type == F_PUSH) {
		if (d->block_open)	/* a block left open: RFC 9113 forbids it; start over */
			d->block_cut = 1;
		d->block_len = 0;
		d->block_cut = 0;
		d->block_open = 1;
		d->block_sid = d->type == F_PUSH ? 0 : d->sid;
		d->block_end_stream = d->type == F_HEADERS && (d->flags & FL_END_STREAM);
		d->block_ts = d->frame_ts;
	}
	d->frag_start = d->block_len;
}

/* Payload bytes of the current frame (NULL: n bytes not copied). */
static void payload(struct h2_dir *d, const uint8_t *p, size_t n)
{
	if (!p)
		d->cut = 1;
	if (carries_block(d->type) && d->block_open) {
		block_bytes(d, p, n);
	} else if (p && d->kept < H2_KEEP_MAX) {
		size_t k = n < H2_KEEP_MAX - d->kept ? n : H2_KEEP_MAX - d->kept;

		memcpy(d->keep + d->kept, p, k);
		d->kept += (unsigned)k;
	}
}

/* HEADERS and PUSH_PROMISE carry padding and fields before their block fragment: keep the
 * fragment alone. */
static void fragment(struct h2_dir *d)
{
	size_t start = d->frag_start, skip = 0, pad = 0, n = d->block_len - start;
	uint8_t *f = d->block + start;

	if (d->block_cut)
		return;
	if ((d->type == F_HEADERS || d->type == F_PUSH) && (d->flags & FL_PADDED) && n)
		pad = f[0], skip = 1;
	if (d->type == F_HEADERS && (d->flags & FL_PRIORITY))
		skip += 5;
	if (d->type == F_PUSH)
		skip += 4;
	if (skip + pad > n) {
		d->block_cut = 1;
		return;
	}
	memmove(f, f + skip, n - skip - pad);
	d->block_len = start + n - skip - pad;
}

static void data_frame(struct http2_conn *h, struct h2_dir *d, int outbound, uint64_t ts)
{
	struct h2_stream *s = h->role == H2_ROLE_UNKNOWN ? NULL : find(h, d->sid);
	struct h2_msg *m;
	uint32_t n = d->len;

	if (!s)
		return;
	if ((d->flags & FL_PADDED) && d->kept && d->keep[0] + 1u <= n)
		n -= d->keep[0] + 1u;
	m = from_client(h, outbound) ? &s->req : &s->resp;
	m->m.body_bytes += n;
	m->m.end_ts = ts;
	if ((d->flags & FL_END_STREAM) && !from_client(h, outbound))
		report(h, s, 1);
}

static void settings_frame(struct http2_conn *h, struct h2_dir *d)
{
	/* this side's table size limit binds what the other side's encoder may use */
	struct h2_dir *other = d == &h->in ? &h->out : &h->in;

	if (d->flags & FL_ACK)
		return;
	for (unsigned i = 0; i + 6 <= d->kept; i += 6)
		if ((d->keep[i] << 8 | d->keep[i + 1]) == SETTINGS_HEADER_TABLE_SIZE)
			h2_hpack_table_size(other->inflater, (uint32_t)d->keep[i + 2] << 24 |
					    (uint32_t)d->keep[i + 3] << 16 |
					    (uint32_t)d->keep[i + 4] << 8 | d->keep[i + 5]);
}

/* Streams a GOAWAY says were never processed: the client's streams past its last id. */
static void goaway_frame(struct http2_conn *h, struct h2_dir *d, int outbound)
{
	uint32_t last;

	if (d->kept < 4 || h->role == H2_ROLE_UNKNOWN || from_client(h, outbound))
		return;
	last = be31(d->keep);
	for (int i = 0; i < H2_STREAMS_MAX; i++)
		if (h->streams[i] && h->streams[i]->id > last)
			report(h, h->streams[i], 0);
}

static void frame_end(struct http2_conn *h, struct h2_dir *d, int outbound, uint64_t ts)
{
	struct h2_stream *s;

	switch (d->type) {
	case F_DATA:
		data_frame(h, d, outbound, ts);
		break;
	case F_HEADERS: case F_PUSH: case F_CONT:
		if (!d->block_open || (d->type == F_CONT && d->sid != d->block_sid &&
				       d->block_sid))
			break;
		fragment(d);
		if (d->flags & FL_END_HEADERS)
			headers_done(h, d, outbound, ts);
		break;
	case F_RST:
		if ((s = find(h, d->sid))) {
			s->req.reset = d->kept >= 4 ? (int)be31(d->keep) + 1 : 1;
			s->resp.reset = s->req.reset;
			s->resp.m.end_ts = ts;
			report(h, s, 1);
		}
		break;
	case F_SETTINGS:
		if (!d->cut)
			settings_frame(h, d);
		break;
	case F_GOAWAY:
		goaway_frame(h, d, outbound);
		break;
	}
}

/* The bytes not copied run past the frame being read: where frames begin is lost. */
static void desync(struct http2_conn *h, struct h2_dir *d, int outbound)
{
	/* what these streams move this way from now on is not all seen: say so on them */
	for (int i = 0; i < H2_STREAMS_MAX && h->role != H2_ROLE_UNKNOWN; i++) {
		struct h2_stream *s = h->streams[i];

		if (s)
			(from_client(h, outbound) ? &s->req : &s->resp)->m.head_truncated = 1;
	}
	d->synced = 0;
	d->fh_len = 0;
	d->block_open = 0;
	d->hpack_lost = 1;
	h->desyncs++;
}

/* Back in step when a call's bytes start with well-formed frames (writers write whole
 * frames, and a reader that emptied the socket reads from a frame's start). */
static int resync(const uint8_t *p, size_t len)
{
	size_t end;

	return frames(p, len, &end) > 0;
}

static void feed_dir(struct http2_conn *h, struct h2_dir *d, int outbound, const uint8_t *p,
		     size_t len, uint64_t total, uint64_t ts)
{
	size_t i = 0;
	uint64_t unseen = total - len;

	d->last_ts = ts;
	if (d->preface) {	/* expected, not certain (a SETTINGS frame may be mid-connection) */
		size_t n = len < (size_t)d->preface ? len : (size_t)d->preface;

		if (memcmp(p, PREFACE + PREFACE_LEN - d->preface, n)) {
			n = 0;
			d->preface = 0;
		}
		i = n;
		d->preface -= (int)n;
	}
	if (!d->synced) {
		if (!resync(p + i, len - i))
			return;
		d->synced = 1;
	}
	while (i < len) {
		if (d->fh_len < 9) {
			if (!d->fh_len)
				d->frame_ts = ts;
			d->fh[d->fh_len++] = p[i++];
			if (d->fh_len == 9)
				frame_begin(d);
		} else {
			size_t n = len - i < d->remaining ? len - i : d->remaining;

			payload(d, p + i, n);
			d->remaining -= (uint32_t)n;
			i += n;
		}
		if (d->fh_len == 9 && !d->remaining) {
			frame_end(h, d, outbound, ts);
			d->fh_len = 0;
		}
	}
	while (unseen && d->synced) {
		if (d->fh_len < 9) {
			desync(h, d, outbound);
			break;
		}
		uint64_t n = unseen < d->remaining ? unseen : d->remaining;

		payload(d, NULL, (size_t)n);
		d->remaining -= (uint32_t)n;
		unseen -= n;
		if (!d->remaining) {
			frame_end(h, d, outbound, ts);
			d->fh_len = 0;
		}
	}
}

void http2_feed(struct http2_conn *h, int outbound, const uint8_t *data, size_t len,
		uint64_t total, uint64_t ts)
{
	if (len > total)
		len = (size_t)total;
	feed_dir(h, outbound ? &h->out : &h->in, outbound, data, len, total, ts);
}

void http2_close(struct http2_conn *h, uint64_t ts)
{
	for (int i = 0; i < H2_STREAMS_MAX; i++) {
		struct h2_stream *s = h->streams[i];
		struct h2_dir *d = h->role == H2_ROLE_CLIENT ? &h->in : &h->out;

		if (!s)
			continue;
		/* its end went by unseen (frames lost past the copy window): the last bytes
		 * its direction moved are the best bound */
		if (s->resp_head && !d->synced && d->last_ts > s->resp.m.end_ts)
			s->resp.m.end_ts = d->last_ts;
		report(h, s, 1);
	}
}
