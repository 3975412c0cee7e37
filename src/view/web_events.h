/* The live events the page shows: a ring of encoded events, written by the event loop,
 * read by the HTTP thread for each Server-Sent Events client at its own pace. Bounded
 * twice: at most `rate` events a second are encoded (the rest are counted as sampled out,
 * never queued), and a reader that falls a whole ring behind skips ahead (counted). */
#ifndef LT_WEB_EVENTS_H
#define LT_WEB_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_EV_MAX 1024		/* bytes of one encoded event, at most */

struct web_events;

struct web_events_counts {
	uint64_t seen;		/* records the loop offered */
	uint64_t shown;		/* encoded into the ring */
	uint64_t sampled_out;	/* over the rate: counted, not encoded */
	uint64_t too_big;	/* encoded larger than WEB_EV_MAX */
};

struct web_events *wev_new(unsigned slots, unsigned rate);
void wev_free(struct web_events *ev);
/* Loop thread: whether the next record is to be encoded (the rate allows it). */
bool wev_want(struct web_events *ev);
/* Loop thread: appends one encoded event (JSON, no newline). */
void wev_push(struct web_events *ev, const char *json, size_t len);
/* Any thread: the next event's sequence number (what a new reader starts from). */
uint64_t wev_next(struct web_events *ev);
/* Any thread: SSE frames ("id: N\ndata: JSON\n\n") of the events from *cursor on, as many
 * as fit in buf; advances *cursor; events overwritten before they were read are added to
 * *skipped. Bytes written. */
size_t wev_read(struct web_events *ev, uint64_t *cursor, char *buf, size_t len,
		uint64_t *skipped);
/* Any thread: events a reader at cursor can no longer read (overwritten). */
uint64_t wev_overrun(struct web_events *ev, uint64_t cursor);
void wev_counts(struct web_events *ev, struct web_events_counts *out);

#endif
