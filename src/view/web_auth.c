/* Token and JWT checks (web_auth.h). The token is compared in constant time
 * (http_secret_eq); a JWT is verified by libjwt against the key file's bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "http_serve.h"
#include "jwt_lib.h"
#include "mhd_lib.h"
#include "safe_file.h"
#include "web_auth.h"

int wauth_init(struct web_auth *a, const char *token_file, const char *jwt_key_file)
{
	char *key;
	size_t n;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = http_token_init("--http-token-file", token_file, "LTRACE_EBPF_HTTP_TOKEN",
				  a->token, sizeof(a->token))))
		return rc;
	if (!jwt_key_file)
		return 0;
	if (!jwt_lib())		/* said why */
		return -ENOENT;
	if ((rc = sf_read_all(jwt_key_file, 4096, &key, &n))) {
		fprintf(stderr, "ltrace-ebpf: --http-jwt-key %s: %s\n", jwt_key_file,
			sf_strerror(rc));
		return rc;
	}
	while (n && strchr(" \t\r\n", key[n - 1]))
		n--;	/* a key file written by echo ends with a newline */
	if (n < 32) {
		fprintf(stderr, "ltrace-ebpf: --http-jwt-key %s: an HS256 key needs 32 bytes or "
			"more\n", jwt_key_file);
		free(key);
		return -EINVAL;
	}
	a->jwt_key = (unsigned char *)key;
	a->jwt_key_len = n;
	return 0;
}

void wauth_free(struct web_auth *a)
{
	free(a->jwt_key);
	a->jwt_key = NULL;
}

static enum wauth check_jwt(const struct web_auth *a, const char *text)
{
	const struct jwt_lib *J = jwt_lib();	/* loaded by wauth_init */
	jwt_t *j = NULL;
	enum wauth r = WAUTH_BAD;
	long exp;

	if (J->jwt_decode(&j, text, a->jwt_key, a->jwt_key_len) || !j)
		return WAUTH_BAD;
	if (J->jwt_get_alg(j) == JWT_ALG_HS256) {
		errno = 0;
		exp = J->jwt_get_grant_int(j, "exp");
		r = errno || exp <= time(NULL) ? WAUTH_EXPIRED : WAUTH_OK;
	}
	J->jwt_free(j);
	return r;
}

static enum wauth check_one(const struct web_auth *a, const char *text)
{
	if (http_secret_eq(a->token, text))
		return WAUTH_OK;
	/* header.payload.signature */
	if (a->jwt_key && strchr(text, '.'))
		return check_jwt(a, text);
	return WAUTH_BAD;
}

enum wauth wauth_check(const struct web_auth *a, struct MHD_Connection *c, bool *from_query)
{
	const char *h = mhd()->MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	const char *cookie = mhd()->MHD_lookup_connection_value(c, MHD_COOKIE_KIND, WEB_COOKIE);
	const char *query = mhd()->MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");

	*from_query = false;
	if (h)
		return strncmp(h, "Bearer ", 7) ? WAUTH_BAD : check_one(a, h + 7);
	if (query) {
		*from_query = true;
		return check_one(a, query);
	}
	if (cookie)
		return check_one(a, cookie);
	return WAUTH_MISSING;
}
