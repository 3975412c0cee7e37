/* The symbolizer: processes (their executable mappings from /proc/PID/maps, read on first
 * sight, re-read when an address misses, kept once the process is gone), modules shared by
 * every process that maps the same file or the same build-id, the kernel and JIT maps. An
 * address goes mapping -> file offset -> the module's own vaddr -> symbol (and line). */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include "proc_maps.h"
#include "symbolize_int.h"
#include "symbolize_watch.h"

#define REREAD_NS (20 * 1000000ULL)	/* a missing address re-reads maps at most this often */
/* Processes kept: the watcher sees every process of the machine, so the least recently
 * used half goes when there are more (a busy build execs thousands a minute). */
#define PROCS_MAX 8192

struct map_ent {
	uint64_t start, end, pgoff;
	struct sym_module *mod;		/* NULL: anonymous or special */
	const char *special;		/* "[vdso]", "[anon]" ... */
};

struct proc {
	int pid;
	bool gone;
	char comm[16];
	uint64_t read_ns;
	struct map_ent *v;
	size_t n;
	unsigned gen;		/* bumped whenever the maps change */
	struct sym_jit *jit;
	uint64_t used;		/* the symbolizer's clock when last looked up */
	struct proc *next;
};

struct symbolizer {
	struct proc *procs;	/* every process, newest first */
	void *by_pid;		/* the same, a tsearch tree by pid */
	size_t nprocs;
	uint64_t clock;		/* ticks at each lookup: proc.used */
	uint64_t evicted;	/* processes gone from /proc whose maps were let go */
	struct proc *last;	/* the last looked up (a cache) */
	struct proc *pinned;	/* in use across a drain of the watcher: not evicted */
	struct sym_module **mods;
	size_t nmods;
	struct sym_kernel *kernel;
	bool kernel_tried;
	struct sym_module *vdso;
	bool vdso_tried;
	struct sym_watch *watch;
	struct sym_cache *cache;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct symbolizer *symbolizer_new(void)
{
	return calloc(1, sizeof(struct symbolizer));
}

static struct sym_module *module_new(struct symbolizer *sy, const char *path, dev_t dev,
				     ino_t ino)
{
	struct sym_module *m = calloc(1, sizeof(*m)), **v;

	if (!m || !(m->path = strdup(path)))
		goto fail;
	v = realloc(sy->mods, (sy->nmods + 1) * sizeof(*v));
	if (!v)
		goto fail;
	sy->mods = v;
	m->dev = dev;
	m->ino = ino;
	v[sy->nmods++] = m;
	return m;
fail:
	sym_module_free(m);
	return NULL;
}

/* One module per file, and one per build-id: the same library under two paths (a
 * container's copy) is read once. */
static struct sym_module *module_get(struct symbolizer *sy, const char *path, dev_t dev,
				     ino_t ino)
{
	unsigned char id[SYM_BUILD_ID_MAX];
	size_t len = 0;
	struct sym_module *m;

	for (size_t i = 0; i < sy->nmods; i++)
		if (sy->mods[i]->dev == dev && sy->mods[i]->ino == ino &&
		    !strcmp(sy->mods[i]->path, path))
			return sy->mods[i];
	if (!sym_file_build_id(path, id, &len)) {
		for (size_t i = 0; i < sy->nmods; i++)
			if (sy->mods[i]->build_id_len == len &&
			    !memcmp(sy->mods[i]->build_id, id, len))
				return sy->mods[i];
	}
	m = module_new(sy, path, dev, ino);
	if (m && len) {
		memcpy(m->build_id, id, len);
		m->build_id_len = len;
	}
	return m;
}

/* The vdso is the same image in every process: read it from our own memory. */
static struct sym_module *vdso_module(struct symbolizer *sy)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	struct proc_maps *it;
	struct proc_map m;

	if (sy->vdso_tried)
		return sy->vdso;
	sy->vdso_tried = true;
	if (!base || proc_maps_open(&it, getpid()))
		return NULL;
	while (proc_maps_next(it, &m) > 0) {
		if (!strcmp(m.path, "[vdso]") && m.start == base &&
		    (sy->vdso = module_new(sy, "[vdso]", 0, 0))) {
			sy->vdso->image = (const void *)base;
			sy->vdso->image_len = m.end - m.start;
		}
	}
	proc_maps_close(it);
	return sy->vdso;
}

