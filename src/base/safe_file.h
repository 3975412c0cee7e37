/* Opening the files the tool reads and writes, in one place. Every file the tool reads on
 * a user's or another user's say (scripts, -F configs, ELF and debug files, JIT perf maps)
 * goes through sf_open_read: a FIFO, a device or a directory is refused without blocking
 * and a file past its bound is refused before it is read. Every file it writes (-o, the
 * outputs of flame graphs, Perfetto traces, tools) goes through sf_open_write, which does
 * not follow another user's symlink in a directory others can change (/tmp). */
#ifndef LT_SAFE_FILE_H
#define LT_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The bounds (docs/scripting.md, "Files the tool opens"). */
#define SF_MAX_TEXT	((off_t)16 << 20)	/* scripts, -F config files */
#define SF_MAX_PERFMAP	((off_t)256 << 20)	/* /tmp/perf-PID.map */
#define SF_MAX_ELF	((off_t)16 << 30)	/* ELF and debug files (mapped, not read) */

/* Errors beyond errno's, negated like errno values; sf_strerror names them. */
#define SF_ENOTREG	4096	/* not a regular file */
#define SF_ETOOBIG	4097	/* larger than the bound */
#define SF_EOWNER	4098	/* owned by a user the caller does not trust */
#define SF_ESYMLINK	4099	/* a symlink that may be another user's doing */
#define SF_EHARDLINK	4100	/* a file with other hard links, where that may be a trap */

/* sf_open_read flags */
#define SF_NOFOLLOW	1u	/* a symlink as the last component is refused */
#define SF_OWNER	2u	/* the owner must be `owner` or root */

/* A regular file of at most max bytes, opened read-only (close-on-exec): fd or -errno. */
int sf_open_read(const char *path, off_t max, unsigned flags, uid_t owner);
/* An ELF or debug file: sf_open_read with SF_MAX_ELF, for callers that report errno
 * values with strerror (not a regular file: -ENOEXEC, too big: -EFBIG). */
int sf_open_elf(const char *path);
/* sf_open_read's codes as errno values (-SF_ENOTREG: -ENOEXEC, -SF_ETOOBIG: -EFBIG, ...),
 * for callers that pass the code on after naming it with sf_strerror. */
int sf_errno(int err);
/* sf_open_read as a stdio stream ("re"); NULL and errno (ENOEXEC, EFBIG) on failure. */
FILE *sf_fopen_read(const char *path, off_t max);
/* The whole file (NUL-terminated, *len without the NUL); 0 or -errno. */
int sf_read_all(const char *path, off_t max, char **buf, size_t *len);
/* Opens path for writing, created 0666 & ~umask or truncated: fd or -errno. In a
 * directory other users can change (world-writable, or another user's) the last
 * component is not followed when it is a symlink (unless the directory is sticky and
 * root's or the caller's and the link the caller's or the directory owner's: the kernel's
 * fs.protected_symlinks rule), an existing file must be the caller's or the directory
 * owner's (fs.protected_regular) and have no other hard link; none of it depends on the
 * sysctls. A FIFO there is not waited for. */
int sf_open_write(const char *path);
/* strerror for these codes and errno's; the bound of the last SF_ETOOBIG in the text. */
const char *sf_strerror(int err);

#endif
