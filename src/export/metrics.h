/* --metrics ADDR:PORT: the session's in-kernel aggregates served at /metrics in the
 * Prometheus text format (docs/exporters.md), by libmicrohttpd on a thread of its own. */
#ifndef LT_METRICS_H
#define LT_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct session;
struct metrics;

struct metrics_opts {
	const char *addr;	/* HOST:PORT, [V6]:PORT; port 0: any free one */
	bool public_ok;		/* --metrics-public: a non-loopback address is allowed */
	const char *token_file;	/* --metrics-token-file, else $LTRACE_EBPF_METRICS_TOKEN,
				 * else a random token */
	size_t max_series;	/* --metrics-max-series (0: the default) */
};

#define METRICS_MAX_SERIES_DEFAULT 50000

/* Binds and starts serving (before the target starts: nothing to undo on failure), prints
 * the URL and token line on stderr; NULL after one line on stderr. */
struct metrics *metrics_open(const struct metrics_opts *o);
/* Serves s from now on: scrapes ask s's loop for the aggregates. 0 or -errno. */
int metrics_attach(struct metrics *m, struct session *s);
/* On the loop's thread: the aggregates as they are now (after the script attached). */
void metrics_refresh(struct metrics *m);
/* Stops the server (waits for a scrape in progress) and frees; NULL is fine. */
void metrics_close(struct metrics *m);

#endif
