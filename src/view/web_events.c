/* The bounded ring of live events (web_events.h). One mutex: the loop holds it for a
 * memcpy of one event, a reader for a copy of at most its buffer. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "web_events.h"

struct slot {
	uint32_t len;
	char text[WEB_EV_MAX];
};

struct web_events {
	pthread_mutex_t mu;
	struct slot *ring;
	unsigned nslots;
	uint64_t next;		/* sequence number of the next event */
	/* the loop's: a token bucket refilled every 100 ms */
	unsigned rate, budget;
	uint64_t window;
	struct web_events_counts n;	/* written under mu */
};

struct web_events *wev_new(unsigned slots, unsigned rate)
{
	struct web_events *ev = calloc(1, sizeof(*ev));

	if (!ev || !(ev->ring = calloc(slots, sizeof(*ev->ring)))) {
		free(ev);
		return NULL;
	}
	pthread_mutex_init(&ev->mu, NULL);
	ev->nslots = slots;
	ev->rate = rate;
	return ev;
}

void wev_free(struct web_events *ev)
{
	if (!ev)
		return;
	pthread_mutex_destroy(&ev->mu);
	free(ev->ring);
	free(ev);
}

bool wev_want(struct web_events *ev)
{
	struct timespec t;
	uint64_t w;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	w = (uint64_t)t.tv_sec * 10 + t.tv_nsec / 100000000;
	if (w != ev->window) {
		ev->window = w;
		ev->budget = ev->rate / 10 ? ev->rate / 10 : 1;
	}
	ok = ev->budget > 0;
	if (ok)
		ev->budget--;
	pthread_mutex_lock(&ev->mu);
	ev->n.seen++;
	ev->n.sampled_out += !ok;
	pthread_mutex_unlock(&ev->mu);
	return ok;
}

void wev_push(struct web_events *ev, const char *json, size_t len)
{
	struct slot *sl;

	pthread_mutex_lock(&ev->mu);
	if (len > WEB_EV_MAX) {
		ev->n.too_big++;
	} else {
		sl = &ev->ring[ev->next % ev->nslots];
		memcpy(sl->text, json, len);
		sl->len = len;
		ev->next++;
		ev->n.shown++;
	}
	pthread_mutex_unlock(&ev->mu);
}

uint64_t wev_next(struct web_events *ev)
{
	uint64_t n;

	pthread_mutex_lock(&ev->mu);
	n = ev->next;
	pthread_mutex_unlock(&ev->mu);
	return n;
}

size_t wev_read(struct web_events *ev, uint64_t *cursor, char *buf, size_t len,
		uint64_t *skipped)
{
	size_t used = 0;

	pthread_mutex_lock(&ev->mu);
	if (ev->next > ev->nslots && *cursor < ev->next - ev->nslots) {
		*skipped += ev->next - ev->nslots - *cursor;
		*cursor = ev->next - ev->nslots;
	}
	while (*cursor < ev->next) {
		const struct slot *sl = &ev->ring[*cursor % ev->nslots];
		char head[48];
		int hl = snprintf(head, sizeof(head), "id: %llu\ndata: ",
				  (unsigned long long)*cursor);

		if (used + hl + sl->len + 2 > len)
			break;
		memcpy(buf + used, head, hl);
		memcpy(buf + used + hl, sl->text, sl->len);
		memcpy(buf + used + hl + sl->len, "\n\n", 2);
		used += hl + sl->len + 2;
		(*cursor)++;
	}
	pthread_mutex_unlock(&ev->mu);
	return used;
}

uint64_t wev_overrun(struct web_events *ev, uint64_t cursor)
{
	uint64_t n = 0;

	pthread_mutex_lock(&ev->mu);
	if (ev->next > ev->nslots && cursor < ev->next - ev->nslots)
		n = ev->next - ev->nslots - cursor;
	pthread_mutex_unlock(&ev->mu);
	return n;
}

void wev_counts(struct web_events *ev, struct web_events_counts *out)
{
	pthread_mutex_lock(&ev->mu);
	*out = ev->n;
	pthread_mutex_unlock(&ev->mu);
}
