/* Detaching many links at once. Each uprobe link's release waits for an RCU grace
 * period (~35 ms measured here), so links are closed from several threads at the
 * end of a session instead of one after another. */
#ifndef LT_DETACH_H
#define LT_DETACH_H

#include <stdbool.h>
#include <stddef.h>

struct session;

/* Closes every link of every probe of the session; probes stay, detached. */
void detach_all(struct session *s);

/* At the end of a session, once everything is reported: every probe is switched off in
 * the kernel (nothing is recorded, aggregated or held any more), then a child process
 * keeps only the links and closes them, while this process goes on to exit at once. The
 * kernel's side of detaching (an RCU grace period per uprobe link, one per tracepoint
 * serialized under a kernel mutex: 60-250 ms) then no longer delays the exit status. False
 * when there is nothing to hand over, the child could not start, or
 * LTRACE_EBPF_SYNC_DETACH=1: the caller detaches here. */
bool detach_in_background(struct session *s);

#endif
