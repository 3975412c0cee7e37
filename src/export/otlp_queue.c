/* otlp_queue.h: a ring of span pointers under one mutex. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "otlp_queue.h"

int otlp_queue_init(struct otlp_queue *q, size_t cap, size_t batch)
{
	pthread_condattr_t ca;

	*q = (struct otlp_queue){ .cap = cap, .batch = batch };
	if (!(q->ring = calloc(cap, sizeof(*q->ring))))
		return -ENOMEM;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);	/* waits immune to clock steps */
	pthread_cond_init(&q->ready, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

void otlp_queue_destroy(struct otlp_queue *q)
{
	if (!q->ring)
		return;
	for (size_t i = 0; i < q->count; i++)
		otlp_span_free(q->ring[(q->head + i) % q->cap]);
	free(q->ring);
	q->ring = NULL;
	pthread_cond_destroy(&q->ready);
	pthread_mutex_destroy(&q->lock);
}

bool otlp_queue_push(struct otlp_queue *q, struct otlp_span *sp)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	ok = q->count < q->cap;
	if (ok) {
		q->ring[(q->head + q->count) % q->cap] = sp;
		if (++q->count == q->batch)
			pthread_cond_signal(&q->ready);
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

static struct timespec deadline_in(unsigned ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

size_t otlp_queue_take(struct otlp_queue *q, struct otlp_span **out, size_t max,
		       unsigned max_wait_ms)
{
	struct timespec until = deadline_in(max_wait_ms);
	size_t n = 0;

	pthread_mutex_lock(&q->lock);
	/* Waits for a full batch, but not past the deadline once something is queued: an
	 * idle session's lone spans still go out within max_wait_ms. */
	while (!q->stop && q->count < q->batch) {
		if (pthread_cond_timedwait(&q->ready, &q->lock, &until) == ETIMEDOUT) {
			if (q->count)
				break;
			until = deadline_in(max_wait_ms);
		}
	}
	while (n < max && q->count) {
		out[n++] = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}

void otlp_queue_stop(struct otlp_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

bool otlp_queue_stopping(struct otlp_queue *q)
{
	bool stop;

	pthread_mutex_lock(&q->lock);
	stop = q->stop;
	pthread_mutex_unlock(&q->lock);
	return stop;
}

bool otlp_queue_nap(struct otlp_queue *q, unsigned ms)
{
	struct timespec until = deadline_in(ms);
	bool stop, was;

	pthread_mutex_lock(&q->lock);
	was = q->stop;
	while ((was || !q->stop) && pthread_cond_timedwait(&q->ready, &q->lock, &until) != ETIMEDOUT)
		;
	stop = q->stop && !was;
	pthread_mutex_unlock(&q->lock);
	return stop;
}
