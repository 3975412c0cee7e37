/* Redaction (redact.h) with the C library's POSIX regular expressions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "redact.h"

static const char *const always[] = { "authorization", "proxy-authorization", "cookie",
				      "set-cookie", NULL };

int redact_header_always(const char *name)
{
	for (int i = 0; always[i]; i++)
		if (!strcasecmp(name, always[i]))
			return 1;
	return 0;
}

int redact_init(struct redact *r, const char *const *patterns, int n, char *err, size_t errlen)
{
	r->n = 0;
	if (n > REDACT_MAX) {
		snprintf(err, errlen, "at most %d redaction patterns (got %d)", REDACT_MAX, n);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int rc = regcomp(&r->re[i], patterns[i], REG_EXTENDED);

		if (rc) {
			char why[128];

			regerror(rc, &r->re[i], why, sizeof(why));
			snprintf(err, errlen, "bad redaction pattern '%s': %s", patterns[i], why);
			redact_free(r);
			return -1;
		}
		r->n++;
	}
	return 0;
}

void redact_free(struct redact *r)
{
	for (int i = 0; i < r->n; i++)
		regfree(&r->re[i]);
	r->n = 0;
}

/* One pattern over text into out: matches replaced. */
static size_t one(const regex_t *re, const char *text, char *out, size_t size)
{
	size_t o = 0, rl = strlen(REDACTED);
	const char *p = text;
	regmatch_t m;
	int flags = 0;

	while (*p && !regexec(re, p, 1, &m, flags)) {
		size_t pre = (size_t)m.rm_so;
		int empty = m.rm_eo == m.rm_so;	/* redacts nothing: keep its next byte */

		if (empty)
			pre++;
		if (o + pre >= size)
			pre = size - 1 - o;
		memcpy(out + o, p, pre);
		o += pre;
		if (!empty && o + rl < size) {
			memcpy(out + o, REDACTED, rl);
			o += rl;
		}
		p += empty ? pre : (size_t)m.rm_eo;
		flags = REG_NOTBOL;
		if (o + 1 >= size)
			break;
	}
	size_t rest = strlen(p);

	if (o + rest >= size)
		rest = size - 1 - o;
	memcpy(out + o, p, rest);
	out[o + rest] = 0;
	return o + rest;
}

/* Matched over the whole text, then cut to fit: a cut first could split a secret so
 * that the pattern no longer matches the part shown. */
size_t redact_text(const struct redact *r, const char *src, size_t n, char *dst, size_t size)
{
	size_t len = strnlen(src, n), cap = len * (sizeof(REDACTED) - 1) + 1;
	char *a, *b;

	if (!size)
		return 0;
	a = malloc(cap);
	b = malloc(cap);
	if (!a || !b) {	/* nothing shown rather than something unredacted */
		free(a);
		free(b);
		dst[0] = 0;
		return 0;
	}
	memcpy(a, src, len);
	a[len] = 0;
	for (int i = 0; i < r->n; i++) {
		char *t;

		len = one(&r->re[i], a, b, cap);
		t = a, a = b, b = t;
	}
	if (len >= size)
		len = size - 1;
	memcpy(dst, a, len);
	dst[len] = 0;
	free(a);
	free(b);
	return len;
}
