/* The last guard of detach_all: the traced process's code reads as its files again.
 *
 * detach_wait_released waits until no link of ours exists any more, which is when the
 * kernel has begun releasing it; the int3s of its uprobes leave the program's text a
 * moment later (the link id is freed before the uprobes are unregistered). A ptrace tool
 * attaching in that moment (ltrace -p right after us) reads our int3 as the program's own
 * byte and puts it back when it leaves: the program dies with SIGTRAP (issue 11; seen
 * once under load with every link already gone). So the bytes themselves are read: each
 * probed site of the target that shows an int3 its file does not have is read again until
 * it reads as the file, for a bounded time. Only sites that show an int3 are waited for:
 * a byte that differs otherwise (a debugger's patch, a JIT) is not ours to wait for. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "detach.h"
#include "probe.h"
#include "proc_maps.h"
#include "session.h"

#define SITES_WAIT_MS 2000
#define SITES_MAX 4096		/* ltrace -x may probe thousands: the first are enough to know */
#define INT3 0xcc

struct mapping {
	uint64_t start, end, pgoff;
	char path[PATH_MAX];
};

struct pending {
	uint64_t addr;
	uint8_t want;
};

/* The file mappings of pid (NULL when it is gone). */
static struct mapping *read_maps(int pid, size_t *n)
{
	struct mapping *maps = NULL, *grown;
	struct proc_maps *it;
	struct proc_map pm;
	size_t cap = 0;

	*n = 0;
	if (proc_maps_open(&it, pid))
		return NULL;
	while (proc_maps_next(it, &pm) > 0) {
		struct mapping m = { .start = pm.start, .end = pm.end, .pgoff = pm.offset };

		if (!proc_map_is_file(&pm))
			continue;
		snprintf(m.path, sizeof(m.path), "%s", pm.path);
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(grown = realloc(maps, cap * sizeof(*maps))))
				break;
			maps = grown;
		}
		maps[(*n)++] = m;
	}
	proc_maps_close(it);
	return maps;
}

static void collect(const struct probe *p, const struct mapping *maps, size_t nmaps, int mem,
		    struct pending *out, size_t *n)
{
	int fd = open(p->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < p->nsites && *n < SITES_MAX; i++) {
		uint64_t off = p->sites[i].offset;

		for (size_t m = 0; m < nmaps; m++) {
			uint8_t want, got;
			uint64_t addr = maps[m].start + off - maps[m].pgoff;

			if (strcmp(maps[m].path, p->path) || off < maps[m].pgoff ||
			    off >= maps[m].pgoff + (maps[m].end - maps[m].start))
				continue;
			if (pread(fd, &want, 1, off) == 1 && pread(mem, &got, 1, addr) == 1 &&
			    got == INT3 && want != INT3 && *n < SITES_MAX)
				out[(*n)++] = (struct pending){ addr, want };
		}
	}
	close(fd);
}

/* How many of the n sites still differ; those that read right leave the list. */
static size_t recheck(int mem, struct pending *sites, size_t n)
{
	size_t left = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t got;

		if (pread(mem, &got, 1, sites[i].addr) != 1)
			continue;	/* unmapped meanwhile: nothing of ours left there */
		if (got != sites[i].want)
			sites[left++] = sites[i];
	}
	return left;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void detach_wait_sites(struct session *s)
{
	struct timespec tick = { 0, 1000000L };
	struct mapping *maps;
	struct pending *sites;
	size_t nmaps, n = 0;
	char name[64];
	int64_t end;
	int mem;

	if (!s->opts.have_target || s->opts.pid <= 0 || !(maps = read_maps(s->opts.pid, &nmaps)))
		return;
	snprintf(name, sizeof(name), "/proc/%d/mem", s->opts.pid);
	sites = calloc(SITES_MAX, sizeof(*sites));
	if (sites && (mem = open(name, O_RDONLY | O_CLOEXEC)) >= 0) {
		for (int i = 0; i < s->nprobes; i++)
			if (s->probes[i] && s->probes[i]->path[0])
				collect(s->probes[i], maps, nmaps, mem, sites, &n);
		for (end = now_ms() + SITES_WAIT_MS; n && now_ms() < end; nanosleep(&tick, NULL))
			n = recheck(mem, sites, n);
		if (n)
			fprintf(stderr, "ltrace-ebpf: %zu probed site(s) in pid %d still show a "
				"breakpoint %d ms after our probes were released (another tracer's?)\n",
				n, s->opts.pid, SITES_WAIT_MS);
		close(mem);
	}
	free(sites);
	free(maps);
}
