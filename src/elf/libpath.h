/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Turning the name a user types ("libc", "ssl", "libfoo.so.1", "bash", a path) into the file the
 * dynamic loader (or the shell) would use, and listing candidates for tab completion.
 */
#ifndef LT_LIBPATH_H
#define LT_LIBPATH_H

#include <stddef.h>

/*
 * Resolve a library or binary the way the dynamic loader would, writing a path usable from this
 * process to out (canonical, or under /proc/PID/root when the target lives in another mount
 * namespace). Order: (1) a name containing '/'; (2) when pid > 0, a file mapped in
 * /proc/PID/maps; (3) the libraries this process has loaded, /etc/ld.so.conf directories and the
 * default library directories, for "<name>.so*" and "lib<name>.so*", preferring the soname file
 * and skipping non-ELF files (linker scripts); (4) $PATH.
 * Returns 0, or -errno with one line in err: -ENOENT (naming what was searched), -ENOEXEC for
 * a path that is not an ELF file, -ENAMETOOLONG, -EINVAL.
 */
int libpath_resolve(const char *name, int pid, char *out, size_t outlen, char *err,
		    size_t errlen);

/*
 * Tab-completion candidates: calls cb(basename, path, ctx) once per basename for each ELF
 * library in the search directories (and /proc/PID/maps when pid > 0) whose basename starts with
 * `prefix`. Returns 0 or -errno.
 */
int libpath_each(const char *prefix, int pid,
		 void (*cb)(const char *name, const char *path, void *ctx), void *ctx);

#endif /* LT_LIBPATH_H */
