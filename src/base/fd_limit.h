/* The tool's open-file limit. A probe is a file descriptor or more (a link per site where
 * the kernel has no uprobe_multi, before 6.6), and Debian's default soft limit of 1024 runs
 * out before the 1024 probe slots do: the soft limit is raised to the hard one at start, and
 * what the tool was given is put back in every program it starts, so a traced program runs
 * with the limit it would have had. */
#ifndef LT_FD_LIMIT_H
#define LT_FD_LIMIT_H

#include <stdbool.h>

/* At start: remembers the inherited limit, raises the soft one to the hard one. */
void fd_limit_raise(void);
/* In a child before exec: the inherited soft limit again. */
void fd_limit_restore_inherited(void);
/* The inherited soft limit (for a shell that starts a target: `ulimit -S -n`). */
unsigned long fd_limit_inherited(void);
/* err (negative errno) says the process or the system is out of file descriptors: what
 * failed is not the kernel's or the file's fault, and no fallback will do better. */
bool fd_limit_ran_out(int err);

#endif
