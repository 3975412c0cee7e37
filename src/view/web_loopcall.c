/* The HTTP-thread-to-loop calls (web_loopcall.h). A call is shared by the waiter and the
 * queue; whichever lets go of it last frees it, so a waiter that gave up leaves nothing
 * dangling for the loop. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "loop.h"
#include "session.h"
#include "web_loopcall.h"

#define QUEUE_MAX 32

struct call {
	web_loop_fn fn;
	char *arg, *out;
	int status, refs;
	bool done;
};

struct web_loopcall {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int efd;
	struct session *s;
	struct call *q[QUEUE_MAX];
	int nq;
};

static void put(struct call *c)
{
	if (--c->refs)
		return;
	free(c->arg);
	free(c->out);
	free(c);
}

struct web_loopcall *wlc_new(void)
{
	struct web_loopcall *lc = calloc(1, sizeof(*lc));
	pthread_condattr_t ca;

	if (!lc)
		return NULL;
	pthread_mutex_init(&lc->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lc->cv, &ca);
	pthread_condattr_destroy(&ca);
	lc->efd = -1;
	return lc;
}

static void on_efd(void *ctx, int fd)
{
	struct web_loopcall *lc = ctx;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another wake-up took it */
	}
	pthread_mutex_lock(&lc->mu);
	while (lc->nq) {
		struct call *c = lc->q[0];
		char *out;
		int status = 200;

		memmove(lc->q, lc->q + 1, --lc->nq * sizeof(*lc->q));
		/* unlocked: the call touches probes, maps; the waiter only waits */
		pthread_mutex_unlock(&lc->mu);
		out = c->fn(lc->s, c->arg, &status);
		pthread_mutex_lock(&lc->mu);
		c->out = out;
		c->status = out ? status : 500;
		c->done = true;
		put(c);
	}
	pthread_cond_broadcast(&lc->cv);
	pthread_mutex_unlock(&lc->mu);
}

int wlc_attach(struct web_loopcall *lc, struct session *s)
{
	int rc;

	if ((lc->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return -errno;
	lc->s = s;
	if ((rc = loop_add_fd(s->loop, lc->efd, on_efd, lc)))
		return rc;
	return 0;
}

int wlc_call(struct web_loopcall *lc, web_loop_fn fn, const char *arg, int wait_ms,
	     char **out)
{
	struct call *c = calloc(1, sizeof(*c));
	uint64_t one = 1;
	struct timespec until;
	int status = 503;

	*out = NULL;
	if (!c || !(c->arg = strdup(arg ? arg : ""))) {
		free(c);
		return 500;
	}
	c->fn = fn;
	c->refs = 2;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lc->mu);
	if (lc->efd < 0 || lc->nq == QUEUE_MAX) {
		c->refs = 1;
		put(c);
		pthread_mutex_unlock(&lc->mu);
		return 503;
	}
	lc->q[lc->nq++] = c;
	if (write(lc->efd, &one, sizeof(one)) < 0) {
		/* the counter is already non-zero: the loop will look */
	}
	while (!c->done &&
	       pthread_cond_timedwait(&lc->cv, &lc->mu, &until) != ETIMEDOUT)
		;
	if (c->done) {
		status = c->status;
		*out = c->out;
		c->out = NULL;
	}
	put(c);
	pthread_mutex_unlock(&lc->mu);
	return status;
}

void wlc_free(struct web_loopcall *lc)
{
	if (!lc)
		return;
	if (lc->efd >= 0) {
		if (lc->s)
			loop_del_fd(lc->s->loop, lc->efd);
		close(lc->efd);
	}
	for (int i = 0; i < lc->nq; i++)
		put(lc->q[i]);
	pthread_mutex_destroy(&lc->mu);
	pthread_cond_destroy(&lc->cv);
	free(lc);
}
