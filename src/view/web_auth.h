/* Who may use the page: every request carries the session's token (printed at start) as
 * "Authorization: Bearer TOKEN", as the cookie set on the first visit with ?token=TOKEN,
 * or, with --http-jwt-key FILE, a JWT signed HS256 with that key and not expired (its
 * "exp" is required). */
#ifndef LT_WEB_AUTH_H
#define LT_WEB_AUTH_H

#include <stdbool.h>
#include <microhttpd.h>

#define WEB_COOKIE "ltrace_token"

enum wauth {
	WAUTH_OK,
	WAUTH_MISSING,
	WAUTH_BAD,		/* wrong token, bad signature, not HS256 */
	WAUTH_EXPIRED,		/* a well-signed JWT past its "exp" (or without one) */
};

struct web_auth {
	char token[256];
	unsigned char *jwt_key;	/* NULL: no JWT */
	int jwt_key_len;
};

/* 0 or -errno after one line on stderr. */
int wauth_init(struct web_auth *a, const char *token_file, const char *jwt_key_file);
void wauth_free(struct web_auth *a);
/* The request's credentials checked; *from_query: they came as ?token= (the reply should
 * set the cookie, so that the page's own requests carry it). */
enum wauth wauth_check(const struct web_auth *a, struct MHD_Connection *c, bool *from_query);

#endif
