/* Trace and span ids: random (W3C Trace Context wants them unpredictable and not all
 * zero), as lowercase hex (the OTLP JSON mapping's form, not proto3's base64), and the
 * W3C traceparent header that carries them ("00-TRACEID-SPANID-FLAGS"). */
#ifndef LT_TRACE_IDS_H
#define LT_TRACE_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "traceparent.h"

/* n random bytes, never all zero (from getrandom, buffered). One thread only: the loop's. */
void trace_random_id(uint8_t *id, size_t n);
/* 2n lowercase hex digits and a NUL into out. */
void trace_hex(char *out, const uint8_t *id, size_t n);
/* Parses a traceparent (traceparent_parse: an invalid one, all-zero ids or version ff are
 * refused, as the W3C spec asks); true when valid. */
bool traceparent_ids_parse(const char *text, uint8_t trace_id[16], uint8_t span_id[8]);
/* "00-TRACEID-SPANID-01" into out (TRACEPARENT_LEN + 1 bytes). */
void traceparent_format(char *out, const uint8_t trace_id[16], const uint8_t span_id[8]);

#endif