static int cmp_map(const void *a, const void *b)
{
	const struct map_ent *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* One mapping of /proc/PID/maps: executable mappings only. */
static int map_entry(struct symbolizer *sy, const struct proc_map *m, struct map_ent *e)
{
	if (m->perms[2] != 'x')
		return -EINVAL;
	*e = (struct map_ent){ m->start, m->end, m->offset, NULL, "[anon]" };
	if (m->path[0] == '/') {	/* a deleted file still maps its code */
		e->mod = module_get(sy, m->path, makedev(m->dev_major, m->dev_minor), m->inode);
		e->special = NULL;
	} else if (!strcmp(m->path, "[vdso]")) {
		e->mod = vdso_module(sy);
		e->special = "[vdso]";
	} else if (m->path[0] == '[') {
		e->special = m->path[1] == 'u' ? "[uprobes]" : "[anon]";
	}
	return 0;
}

static void read_comm(struct proc *p)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", p->pid);
	if ((f = fopen(path, "re"))) {
		if (fgets(p->comm, sizeof(p->comm), f))
			p->comm[strcspn(p->comm, "\n")] = 0;
		fclose(f);
	}
}

/* Re-reads maps; a process that is gone (or a zombie: no maps) keeps what it had. */
static int proc_read(struct symbolizer *sy, struct proc *p)
{
	struct map_ent *v = NULL, *bigger;
	size_t n = 0, cap = 0;
	struct proc_maps *it;
	struct proc_map m;
	int rc;

	p->read_ns = now_ns();
	if ((rc = proc_maps_open(&it, p->pid))) {
		p->gone = true;
		return rc;
	}
	while (proc_maps_next(it, &m) > 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(bigger = realloc(v, cap * sizeof(*v))))
				break;
			v = bigger;
		}
		if (!map_entry(sy, &m, &v[n]))
			n++;
	}
	proc_maps_close(it);
	if (!n) {
		free(v);
		p->gone = true;
		return -ESRCH;
	}
	qsort(v, n, sizeof(*v), cmp_map);
	free(p->v);
	p->v = v;
	p->n = n;
	p->gen++;
	read_comm(p);
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void proc_free(struct proc *p)
{
	sym_jit_free(p->jit);
	free(p->v);
	free(p);
}

