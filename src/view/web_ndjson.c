/* The --ndjson-fd writer (web_ndjson.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include "json_enc.h"
#include "probe.h"
#include "session.h"
#include "web_ndjson.h"

struct web_ndjson {
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
	struct probe *p = session_probe(s, rec->probe);
	long len;

	if (!p)	/* as --json: nothing of a probe gone */
		return;
	len = json_enc_line(json_enc_event(p, rec), n->line, sizeof(n->line) - 1);
	if (len < 0 || len >= (long)sizeof(n->line) - 1)
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
	if (session_add_tap(s, to_fd, NULL, n)) {
		free(n);
		errno = ENOSPC;
		return NULL;
	}
	return n;
}

void web_ndjson_close(struct web_ndjson *n)
{
	free(n);
}
