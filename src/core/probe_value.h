/* A kind's event field as a C value: what a provider's `field` hook hands the scripting
 * layer, which turns it into its own values (src/lua/l_probe_value.c), so that a provider
 * decodes records without knowing who reads them. */
#ifndef LT_PROBE_VALUE_H
#define LT_PROBE_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include "fetch.h"

enum probe_value_kind {
	PV_NIL,		/* not in this record (or a capture that faulted) */
	PV_INT,
	PV_BOOL,
	PV_STR,		/* bytes, len of them, no NUL needed */
	PV_INTS,	/* a sequence of n integers, read one by one through elem */
	PV_FIELDS,	/* every named field of the record: the provider's field_at */
};

struct probe_value {
	enum probe_value_kind kind;
	int64_t i;			/* PV_INT, PV_BOOL */
	const uint8_t *bytes;		/* PV_STR: the string; PV_INTS: the record elem reads */
	size_t len;
	size_t n;			/* PV_INTS: how many; PV_FIELDS: how many (a size hint) */
	const void *ctx;		/* PV_INTS: what elem reads (e.g. a tracepoint field) */
	/* PV_INTS: element i; nonzero ends the sequence there */
	int (*elem)(const struct probe_value *v, size_t i, int64_t *out);
};

static inline struct probe_value probe_value_int(int64_t i)
{
	return (struct probe_value){ .kind = PV_INT, .i = i };
}

static inline struct probe_value probe_value_str(const char *s, size_t len)
{
	return (struct probe_value){ .kind = PV_STR, .bytes = (const uint8_t *)s, .len = len };
}

/* Capture `index` of a record's data (len bytes) decoded as type: a string, an integer,
 * or nil when missing or faulted. */
struct probe_value probe_value_capture(const uint8_t *data, uint32_t len, int index,
				       enum value_type type);

#endif
