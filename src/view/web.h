/* --http ADDR:PORT: the session in a browser (docs/web.md). One page (web/index.html,
 * embedded at build time), live events over Server-Sent Events, the aggregates and drop
 * counters, filters written to the probes' config maps, and sessions run as child
 * ltrace-ebpf processes. Served by libmicrohttpd on its own thread (http_serve.h): the
 * event loop only hands records to a bounded ring and answers short requests. */
#ifndef LT_WEB_H
#define LT_WEB_H

#include <stdbool.h>
#include <stddef.h>

struct session;
struct web;

struct web_opts {
	const char *addr;	/* HOST:PORT (port 0: any free one) */
	bool public_ok;		/* --http-public: a non-loopback address is allowed */
	const char *token_file;	/* --http-token-file, else $LTRACE_EBPF_HTTP_TOKEN, else random */
	const char *jwt_key;	/* --http-jwt-key FILE: HS256 tokens signed with it are let in too */
	unsigned keep;		/* --http-keep N: finished sessions kept (default 8) */
};

#define WEB_KEEP_DEFAULT 8

/* Binds and starts serving (before the target starts), prints the URL with its token on
 * stderr as one line starting "http://"; NULL after one line on stderr. */
struct web *web_open(const struct web_opts *o);
/* Serves s from now on (its records, aggregates, probes); 0 or -errno. */
int web_attach(struct web *w, struct session *s);
/* On the loop's thread: the aggregates as they are now (after the script attached). */
void web_refresh(struct web *w);
/* Stops the server and the sessions it started; NULL is fine. */
void web_close(struct web *w);

#endif
