/* Detaching many links at once. Each uprobe link's release waits for an RCU grace
 * period (~35 ms measured here), so links are closed from several threads at the
 * end of a session instead of one after another. */
#ifndef LT_DETACH_H
#define LT_DETACH_H

#include <stddef.h>

struct session;

/* Closes every link of every probe of the session; probes stay, detached. */
void detach_all(struct session *s);

#endif
