/* Executable mappings as they happen, the way perf keeps maps of processes that exit before
 * their stacks are read: one dummy software perf event per CPU, system-wide, reporting
 * MMAP2 (every PROT_EXEC mmap: path, device, inode, offset), COMM with the exec flag (the
 * address space was replaced) and FORK (a child starts with its parent's maps). The
 * symbolizer drains the rings before it answers a question /proc can no longer answer.
 * Records carry their time (sample_id_all), so a drain applies them in time order across
 * CPUs: an exec seen on one CPU never erases mappings made after it on another. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "symbolize_watch.h"

#define RING_PAGES 32	/* data pages per CPU (a power of two) */

struct ring {
	int fd;
	void *base;
	size_t len;
};

struct pending {
	uint64_t time;
	struct perf_event_header *rec;	/* malloc'd copy */
};

struct sym_watch {
	int n;
	struct ring *r;
	uint64_t lost;
	struct pending *p;
	size_t np, cap;
	char buf[65536];	/* one record copied out of a wrapped ring */
};

static int ring_open(struct ring *r, int cpu)
{
	struct perf_event_attr a = {
		.size = sizeof(a),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_DUMMY,
		.mmap = 1,
		.mmap2 = 1,
		.comm = 1,
		.comm_exec = 1,
		.task = 1,
		/* Readable at half full: the owner drains then (sym_watch_fds), before the
		 * ring can fill on a busy machine. */
		.watermark = 1,
		.wakeup_watermark = RING_PAGES * sysconf(_SC_PAGESIZE) / 2,
		.sample_type = PERF_SAMPLE_TIME,
		.sample_id_all = 1,
	};
	long page = sysconf(_SC_PAGESIZE);

	r->fd = syscall(__NR_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	r->len = (RING_PAGES + 1) * page;
	r->base = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->base == MAP_FAILED) {
		int err = -errno;

		close(r->fd);
		r->fd = -1;
		r->base = NULL;
		return err;
	}
	return 0;
}

struct sym_watch *sym_watch_open(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	struct sym_watch *w = calloc(1, sizeof(*w));
	int opened = 0;

	if (!w || ncpu <= 0 || !(w->r = calloc(ncpu, sizeof(*w->r)))) {
		free(w);
		return NULL;
	}
	w->n = ncpu;
	for (int i = 0; i < w->n; i++)
		if (!ring_open(&w->r[i], i))
			opened++;	/* offline CPUs fail: fine */
	if (!opened) {
		sym_watch_close(w);
		errno = EPERM;
		return NULL;
	}
	return w;
}

static void keep(struct sym_watch *w, const struct perf_event_header *h)
{
	struct pending *v = w->p;

	if (w->np == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		if (!(v = realloc(w->p, w->cap * sizeof(*v))))
			return;
		w->p = v;
	}
	v[w->np].rec = malloc(h->size);
	if (!v[w->np].rec)
		return;
	memcpy(v[w->np].rec, h, h->size);
	/* sample_id_all with PERF_SAMPLE_TIME: the record ends in its time. */
	memcpy(&v[w->np].time, (const char *)h + h->size - 8, 8);
	w->np++;
}

static void ring_drain(struct sym_watch *w, struct ring *r)
{
	struct perf_event_mmap_page *meta = r->base;
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail, size = meta->data_size;
	const char *data = (const char *)r->base + meta->data_offset;

	while (tail < head) {
		const struct perf_event_header *h = (const void *)(data + tail % size);
		size_t at = tail % size, len = h->size;

		if (len < sizeof(*h) || len > sizeof(w->buf))
			break;
		if (at + len > size) {	/* wrapped: copy it out in two pieces */
			memcpy(w->buf, data + at, size - at);
			memcpy(w->buf + size - at, data, len - (size - at));
			h = (const void *)w->buf;
		}
		if (h->type == PERF_RECORD_LOST)
			w->lost++;
		else if (len >= sizeof(*h) + 8 && (h->type == PERF_RECORD_MMAP2 ||
						   h->type == PERF_RECORD_COMM ||
						   h->type == PERF_RECORD_FORK))
			keep(w, h);
		tail += len;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

static int cmp_time(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

void sym_watch_drain(struct sym_watch *w, sym_watch_fn fn, void *ctx)
{
	if (!w)
		return;
	for (int i = 0; i < w->n; i++)
		if (w->r[i].base)
			ring_drain(w, &w->r[i]);
	if (w->np)	/* nothing pending: no array, and qsort's pointer must not be NULL */
		qsort(w->p, w->np, sizeof(*w->p), cmp_time);
	for (size_t i = 0; i < w->np; i++) {
		fn(ctx, w->p[i].rec);
		free(w->p[i].rec);
	}
	w->np = 0;
}

int sym_watch_fds(const struct sym_watch *w, int *fds, int max)
{
	int n = 0;

	for (int i = 0; w && i < w->n && n < max; i++)
		if (w->r[i].base)
			fds[n++] = w->r[i].fd;
	return n;
}

uint64_t sym_watch_lost(const struct sym_watch *w)
{
	return w ? w->lost : 0;
}

void sym_watch_close(struct sym_watch *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->n; i++) {
		if (w->r[i].base)
			munmap(w->r[i].base, w->r[i].len);
		if (w->r[i].fd >= 0)
			close(w->r[i].fd);
	}
	for (size_t i = 0; i < w->np; i++)
		free(w->p[i].rec);
	free(w->p);
	free(w->r);
	free(w);
}
