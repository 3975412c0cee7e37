/* Ids and traceparent (otlp_ids.h). */
#include <string.h>
#include <sys/random.h>
#include "otlp_ids.h"

static uint8_t pool[4096];
static size_t pool_left;

static bool all_zero(const uint8_t *id, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (id[i])
			return false;
	return true;
}

void otlp_random_id(uint8_t *id, size_t n)
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
	} while (all_zero(id, n));
}

void otlp_hex(char *out, const uint8_t *id, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * n] = 0;
}

/* n bytes from 2n lowercase hex digits (W3C: uppercase is invalid). */
static bool unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++) {
		int v = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
			s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 : -1;

		if (v < 0)
			return false;
		if (i & 1)
			out[i / 2] |= v;
		else
			out[i / 2] = v << 4;
	}
	return true;
}

bool otlp_traceparent_parse(const char *t, uint8_t trace_id[16], uint8_t span_id[8])
{
	uint8_t version, flags;

	if (strlen(t) != OTLP_TRACEPARENT_LEN || t[2] != '-' || t[35] != '-' || t[52] != '-')
		return false;
	if (!unhex(t, &version, 1) || version == 0xff || !unhex(t + 3, trace_id, 16) ||
	    !unhex(t + 36, span_id, 8) || !unhex(t + 53, &flags, 1))
		return false;
	return !all_zero(trace_id, 16) && !all_zero(span_id, 8);
}

void otlp_traceparent_format(char *out, const uint8_t trace_id[16], const uint8_t span_id[8])
{
	memcpy(out, "00-", 3);
	otlp_hex(out + 3, trace_id, 16);
	out[35] = '-';
	otlp_hex(out + 36, span_id, 8);
	memcpy(out + 52, "-01", 4);
}
