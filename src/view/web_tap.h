/* A second consumer of the session's records beside the script's callbacks: the tap takes
 * the sink the Lua layer installed and hands each record to it, then to its own function.
 * Used by --http (the live events) and by --ndjson-fd (a session child's events). */
#ifndef LT_WEB_TAP_H
#define LT_WEB_TAP_H

#include "session.h"

struct web_tap {
	session_sink_fn prev, fn;
	void *prev_ctx, *ctx;
};

/* After the script's sink is installed (script_new): t must outlive the session's sink. */
void web_tap_install(struct session *s, struct web_tap *t, session_sink_fn fn, void *ctx);

/* --ndjson-fd FD: every record, as one line of JSON (web_encode.h), written to fd by the
 * loop (blocking: the reader is the --http parent, which keeps up or counts). NULL and
 * errno on failure; free with web_ndjson_close (after the session). */
struct web_ndjson;
struct web_ndjson *web_ndjson_open(struct session *s, int fd);
void web_ndjson_close(struct web_ndjson *n);

#endif
