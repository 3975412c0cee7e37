/* libcurl, loaded when --otlp first needs it (src/base/dl_lib.h): linked, it and the 31
 * libraries it pulls in (Kerberos, LDAP, SASL, SSH, RTMP ...) were loaded and relocated at
 * every start, doubling the start-up CPU of every session that never sends a span
 * (docs/benchmarks.md, issue 14). */
#ifndef LT_CURL_LIB_H
#define LT_CURL_LIB_H

#define CURL_DISABLE_TYPECHECK	/* curl_easy_setopt stays a function, not a macro */
#include <curl/curl.h>
#include "dl_lib.h"

#define CURL_LIB_FUNCS(X)                                                                 \
	X(curl_global_init) X(curl_global_cleanup) X(curl_free) X(curl_url)               \
	X(curl_url_set) X(curl_url_get) X(curl_url_cleanup) X(curl_url_strerror)          \
	X(curl_easy_init) X(curl_easy_setopt) X(curl_easy_perform) X(curl_easy_getinfo)   \
	X(curl_easy_cleanup) X(curl_slist_append) X(curl_slist_free_all)

struct curl_lib {
	CURL_LIB_FUNCS(DL_LIB_FIELD)
};

/* The functions, loaded on the first call (thread-safe); NULL after one line on stderr
 * when libcurl cannot be loaded. */
const struct curl_lib *curl_lib(void);

#endif
