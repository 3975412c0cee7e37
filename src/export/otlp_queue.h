/* The bounded queue between the event loop (which makes spans) and the OTLP sender's
 * thread: the loop never waits on it (a full queue drops the span, and says so), the
 * sender waits for a batch to fill or to age. */
#ifndef LT_OTLP_QUEUE_H
#define LT_OTLP_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include "otlp_span.h"

struct otlp_queue {
	pthread_mutex_t lock;
	pthread_cond_t ready;	/* a batch filled, or stop */
	struct otlp_span **ring;
	size_t cap, head, count;
	size_t batch;		/* count at which the sender is woken at once */
	bool stop;
};

int otlp_queue_init(struct otlp_queue *q, size_t cap, size_t batch);
void otlp_queue_destroy(struct otlp_queue *q);	/* frees the spans left */
/* Takes sp, or returns false when full (sp is then still the caller's). Never blocks
 * for longer than the lock is held (the sender holds it only to move pointers). */
bool otlp_queue_push(struct otlp_queue *q, struct otlp_span *sp);
/* Up to max spans into out once the queue holds a batch, max_wait_ms passed with something
 * in it, or stop was asked; waits at most wait_ms (0 when stopping). Returns the count. */
size_t otlp_queue_take(struct otlp_queue *q, struct otlp_span **out, size_t max,
		       unsigned max_wait_ms);
/* Wakes the sender for good: what is queued is taken without waiting. */
void otlp_queue_stop(struct otlp_queue *q);
bool otlp_queue_stopping(struct otlp_queue *q);
/* Waits ms (a retry's backoff), less when stop is asked meanwhile (then true). */
bool otlp_queue_nap(struct otlp_queue *q, unsigned ms);

#endif
