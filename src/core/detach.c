/* Parallel detach: threads each close a slice of the session's links (one link each up
 * to DETACH_THREADS: every release is a wait for a grace period, so they overlap best
 * one per thread); then every probe is marked detached. Nothing else runs meanwhile, so
 * joining is the only sync. Then we wait for every link to be really gone
 * (detach_wait_released). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "detach.h"
#include "probe.h"
#include "session.h"

#define DETACH_THREADS 64
#define RELEASE_WAIT_MS 5000	/* a holder that keeps our link longer is told about */

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

uint32_t detach_link_id(int fd)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

/* detach_wait_released: closing our fd releases a link (removes its uprobes' int3s from the program's text) only
 * if it held the last reference. Anyone reading /proc/OUR_PID/fdinfo holds the file for a
 * moment, and anyone listing links (bpftool link show, every integration test's leak
 * check) holds the link by id: the release then runs in that process, later, and a ptrace
 * tool attaching right after our exit read our int3 as the program's own byte (the loop
 * died with SIGTRAP, issue 11 item 2, once under load). So each link's id is taken again
 * until it is gone: when the other holder lets go first, our close is the last one and the
 * uprobes are removed here; when it lets go last, the id is gone once its release has begun.
 * ids: zeroed as their links go. */
void detach_wait_released(uint32_t *ids, size_t n)
{
	struct timespec tick = { 0, 1000000L }, now, end;
	size_t held = 0;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += RELEASE_WAIT_MS / 1000;
	for (;;) {
		held = 0;
		for (size_t i = 0; i < n; i++) {
			int fd = ids[i] ? bpf_link_get_fd_by_id(ids[i]) : -ENOENT;

			if (fd < 0) {	/* gone (or not ours to see: nothing to wait for) */
				ids[i] = 0;
				continue;
			}
			close(fd);	/* the release happens here if the other let go */
			held++;
		}
		if (!held)
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "ltrace-ebpf: %zu probe link(s) still held by another process after %d ms; "
		"their breakpoints stay in the traced programs until it lets them go\n", held,
		RELEASE_WAIT_MS);
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
	uint32_t *ids;

	for (int i = 0; i < s->nprobes; i++) {
		struct probe *p = s->probes[i];

		if (p && p->attached) {	/* in-flight returns neither record nor hold their thread */
			p->cfg.flags = 0;
			probe_write_cfg(p);
		}
	}
	links = all_links(s, &n);
	ids = calloc(n ? n : 1, sizeof(*ids));
	for (size_t i = 0; ids && i < n; i++)
		ids[i] = detach_link_id(links[i]->link ? bpf_link__fd(links[i]->link)
							      : links[i]->fd);
	close_parallel(links, n);
	free(links);
	if (ids)
		detach_wait_released(ids, n);
	free(ids);
	detach_wait_sites(s);
	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i])
			probe_detach(s->probes[i]);
}
