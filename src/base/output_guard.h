/* Output never holds the tool hostage: a stop request bounds how long a stalled reader can
 * keep the session going, and a reader that went away ends it (src/base/output_guard.c). */
#ifndef LT_OUTPUT_GUARD_H
#define LT_OUTPUT_GUARD_H

#include <stdbool.h>

/* Seconds a stop request waits for the output before it is cut. */
#define OUTPUT_GUARD_GRACE_S 1

/* Installs the SIGALRM handler; call on the main thread. 0 or -errno. */
int output_guard_open(void);
/* An output to guard besides stdout and stderr (an -o file). */
void output_guard_watch(int fd);
/* From a signal handler: the user asked the session to stop (arms the grace period). */
void output_guard_stop_requested(void);
/* From the SIGPIPE handler: cuts the watched outputs whose reader is gone. */
void output_guard_broken_pipe(void);
/* Was any output replaced by /dev/null? */
bool output_guard_was_cut(void);

#endif
