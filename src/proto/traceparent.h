/* W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header that
 * says which trace a request belongs to and which span made it. Validated as the spec
 * asks of a receiver, so a bad header starts a new trace instead of joining a wrong one. */
#ifndef LT_TRACEPARENT_H
#define LT_TRACEPARENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACEPARENT_LEN 55	/* version 00: "00-" 32 hex "-" 16 hex "-" 2 hex */

struct traceparent {
	uint8_t version;
	uint8_t trace_id[16];
	uint8_t parent_id[8];
	uint8_t flags;		/* bit 0: sampled */
};

/* Parses text (n bytes, surrounding spaces and tabs allowed): lowercase hex only, version
 * ff refused, version 00 exactly 55 characters, a later version 55 or more with a '-'
 * after them (its extra fields ignored), trace and parent ids not all zero. True when
 * valid; *out is then set. */
bool traceparent_parse(const char *text, size_t n, struct traceparent *out);
/* An id of n bytes from exactly 2n lowercase hex digits (len of them), not all zero. */
bool traceparent_id_parse(const char *text, size_t len, uint8_t *id, size_t n);
/* Whether the n bytes are all zero (an id W3C calls invalid). */
bool traceparent_id_zero(const uint8_t *id, size_t n);

#endif
