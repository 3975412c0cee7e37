/* One ring-buffer record as one line of JSON (no newline): the page's live events and the
 * NDJSON a session child writes (web_tap.h). Kept in one function so that the project's
 * NDJSON encoder (src/export/json_*.c, docs/json.md) replaces it when it lands. */
#ifndef LT_WEB_ENCODE_H
#define LT_WEB_ENCODE_H

#include <stddef.h>

struct session;
struct lt_rec;

/* Writes the record's JSON into buf (NUL-terminated when it fits); its length, which may
 * be >= len (then buf holds nothing usable), or -1 on ENOMEM. */
int web_encode_rec(struct session *s, const struct lt_rec *rec, char *buf, size_t len);

#endif
