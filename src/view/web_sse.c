/* Server-Sent Events streams (web_sse.h). The reader callback runs on the HTTP thread;
 * the ticker thread only resumes suspended streams, every TICK_MS at most. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "http_serve.h"
#include "mhd_lib.h"
#include "web_events.h"
#include "web_sse.h"

#define TICK_MS 100
#define KEEPALIVE_S 5
#define BLOCK 65536
#define SNDBUF 65536	/* bytes of kernel send buffer per stream */

struct client {
	struct web_sse *owner;
	struct MHD_Connection *c;
	uint64_t cursor, skipped;
	time_t last;		/* last write */
	bool suspended, hello;
	struct client *next;
};

struct web_sse {
	pthread_mutex_t mu;
	pthread_t ticker;
	bool quit;
	struct web_events *ev;
	struct client *list;
	struct web_sse_counts n;
};

static time_t now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return t.tv_sec;
}

static void resume_all(struct web_sse *s, bool all)
{
	uint64_t next = wev_next(s->ev);
	time_t t = now();

	pthread_mutex_lock(&s->mu);
	for (struct client *k = s->list; k; k = k->next) {
		if (k->suspended && (all || k->cursor < next || t - k->last >= KEEPALIVE_S)) {
			k->suspended = false;
			mhd()->MHD_resume_connection(k->c);
		}
	}
	pthread_mutex_unlock(&s->mu);
}

static void *tick(void *arg)
{
	struct web_sse *s = arg;

	for (;;) {
		usleep(TICK_MS * 1000);
		pthread_mutex_lock(&s->mu);
		if (s->quit) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		pthread_mutex_unlock(&s->mu);
		resume_all(s, false);
	}
}

struct web_sse *wsse_new(struct web_events *ev)
{
	struct web_sse *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	s->ev = ev;
	if (http_thread_create(&s->ticker, tick, s)) {
		free(s);
		return NULL;
	}
	return s;
}

void wsse_shutdown(struct web_sse *s)
{
	pthread_mutex_lock(&s->mu);
	s->quit = true;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->ticker, NULL);
	resume_all(s, true);	/* their next read ends them */
}

void wsse_free(struct web_sse *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static ssize_t read_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct client *k = cls;
	struct web_sse *s = k->owner;
	uint64_t skipped = 0;
	size_t n = 0;

	pthread_mutex_lock(&s->mu);
	if (s->quit) {
		pthread_mutex_unlock(&s->mu);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (!k->hello) {	/* the browser retries after 1 s if the stream breaks */
		static const char hello[] = "retry: 1000\n: ltrace-ebpf\n\n";

		k->hello = true;
		k->last = now();
		pthread_mutex_unlock(&s->mu);
		memcpy(buf, hello, sizeof(hello) - 1);
		return sizeof(hello) - 1;
	}
	pthread_mutex_unlock(&s->mu);
	n = wev_read(s->ev, &k->cursor, buf, max, &skipped);
	pthread_mutex_lock(&s->mu);
	if (skipped) {	/* it stopped reading for a whole ring: let it go */
		s->n.dropped_slow++;
		s->n.skipped += skipped;
		pthread_mutex_unlock(&s->mu);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (!n && now() - k->last >= KEEPALIVE_S) {
		static const char ping[] = ": keep-alive\n\n";

		memcpy(buf, ping, sizeof(ping) - 1);
		n = sizeof(ping) - 1;
	}
	if (n) {
		k->last = now();
	} else {
		k->suspended = true;
		mhd()->MHD_suspend_connection(k->c);
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void free_cb(void *cls)
{
	struct client *k = cls;
	struct web_sse *s = k->owner;
	uint64_t lost = wev_overrun(s->ev, k->cursor);

	pthread_mutex_lock(&s->mu);
	if (lost) {	/* it never read again: the connection timeout closed it */
		s->n.dropped_slow++;
		s->n.skipped += lost;
	}
	for (struct client **pp = &s->list; *pp; pp = &(*pp)->next) {
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	}
	s->n.open--;
	pthread_mutex_unlock(&s->mu);
	free(k);
}

enum MHD_Result wsse_serve(struct web_sse *s, struct MHD_Connection *c)
{
	struct client *k = calloc(1, sizeof(*k));
	const union MHD_ConnectionInfo *ci;
	int sndbuf = SNDBUF;
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (!k)
		return MHD_NO;
	pthread_mutex_lock(&s->mu);
	if (s->n.open >= WEB_SSE_MAX || s->quit) {
		s->n.refused++;
		pthread_mutex_unlock(&s->mu);
		free(k);
		return http_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "too many event streams\n", 23,
				  MHD_RESPMEM_PERSISTENT, HTTP_TEXT_PLAIN);
	}
	pthread_mutex_unlock(&s->mu);
	k->owner = s;
	k->c = c;
	k->cursor = wev_next(s->ev);	/* from now on: the page has no use for history */
	if (!(r = mhd()->MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK, read_cb, k,
						    free_cb))) {
		free(k);
		return MHD_NO;
	}
	pthread_mutex_lock(&s->mu);
	k->next = s->list;
	s->list = k;
	s->n.open++;
	s->n.served++;
	pthread_mutex_unlock(&s->mu);
	/* what the kernel may hold for a client that stopped reading: then the ring overtakes
	 * it and it is dropped (read_cb) */
	if ((ci = mhd()->MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD)))
		setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = mhd()->MHD_queue_response(c, MHD_HTTP_OK, r);
	mhd()->MHD_destroy_response(r);
	return rc;
}

void wsse_counts(struct web_sse *s, struct web_sse_counts *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->n;
	pthread_mutex_unlock(&s->mu);
}
