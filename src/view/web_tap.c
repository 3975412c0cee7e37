/* The record tap and its --ndjson-fd writer (web_tap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "web_encode.h"
#include "web_tap.h"

static void tap(void *ctx, struct session *s, const struct lt_rec *rec)
{
	struct web_tap *t = ctx;

	if (t->prev)
		t->prev(t->prev_ctx, s, rec);
	t->fn(t->ctx, s, rec);
}

void web_tap_install(struct session *s, struct web_tap *t, session_sink_fn fn, void *ctx)
{
	t->prev = s->sink;
	t->prev_ctx = s->sink_ctx;
	t->fn = fn;
	t->ctx = ctx;
	session_set_sink(s, tap, t);
}

struct web_ndjson {
	struct web_tap tap;
	int fd;
	bool broken;
	char line[65536];
};

static void write_all(struct web_ndjson *n, const char *p, size_t len)
{
	while (len && !n->broken) {
		ssize_t w = write(n->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			n->broken = true;	/* the reader is gone: the session goes on */
			return;
		}
		p += w;
		len -= w;
	}
}

static void to_fd(void *ctx, struct session *s, const struct lt_rec *rec)
{
	struct web_ndjson *n = ctx;
	int len = web_encode_rec(s, rec, n->line, sizeof(n->line) - 1);

	if (len < 0 || len >= (int)sizeof(n->line) - 1)
		return;
	n->line[len] = '\n';
	write_all(n, n->line, len + 1);
}

struct web_ndjson *web_ndjson_open(struct session *s, int fd)
{
	struct web_ndjson *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->fd = fd;
	web_tap_install(s, &n->tap, to_fd, n);
	return n;
}

void web_ndjson_close(struct web_ndjson *n)
{
	free(n);
}
