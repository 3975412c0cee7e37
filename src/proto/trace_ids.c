/* Ids and traceparent (trace_ids.h). */
#include <string.h>
#include <sys/random.h>
#include "trace_ids.h"
#include "traceparent.h"

static uint8_t pool[4096];
static size_t pool_left;

void trace_random_id(uint8_t *id, size_t n)
{
	do {
		for (size_t i = 0; i < n; i++) {
			if (!pool_left) {	/* one syscall per 4 KiB of ids, not per span */
				if (getrandom(pool, sizeof(pool), 0) != (ssize_t)sizeof(pool))
					memset(pool, 0, sizeof(pool));	/* never: urandom's pool */
				pool_left = sizeof(pool);
			}
			id[i] = pool[--pool_left];
		}
	} while (traceparent_id_zero(id, n));
}

void trace_hex(char *out, const uint8_t *id, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * n] = 0;
}

/* A script's traceparent is checked as one from the traffic (src/proto/traceparent.c). */
bool traceparent_ids_parse(const char *t, uint8_t trace_id[16], uint8_t span_id[8])
{
	struct traceparent tp;

	if (!traceparent_parse(t, strlen(t), &tp))
		return false;
	memcpy(trace_id, tp.trace_id, 16);
	memcpy(span_id, tp.parent_id, 8);
	return true;
}

void traceparent_format(char *out, const uint8_t trace_id[16], const uint8_t span_id[8])
{
	memcpy(out, "00-", 3);
	trace_hex(out + 3, trace_id, 16);
	out[35] = '-';
	trace_hex(out + 36, span_id, 8);
	memcpy(out + 52, "-01", 4);
}
