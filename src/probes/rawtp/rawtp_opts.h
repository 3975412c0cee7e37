/* The raw tracepoint kind's options as C setters, for its Lua table
 * (src/lua/kinds/l_kind_rawtp.c): args = {PATH, ...}, fields = {PATH, ..., name = PATH}. */
#ifndef LT_RAWTP_OPTS_H
#define LT_RAWTP_OPTS_H

#include <stddef.h>

struct probe;

/* A BTF field path ("prev.pid", "args.prev.pid") read by the probe: argument `slot`
 * (0-based) of the event, or with slot -1 a field named `name` (NULL: derived from the
 * path, "prev_pid"). 0, or -errno with a one-line message in err. */
int rawtp_add_path(struct probe *p, const char *text, const char *name, int slot, char *err,
		   size_t errlen);

#endif
