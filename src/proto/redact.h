/* Redaction before any output: the values of Authorization, Proxy-Authorization, Cookie
 * and Set-Cookie always, and whatever matches the caller's patterns (POSIX extended
 * regular expressions: tokens, card numbers, e-mail addresses) in any text shown. */
#ifndef LT_REDACT_H
#define LT_REDACT_H

#include <regex.h>
#include <stddef.h>

#define REDACT_MAX 16
#define REDACTED "[REDACTED]"

struct redact {
	regex_t re[REDACT_MAX];
	int n;
};

/* Compiles the patterns: 0, or -1 with a message in err. */
int redact_init(struct redact *r, const char *const *patterns, int n, char *err, size_t errlen);
void redact_free(struct redact *r);
/* Whether a header's value is never shown (credentials, sessions). */
int redact_header_always(const char *name);
/* src (n bytes) with every match of the patterns replaced by REDACTED, into dst (size
 * bytes, NUL-terminated, cut to fit). Bytes 0 in src end the text. Returns dst's length. */
size_t redact_text(const struct redact *r, const char *src, size_t n, char *dst, size_t size);

#endif
