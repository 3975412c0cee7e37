/* The tracefs file system: where it is (the host mounts it at /sys/kernel/tracing when
 * nothing is mounted: users should not have to), which tracepoints exist, and their format
 * files, parsed by tp_format.c. */
#ifndef LT_TRACEFS_H
#define LT_TRACEFS_H

#include <stddef.h>
#include "tp_format.h"

struct tp_name {
	char *category;
	char *name;
};

struct tp_names {
	struct tp_name *v;
	size_t n;
};

/* The tracefs directory (mounted on first use if needed); NULL with a message in err. */
const char *tracefs_root(char *err, size_t errlen);
/* Uses dir (laid out like tracefs: events/CAT/NAME/format) instead: for tests. */
void tracefs_set_root(const char *dir);
/* Tracepoints whose category and name match the globs, sorted; 0 or -errno (message). */
int tracefs_match(const char *cat_glob, const char *name_glob, struct tp_names *out, char *err,
		  size_t errlen);
void tp_names_free(struct tp_names *l);
/* Reads and parses events/CAT/NAME/format: 0, -ENOENT ("no tracepoint CAT:NAME") or
 * -EINVAL (malformed), with a message in err. */
int tracefs_format(const char *cat, const char *name, struct tp_format *out, char *err,
		   size_t errlen);
/* A whole small file (NUL-terminated, malloc'ed), or NULL with errno. */
char *tracefs_read_file(const char *path);

#endif
