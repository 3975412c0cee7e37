/* A shared library loaded when a feature first needs it, not linked: a linked library and
 * everything it pulls in are loaded and relocated at every start, used or not (libcurl,
 * libmicrohttpd with GnuTLS, libjwt with OpenSSL: docs/benchmarks.md). The caller's
 * struct holds one pointer per function, typed from the library's header with
 * __typeof__, so every call is checked as a direct one would be:
 *
 *	#define FOO_FUNCS(X) X(foo_open) X(foo_close)
 *	struct foo_lib { FOO_FUNCS(DL_LIB_FIELD) };
 *	static struct foo_lib lib;
 *	static struct dl_lib dl = { "libfoo.so.1", { FOO_FUNCS(DL_LIB_SYM) }, 0 };
 *	const struct foo_lib *foo_lib(void) { return dl_lib_load(&dl, "--foo") ? &lib : NULL; }
 */
#ifndef LT_DL_LIB_H
#define LT_DL_LIB_H

#include <stdbool.h>

#define DL_LIB_SYMS_MAX 32

#define DL_LIB_FIELD(f) __typeof__(f) *f;
/* POSIX's way of storing dlsym's answer in a function pointer: through a void **. */
#define DL_LIB_SYM(f) { #f, (void **)&lib.f },

struct dl_lib {
	const char *soname;	/* "libcurl.so.4" */
	struct {
		const char *name;
		void **slot;
	} syms[DL_LIB_SYMS_MAX];	/* ends at the first without a name */
	int state;		/* dl_lib.c's: not tried, loaded, failed */
};

/* Loads the library and fills every slot the first time (thread-safe); true when all are
 * there. False, with one line on stderr the first time naming flag, the option that needs
 * it ("ltrace-ebpf: --otlp: cannot load libcurl.so.4: ..."), when the library or a
 * function is missing. The library stays loaded: its users run until the session ends. */
bool dl_lib_load(struct dl_lib *l, const char *flag);

#endif
