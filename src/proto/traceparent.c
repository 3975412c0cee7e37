/* traceparent.h: the W3C traceparent header, as a receiver must check it (section 3.2.2
 * and 4.3 of Trace Context Level 1: lowercase hex, no all-zero ids, version ff invalid,
 * a future version parsed by the 00 layout when what follows it starts with '-'). */
#include "traceparent.h"

bool traceparent_id_zero(const uint8_t *id, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (id[i])
			return false;
	return true;
}

/* n bytes from 2n lowercase hex digits: uppercase is invalid in traceparent. */
static bool unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++) {
		int v = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
			s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 : -1;

		if (v < 0)
			return false;
		if (i & 1)
			out[i / 2] |= (uint8_t)v;
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	return true;
}

bool traceparent_id_parse(const char *text, size_t len, uint8_t *id, size_t n)
{
	return len == 2 * n && unhex(text, id, n) && !traceparent_id_zero(id, n);
}

bool traceparent_parse(const char *t, size_t n, struct traceparent *out)
{
	struct traceparent tp;

	while (n && (*t == ' ' || *t == '\t'))	/* OWS around a header value */
		t++, n--;
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (n < TRACEPARENT_LEN || t[2] != '-' || t[35] != '-' || t[52] != '-')
		return false;
	if (!unhex(t, &tp.version, 1) || tp.version == 0xff)
		return false;
	if (tp.version == 0 ? n != TRACEPARENT_LEN : n > TRACEPARENT_LEN && t[55] != '-')
		return false;
	if (!unhex(t + 3, tp.trace_id, 16) || !unhex(t + 36, tp.parent_id, 8) ||
	    !unhex(t + 53, &tp.flags, 1))
		return false;
	if (traceparent_id_zero(tp.trace_id, 16) || traceparent_id_zero(tp.parent_id, 8))
		return false;
	*out = tp;
	return true;
}
