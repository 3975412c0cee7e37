/* Parallel detach: threads each close a slice of the session's links (one link each up
 * to DETACH_THREADS: every release is a wait for a grace period, so they overlap best
 * one per thread); then every probe is marked detached. Nothing else runs meanwhile, so
 * joining is the only sync. */
#include <pthread.h>
#include <stdlib.h>
#include "detach.h"
#include "probe.h"
#include "session.h"

#define DETACH_THREADS 64

struct slice {
	struct probe_link **links;
	size_t n;
};

static void *close_slice(void *arg)
{
	struct slice *sl = arg;

	for (size_t i = 0; i < sl->n; i++)
		probe_link_close(sl->links[i]);
	return NULL;
}

static void close_parallel(struct probe_link **links, size_t n)
{
	size_t nthreads = n < DETACH_THREADS ? n : DETACH_THREADS, per;
	struct slice slices[DETACH_THREADS];
	pthread_t threads[DETACH_THREADS];
	bool started[DETACH_THREADS] = {};

	if (!nthreads)
		return;
	per = (n + nthreads - 1) / nthreads;
	for (size_t t = 0; t < nthreads; t++) {
		size_t from = t * per < n ? t * per : n;

		slices[t] = (struct slice){ links + from, n - from < per ? n - from : per };
		/* The first slice runs here; the others in threads (inline if none starts). */
		started[t] = t && !pthread_create(&threads[t], NULL, close_slice, &slices[t]);
		if (!started[t] && t)
			close_slice(&slices[t]);
	}
	close_slice(&slices[0]);
	for (size_t t = 1; t < nthreads; t++)
		if (started[t])
			pthread_join(threads[t], NULL);
}

/* Every link of the session, in one array (NULL and 0 when there is none). */
static struct probe_link **all_links(struct session *s, size_t *n)
{
	struct probe_link **links;
	size_t count = 0;

	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i])
			count += s->probes[i]->nlinks;
	*n = 0;
	if (!count || !(links = calloc(count, sizeof(*links))))
		return NULL;
	for (int i = 0; i < s->nprobes; i++)
		for (size_t j = 0; s->probes[i] && j < s->probes[i]->nlinks; j++)
			links[(*n)++] = &s->probes[i]->links[j];
	return links;
}

void detach_all(struct session *s)
{
	size_t n;
	struct probe_link **links;

	for (int i = 0; i < s->nprobes; i++) {
		struct probe *p = s->probes[i];

		if (p && p->attached) {	/* in-flight returns neither record nor hold their thread */
			p->cfg.flags = 0;
			probe_write_cfg(p);
		}
	}
	links = all_links(s, &n);
	close_parallel(links, n);
	free(links);
	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i])
			probe_detach(s->probes[i]);
}