static void proc_node_free(void *p)
{
	proc_free(p);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Lets the least recently used half of the processes go. One that has exited can no longer
 * be read again: its maps are lost (counted with the watcher's losses). */
static void procs_evict(struct symbolizer *sy)
{
	uint64_t *used = malloc(sy->nprocs * sizeof(*used)), cut;
	struct proc **at = &sy->procs, *p;
	size_t n = 0;
	char path[64];

	if (!used)
		return;
	for (p = sy->procs; p; p = p->next)
		used[n++] = p->used;
	qsort(used, n, sizeof(*used), cmp_u64);
	cut = used[n / 2];
	free(used);
	while ((p = *at)) {
		if (p->used >= cut || p == sy->last || p == sy->pinned) {
			at = &p->next;
			continue;
		}
		*at = p->next;
		tdelete(p, &sy->by_pid, cmp_pid);
		sy->nprocs--;
		snprintf(path, sizeof(path), "/proc/%d", p->pid);
		if (p->gone || access(path, F_OK))
			sy->evicted++;
		proc_free(p);
	}
}

static struct proc *proc_find_pid(struct symbolizer *sy, int pid, bool create)
{
	struct proc key = { .pid = pid }, *p, **found;

	sy->clock++;
	if (sy->last && sy->last->pid == pid) {
		sy->last->used = sy->clock;
		return sy->last;
	}
	if ((found = tfind(&key, &sy->by_pid, cmp_pid))) {
		(*found)->used = sy->clock;
		return sy->last = *found;
	}
	if (!create || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->pid = pid;
	p->used = sy->clock;
	if (!tsearch(p, &sy->by_pid, cmp_pid)) {
		free(p);
		return NULL;
	}
	p->next = sy->procs;
	sy->procs = p;
	sy->last = p;
	if (++sy->nprocs > PROCS_MAX)
		procs_evict(sy);
	return p;
}

static void sync_watch(struct symbolizer *sy, struct proc *keep);

/* A process seen for the first time: the watcher's account first, then /proc. */
static struct proc *proc_get(struct symbolizer *sy, int pid)
{
	struct proc *p = proc_find_pid(sy, pid, false);

	if (p)
		return p;
	sync_watch(sy, NULL);
	if (!(p = proc_find_pid(sy, pid, true)))
		return NULL;
	if (!p->read_ns)
		proc_read(sy, p);
	return p;
}

static struct map_ent *proc_find(struct proc *p, uint64_t addr)
{
	size_t i = SYM_COUNT_LE(p->v, p->n, start, addr);

	return i && addr < p->v[i - 1].end ? &p->v[i - 1] : NULL;
}

static struct map_ent *proc_lookup(struct symbolizer *sy, struct proc *p, uint64_t addr)
{
	struct map_ent *m = proc_find(p, addr);

	if (m)
		return m;
	sync_watch(sy, p);
	if ((m = proc_find(p, addr)))
		return m;
	if (!p->gone && now_ns() - p->read_ns > REREAD_NS && !proc_read(sy, p))
		m = proc_find(p, addr);
	return m;
}

/* ---- maps from the watcher's records ----------------------------------------------- */

/* Maps [start, end) of a process: what overlapped it is dropped (mmap replaced it). */
static void proc_map(struct proc *p, const struct map_ent *e)
{
	size_t out = 0;
	struct map_ent *v;

	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].end <= e->start || p->v[i].start >= e->end)
			p->v[out++] = p->v[i];
	p->n = out;
	if (!(v = realloc(p->v, (p->n + 1) * sizeof(*v))))
		return;
	p->v = v;
	v[p->n++] = *e;
	p->gen++;
	qsort(v, p->n, sizeof(*v), cmp_map);
}

struct mmap2_rec {
	struct perf_event_header h;
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	uint32_t maj, min;
	uint64_t ino, ino_generation;
	uint32_t prot, flags;
	char filename[];
};

struct comm_rec {
	struct perf_event_header h;
	uint32_t pid, tid;
	char comm[];
};

struct fork_rec {
	struct perf_event_header h;
	uint32_t pid, ppid, tid, ptid;
};

static void on_mmap2(struct symbolizer *sy, const struct mmap2_rec *r)
{
	struct proc *p;
	struct map_ent e = { r->addr, r->addr + r->len, r->pgoff, NULL, "[anon]" };

	if (!(r->prot & PROT_EXEC) || !memchr(r->filename, 0, r->h.size - sizeof(*r)) ||
	    !(p = proc_find_pid(sy, r->pid, true)))
		return;
	if (r->filename[0] == '/') {
		e.mod = module_get(sy, r->filename, makedev(r->maj, r->min), r->ino);
		e.special = NULL;
	} else if (!strcmp(r->filename, "[vdso]")) {
		e.mod = vdso_module(sy);
		e.special = "[vdso]";
	}
	proc_map(p, &e);
}

static void on_watch(void *ctx, const struct perf_event_header *h)
{
	struct symbolizer *sy = ctx;
	struct proc *p, *parent;

	if (h->type == PERF_RECORD_MMAP2 && h->size > sizeof(struct mmap2_rec)) {
		on_mmap2(sy, (const void *)h);
	} else if (h->type == PERF_RECORD_COMM && h->size > sizeof(struct comm_rec)) {
		const struct comm_rec *c = (const void *)h;

		if (c->pid != c->tid || !(p = proc_find_pid(sy, c->pid, true)))
			return;
		if (h->misc & PERF_RECORD_MISC_COMM_EXEC)
			p->n = 0;	/* a new program: its mappings follow */
		p->gen++;
		snprintf(p->comm, sizeof(p->comm), "%.15s", c->comm);
	} else if (h->type == PERF_RECORD_FORK && h->size >= sizeof(struct fork_rec)) {
		const struct fork_rec *f = (const void *)h;

		if (f->pid == f->ppid || !(parent = proc_find_pid(sy, f->ppid, false)) ||
		    !(p = proc_find_pid(sy, f->pid, true)) || p->n)
			return;
		if ((p->v = malloc(parent->n * sizeof(*p->v)))) {
			memcpy(p->v, parent->v, parent->n * sizeof(*p->v));
			p->n = parent->n;
			p->gen++;
			memcpy(p->comm, parent->comm, sizeof(p->comm));
		}
	}
}

/* keep: a process the caller holds across the drain (never let go meanwhile). */
static void sync_watch(struct symbolizer *sy, struct proc *keep)
{
	sy->pinned = keep;
	sym_watch_drain(sy->watch, on_watch, sy);
	sy->pinned = NULL;
	sy->last = keep;
}

uint64_t symbolizer_watch_lost(const struct symbolizer *sy)
{
	return sym_watch_lost(sy->watch) + sy->evicted;
}

void symbolizer_sync(struct symbolizer *sy)
{
	sync_watch(sy, NULL);
}

int symbolizer_watch_fds(const struct symbolizer *sy, int *fds, int max)
{
	return sym_watch_fds(sy->watch, fds, max);
}

int symbolizer_watch(struct symbolizer *sy)
{
	if (!sy->watch && !(sy->watch = sym_watch_open()))
		return -errno;
	return 0;
}

int symbolizer_track(struct symbolizer *sy, int pid)
{
	struct proc *p = proc_get(sy, pid);

	if (!p)
		return -ENOMEM;
	if (p->read_ns && !p->gone && now_ns() - p->read_ns > REREAD_NS)
		proc_read(sy, p);
	return p->n ? 0 : -ESRCH;
}

void symbolizer_refresh_all(struct symbolizer *sy)
{
	for (struct proc *p = sy->procs; p; p = p->next)
		if (!p->gone)
			proc_read(sy, p);
}

const char *symbolizer_comm(struct symbolizer *sy, int pid)
{
	struct proc *p = proc_get(sy, pid);

	return p && p->comm[0] ? p->comm : NULL;
}

static int jit_lookup(struct proc *p, uint64_t addr, unsigned flags, struct sym_info *out)
{
	if (!p->jit && !(p->jit = sym_jit_new(p->pid)))
		return -ENOMEM;
	return sym_jit_lookup(p->jit, addr, flags, out);
}

/* addr in a file-backed mapping m of p: module, symbol and (SYM_LINES) line. */
static int symbolize_mapped(const struct map_ent *m, uint64_t addr, unsigned flags,
			    struct sym_info *out)
{
	struct sym_module *mod = m->mod;
	const struct sym_entry *e;
	uint64_t vaddr, look;

	sym_module_load(mod);
	vaddr = sym_module_vaddr(mod, addr - m->start + m->pgoff);
	look = vaddr - ((flags & SYM_RETADDR) ? 1 : 0);
	out->module = mod->path;
	out->module_off = vaddr;
	if (flags & SYM_LINES)
		sym_lines_lookup(mod, look, &out->file, &out->line);
	if (!(e = sym_table_find(&mod->syms, look)))
		return -ENOENT;
	out->name = sym_table_name(&mod->syms, e, !(flags & SYM_NO_DEMANGLE));
	out->offset = vaddr - e->addr;
	return 0;
}

int symbolize_user(struct symbolizer *sy, int pid, uint64_t addr, unsigned flags,
		   struct sym_info *out)
{
	struct proc *p = proc_get(sy, pid);
	struct map_ent *m;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!p)
		return -ENOMEM;
	if (sym_cache_get(sy->cache, p, p->gen, addr, flags, out))
		return out->name ? 0 : -ENOENT;
	m = proc_lookup(sy, p, addr);
	if (!m || !m->mod) {
		if (!jit_lookup(p, addr, flags, out))
			return 0;
		out->module = m ? m->special : NULL;
		out->module_off = addr;
		return -ENOENT;
	}
	/* proc_lookup may have re-read the maps: the answer belongs to the current gen. */
	rc = symbolize_mapped(m, addr, flags, out);
	sym_cache_put(&sy->cache, p, p->gen, addr, flags, out);
	return rc;
}

