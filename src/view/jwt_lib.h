/* libjwt, loaded when --http starts with --http-jwt-key (src/base/dl_lib.h): linked, it
 * and OpenSSL's libcrypto with jansson were loaded and relocated at every start of every
 * session (docs/benchmarks.md). */
#ifndef LT_JWT_LIB_H
#define LT_JWT_LIB_H

#include <jwt.h>
#include "dl_lib.h"

#define JWT_LIB_FUNCS(X) X(jwt_decode) X(jwt_free) X(jwt_get_alg) X(jwt_get_grant_int)

struct jwt_lib {
	JWT_LIB_FUNCS(DL_LIB_FIELD)
};

/* The functions, loaded on the first call (thread-safe); NULL after one line on stderr
 * when libjwt cannot be loaded. */
const struct jwt_lib *jwt_lib(void);

#endif
