/* Resolving a library name the way the loader will for one program: through the program's
 * own DT_NEEDED list and its RUNPATH/RPATH ($ORIGIN expanded). Used when the target is
 * known before it runs (`-- CMD`), so `call:libfoo:f` finds ./build/libfoo.so. */
#ifndef LT_LIBPATH_NEEDED_H
#define LT_LIBPATH_NEEDED_H

#include <stddef.h>

/* 0 with the library's path in out, or -ENOENT when no DT_NEEDED entry of exe matches
 * name ("foo", "libfoo", "libfoo.so.1"); the executable itself matches its basename. No
 * message: every caller falls back to libpath_resolve(), whose message says what it searched. */
int libpath_resolve_for(const char *name, const char *exe, char *out, size_t outlen);

#endif