void symbolizer_cache_stats(const struct symbolizer *sy, size_t *hits, size_t *misses)
{
	sym_cache_stats(sy->cache, hits, misses);
}

int symbolize_kernel(struct symbolizer *sy, uint64_t addr, unsigned flags, struct sym_info *out)
{
	if (!sy->kernel_tried) {
		sy->kernel_tried = true;
		sy->kernel = sym_kernel_load();
	}
	if (!sy->kernel) {
		memset(out, 0, sizeof(*out));
		out->module = "[kernel]";
		return -ENOENT;
	}
	return sym_kernel_lookup(sy->kernel, addr, flags, out);
}

struct sym_module *symbolizer_module_at(struct symbolizer *sy, int pid, uint64_t addr,
					uint64_t *map_start, uint64_t *map_pgoff)
{
	struct proc *p = proc_get(sy, pid);
	struct map_ent *m = p ? proc_lookup(sy, p, addr) : NULL;

	if (!m || !m->mod || m->mod->image)
		return NULL;
	*map_start = m->start;
	*map_pgoff = m->pgoff;
	return m->mod;
}

int symbolizer_maps(struct symbolizer *sy, int pid, unsigned *gen,
		    void (*fn)(void *ctx, const char *path, uint64_t start, uint64_t end,
			       uint64_t pgoff),
		    void *ctx)
{
	struct proc *p = proc_get(sy, pid);

	if (!p)
		return -ENOMEM;
	sync_watch(sy, p);
	for (size_t i = 0; i < p->n && fn; i++)
		if (p->v[i].mod && !p->v[i].mod->image)
			fn(ctx, p->v[i].mod->path, p->v[i].start, p->v[i].end, p->v[i].pgoff);
	*gen = p->gen;
	return p->n ? 0 : -ESRCH;
}

bool symbolizer_is_mapped(struct symbolizer *sy, int pid, uint64_t addr)
{
	struct proc *p = proc_get(sy, pid);

	return p && proc_lookup(sy, p, addr);
}

const char *sym_module_path(const struct sym_module *m)
{
	return m->path;
}

void symbolizer_free(struct symbolizer *sy)
{
	if (!sy)
		return;
	tdestroy(sy->by_pid, proc_node_free);	/* every proc is in the tree */
	for (size_t i = 0; i < sy->nmods; i++)
		sym_module_free(sy->mods[i]);
	free(sy->mods);
	sym_kernel_free(sy->kernel);
	sym_watch_close(sy->watch);
	sym_cache_free(sy->cache);
	free(sy);
}
