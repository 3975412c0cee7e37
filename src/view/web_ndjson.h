/* --ndjson-fd FD: a session child of --http (web_sessions.c) hands its events to the parent
 * on fd FD, one line each, encoded as --json encodes them (json_enc_event; docs/json.md):
 * a tap on the session's records (session_add_tap). */
#ifndef LT_WEB_NDJSON_H
#define LT_WEB_NDJSON_H

struct session;

/* Every record from now on, as one line of JSON written to fd by the loop (blocking: the
 * reader is the --http parent, which keeps up or counts). NULL and errno on failure; free
 * with web_ndjson_close (after the session). */
struct web_ndjson;
struct web_ndjson *web_ndjson_open(struct session *s, int fd);
void web_ndjson_close(struct web_ndjson *n);

#endif
