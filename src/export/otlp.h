/* --otlp URL: spans sent as OTLP/HTTP JSON to URL/v1/traces by a thread of its own
 * (docs/exporters.md). The event loop hands spans over through a bounded queue and never
 * waits: what does not fit is dropped and counted; failed requests are retried with
 * exponential backoff (429, 5xx, connection errors). */
#ifndef LT_OTLP_H
#define LT_OTLP_H

#include <stdint.h>
#include <stdio.h>
#include "otlp_span.h"

struct otlp;

#define OTLP_QUEUE_SPANS 8192	/* spans waiting for the sender, at most */
#define OTLP_BATCH_SPANS 512	/* spans per request, at most */
#define OTLP_BATCH_WAIT_MS 200	/* a batch that is not full goes after this long */
#define OTLP_TRIES 5		/* requests per batch, the first one included */
#define OTLP_BACKOFF_MS 100	/* before the first retry; doubled each time */
#define OTLP_FLUSH_MS 2000	/* at the end, what is left may take this long to go */

struct otlp_stats {
	uint64_t queued;	/* spans handed to the queue */
	uint64_t sent;		/* spans the receiver accepted */
	uint64_t dropped_full;	/* spans dropped: the queue was full */
	uint64_t dropped_failed;	/* spans dropped: their request failed for good */
	uint64_t requests;	/* requests made (retries included) */
	uint64_t retries;
};

/* Checks URL (http:// or https://, a host) and starts the sender; NULL after one line on
 * stderr. */
struct otlp *otlp_open(const char *url);
/* Takes sp (sent or freed later); on the loop's thread. */
void otlp_submit(struct otlp *o, struct otlp_span *sp);
/* Sends what is queued (OTLP_FLUSH_MS at most), stops the thread, prints the counts on
 * stderr and frees; NULL is fine. */
void otlp_close(struct otlp *o);
void otlp_get_stats(struct otlp *o, struct otlp_stats *out);
/* The open sender's counters as Prometheus families (--metrics); nothing without one. */
void otlp_write_prom(FILE *f);

#endif
