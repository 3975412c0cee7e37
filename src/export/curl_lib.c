/* libcurl loaded on first use (curl_lib.h says why). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "curl_lib.h"

#define CURL_SONAME "libcurl.so.4"

static struct curl_lib lib;
static const struct curl_lib *loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "ltrace-ebpf: --otlp: cannot load %s: %s\n", CURL_SONAME, dlerror());
		return;
	}
#define CURL_LIB_LOAD(f)                                                                  \
	if (!(lib.f = (__typeof__(f) *)dlsym(h, #f))) {                                   \
		fprintf(stderr, "ltrace-ebpf: --otlp: %s has no %s\n", CURL_SONAME, #f);  \
		return;                                                                   \
	}
	CURL_LIB_FUNCS(CURL_LIB_LOAD)
#undef CURL_LIB_LOAD
	loaded = &lib;	/* the handle stays open: the sender runs until the session ends */
}

const struct curl_lib *curl_lib(void)
{
	pthread_once(&once, load);
	return loaded;
}
