/* Named fields in option strings (where, of, by): a kind with named fields (tracepoints,
 * syscalls) maps a name to the value source the kernel reads ("fd" -> arg1) through its
 * provider's field_src hook; other kinds know arg1..arg6, ret, duration and caller. */
#ifndef LT_PROBE_FIELD_H
#define LT_PROBE_FIELD_H

#include <stddef.h>

struct probe;

/* LT_SRC_* of a name, or -errno with a message naming it in err. */
int probe_field_src(struct probe *p, const char *name, char *err, size_t errlen);
/* "fd == 3" -> "arg1 == 3" (in buf, or text itself when nothing changes); NULL with a
 * message in err when the left side names no field. */
const char *probe_field_pred(struct probe *p, const char *text, char *buf, size_t len, char *err,
			     size_t errlen);
/* The LT_BY_* an aggregation key name means: none, probe, func (or syscall, tracepoint:
 * the matched site), pid, tid, comm, a field or arg1..arg6, ret; -EINVAL with err. */
int probe_field_by(struct probe *p, const char *name, char *err, size_t errlen);

#endif
