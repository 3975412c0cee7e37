/* Parallel detach: threads each close a slice of the session's links (one link each up
 * to DETACH_THREADS: every release is a wait for a grace period, so they overlap best
 * one per thread); then every probe is marked detached. Nothing else runs meanwhile, so joining is the only sync.
 * At a session's end the same runs in a child process (detach_in_background). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <bpf/libbpf.h>
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
	struct probe_link **links = all_links(s, &n);

	close_parallel(links, n);
	free(links);
	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i])
			probe_detach(s->probes[i]);
}

static int link_fd(const struct probe_link *l)
{
	return l->link ? bpf_link__fd(l->link) : l->fd;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* In the child: every fd but the links' goes first (the terminal, pipes a caller waits
 * on, maps, programs: the links hold what they need), then the links, in parallel. */
_Noreturn static void detach_child(struct probe_link **links, size_t n)
{
	int *keep = calloc(n, sizeof(*keep)), from = 0;

	setsid();
	prctl(PR_SET_NAME, "lt-detach");
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; keep && i < n; i++)
		keep[i] = link_fd(links[i]);
	if (keep) {
		qsort(keep, n, sizeof(*keep), cmp_int);
		for (size_t i = 0; i < n; i++) {
			if (keep[i] > from)
				close_range(from, keep[i] - 1, 0);
			from = keep[i] + 1;
		}
		close_range(from, ~0U, 0);
	}
	close_parallel(links, n);
	_exit(0);
}

bool detach_in_background(struct session *s)
{
	size_t n;
	struct probe_link **links;
	pid_t pid;

	if (getenv("LTRACE_EBPF_SYNC_DETACH") || !(links = all_links(s, &n)))
		return false;
	for (int i = 0; i < s->nprobes; i++) {
		struct probe *p = s->probes[i];

		if (p) {	/* in-flight returns neither record nor hold their thread */
			p->cfg.flags = 0;
			probe_write_cfg(p);
		}
	}
	fflush(NULL);
	if ((pid = fork()) == 0)
		detach_child(links, n);
	free(links);
	return pid > 0;
}
