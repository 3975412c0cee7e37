/* Session lifecycle: open the templates (configure what this kernel lacks, then load),
 * set up the ring buffer in the loop, keep the probe table, sum counters, tear down. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "loop.h"
#include "probe.h"
#include "session.h"
#include "exec_hold.h"
#include "guardian.h"
#include "follow.skel.h"
#include "parallel_load.h"
#include "uprobe.skel.h"
#include "uprobe_lean.skel.h"
#include "uprobe_sleep.skel.h"
#include "uprobe_multi.h"

#define DRAIN_PERIOD_NS (10 * 1000000ULL)
#define WAKEUP_BYTES (256 * 1024)

struct session *session_new(const struct session_opts *opts)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->opts = *opts;
	s->sleepable_ok = !getenv("LTRACE_EBPF_NO_SLEEPABLE");
	for (int i = 0; i < DEFERRED_MAPS; i++)
		s->deferred_fd[i] = -1;
	s->loop = loop_new();
	if (!s->loop) {
		free(s);
		return NULL;
	}
	return s;
}

void session_set_sink(struct session *s, session_sink_fn fn, void *ctx)
{
	s->sink = fn;
	s->sink_ctx = ctx;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct lt_rec *rec = data;

	if (size < sizeof(*rec) || rec->size > size || rec->data_len > size - sizeof(*rec))
		return 0;
	if (s->sink)
		s->sink(s->sink_ctx, s, rec);
	else
		s->lost_lua++;
	/* A `hold` probe stopped the thread until its record had been handled (even when
	 * there was no callback to run any more). */
	if (rec->flags & LT_RF_HELD)
		exec_hold_resume(s, rec->pid, rec->tid);
	return s->stopping && s->error ? -ECANCELED : 0;
}

int session_drain(struct session *s)
{
	int n;

	if (!s->rb)
		return 0;
	n = ring_buffer__consume(s->rb);
	return n == -ECANCELED ? 0 : n;
}

static void drain_cb(void *ctx, int fd)
{
	session_drain(ctx);
}

static void drain_timer_cb(void *ctx, struct loop_timer *t)
{
	session_drain(ctx);
}

static struct bpf_program *const *group_progs(struct uprobe_bpf *k, enum tmpl_group g, bool multi,
					     struct bpf_program *out[2])
{
	switch (g) {
	case TMPL_ENTRY:
		out[0] = multi ? k->progs.lt_entry_multi : k->progs.lt_entry;
		out[1] = NULL;
		break;
	case TMPL_RETURN:
		out[0] = multi ? k->progs.lt_return_multi : k->progs.lt_return;
		out[1] = NULL;
		break;
	default:
		out[0] = multi ? k->progs.lt_call_entry_multi : k->progs.lt_call_entry;
		out[1] = multi ? k->progs.lt_call_return_multi : k->progs.lt_call_return;
	}
	return out;
}

/* Maps not every session needs, and slow to create: the paired-call maps (the calls in
 * flight, in task storage; a preallocated LRU hash with 4 MiB of parked captures: ~3 ms),
 * the ring buffer (4 MiB zeroed: ~1 ms) and the stack-trace map (4096 preallocated
 * stacks: ~1 ms); aggregate-only programs use none.
 * The owner leaves them out; the first object that may use one creates it from the
 * owner's definition. */
enum { DEFER_INFLIGHT = 1, DEFER_EVENTS = 2, DEFER_STACKS = 4, DEFER_ALL = 7 };

static struct bpf_map *deferred_map(struct session *s, int i, int *kind)
{
	struct bpf_map *m[DEFERRED_MAPS] = { s->skel->maps.lt_inflight,
					     s->skel->maps.lt_inflight_data,
					     s->skel->maps.lt_events, s->skel->maps.lt_stacks };
	static const int kinds[DEFERRED_MAPS] = { DEFER_INFLIGHT, DEFER_INFLIGHT, DEFER_EVENTS,
						  DEFER_STACKS };

	*kind = kinds[i];
	return m[i];
}

int session_map_fd(struct session *s, const struct bpf_map *owned)
{
	int kind;

	for (int i = 0; bpf_map__fd(owned) < 0 && i < DEFERRED_MAPS; i++)
		if (deferred_map(s, i, &kind) == owned)
			return s->deferred_fd[i];
	return bpf_map__fd(owned);
}

/* The owner's map fd, or the deferred map's, created on first use; -errno. */
static int map_fd(struct session *s, const struct bpf_map *owned)
{
	int kind;

	if (bpf_map__fd(owned) >= 0)
		return bpf_map__fd(owned);
	for (int i = 0; i < DEFERRED_MAPS; i++) {
		struct bpf_map *m = deferred_map(s, i, &kind);
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = bpf_map__map_flags(m));

		if (m != owned)
			continue;
		if (bpf_map__type(m) == BPF_MAP_TYPE_TASK_STORAGE) {
			/* Local storage maps must name their types in BTF. */
			o.btf_fd = btf__fd(bpf_object__btf(s->skel->obj));
			o.btf_key_type_id = bpf_map__btf_key_type_id(m);
			o.btf_value_type_id = bpf_map__btf_value_type_id(m);
		}
		if (s->deferred_fd[i] < 0)
			s->deferred_fd[i] = bpf_map_create(bpf_map__type(m), bpf_map__name(m),
							   bpf_map__key_size(m),
							   bpf_map__value_size(m),
							   bpf_map__max_entries(m), &o);
		return s->deferred_fd[i] < 0 ? -errno : s->deferred_fd[i];
	}
	return -ENOENT;
}

/* `uses`: the deferred maps (DEFER_*) the object's programs may use; it leaves the others
 * uncreated too. */
static int share_maps(struct session *s, struct bpf_object *obj, int uses)
{
	struct bpf_map *map;
	int rc, fd, kind;

	bpf_object__for_each_map(map, obj) {
		struct bpf_map *owned = bpf_object__find_map_by_name(s->skel->obj,
								     bpf_map__name(map));

		if (!owned)
			continue;
		for (int i = 0; i < DEFERRED_MAPS; i++) {
			if (deferred_map(s, i, &kind) == owned && !(uses & kind) &&
			    s->deferred_fd[i] < 0)
				owned = NULL;
		}
		if (!owned) {
			bpf_map__set_autocreate(map, false);
			continue;
		}
		if ((fd = map_fd(s, owned)) < 0)
			return fd;
		if ((rc = bpf_map__reuse_fd(map, fd)))
			return rc;
	}
	return 0;
}

int session_share_maps(struct session *s, struct bpf_object *obj)
{
	return share_maps(s, obj, DEFER_ALL);
}

int session_share_maps_variant(struct session *s, struct bpf_object *obj, enum tmpl_variant v)
{
	return share_maps(s, obj, v == TMPL_LEAN ? 0 : DEFER_ALL);
}

/* The sleepable programs are for reading user memory that may need faulting in:
 * captures; and aggregates keyed by stack, whose ids stay in the one id space they always
 * had. Stacks recorded in events need neither: the stack being walked or copied is in
 * use, so resident, and the sleepable build verifies about twice as long. Probes that
 * only aggregate take the lean build (a third of the plain one's verification), the rest
 * the plain one. */
enum tmpl_variant tmpl_variant_of(const struct lt_probe_cfg *c)
{
	if (c->nfetch || (c->agg_by >= LT_BY_USTACK && c->agg_by <= LT_BY_STACK))
		return TMPL_SLEEPABLE;
	return (c->flags & LT_CFG_EMIT) ? TMPL_PLAIN : TMPL_LEAN;
}

/* The same template built with LT_SLEEPABLE=1 or LT_LEAN=1 has the same maps and
 * programs in the same order, so its object opens into a struct uprobe_bpf. */
static struct uprobe_bpf *open_template(enum tmpl_variant v)
{
	struct uprobe_bpf *k = calloc(1, sizeof(*k));
	int rc;

	if (!k)
		return NULL;
	if ((rc = uprobe_bpf__create_skeleton(k)))
		goto fail;
	if (v == TMPL_SLEEPABLE)
		k->skeleton->data = (void *)uprobe_sleep_bpf__elf_bytes(&k->skeleton->data_sz);
	else if (v == TMPL_LEAN)
		k->skeleton->data = (void *)uprobe_lean_bpf__elf_bytes(&k->skeleton->data_sz);
	if ((rc = bpf_object__open_skeleton(k->skeleton, NULL)))
		goto fail;
	return k;
fail:
	uprobe_bpf__destroy(k);
	errno = -rc;
	return NULL;
}

/* Opens the template with only program `which` of the group loadable, and every map
 * shared with the owner. */
static struct uprobe_bpf *open_variant(struct session *s, enum tmpl_group g, bool multi,
				       enum tmpl_variant v, int which)
{
	struct uprobe_bpf *k = open_template(v);
	struct bpf_program *prog, *keep[2];
	int rc = 0, uses;

	if (!k)
		return NULL;
	group_progs(k, g, multi, keep);
	bpf_object__for_each_program(prog, k->obj) {
		bool wanted = prog == keep[which];

		bpf_program__set_autoload(prog, wanted);
		if (wanted && multi)
			bpf_program__set_expected_attach_type(
				prog, (enum bpf_attach_type)LT_BPF_TRACE_UPROBE_MULTI);
		if (wanted && v == TMPL_SLEEPABLE)
			bpf_program__set_flags(prog, bpf_program__flags(prog) | BPF_F_SLEEPABLE);
	}
	uses = (g == TMPL_CALL ? DEFER_INFLIGHT : 0) |
	       (v == TMPL_LEAN ? 0 : DEFER_EVENTS | DEFER_STACKS);
	if ((rc = share_maps(s, k->obj, uses))) {
		uprobe_bpf__destroy(k);
		errno = rc < 0 ? -rc : EINVAL;
		return NULL;
	}
	return k;
}

static int group_size(enum tmpl_group g)
{
	return g == TMPL_CALL ? 2 : 1;
}

/* The group's programs opened, one object each: all of them, or none and -errno. */
static int open_group(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		      struct uprobe_bpf *out[2])
{
	out[0] = out[1] = NULL;
	for (int i = 0; i < group_size(g); i++) {
		if (!(out[i] = open_variant(s, g, multi, v, i))) {
			int rc = -errno;

			uprobe_bpf__destroy(out[0]);
			out[0] = NULL;
			return rc;
		}
	}
	return 0;
}

/* The group's programs, one object each, verified in parallel (parallel_load.h); 0 or
 * -errno, nothing kept on failure. */
static int load_group(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		      struct uprobe_bpf *inst[2])
{
	struct bpf_object_skeleton *skels[2];
	int rc = open_group(s, g, multi, v, inst);

	for (int i = 0; !rc && i < group_size(g); i++)
		skels[i] = inst[i]->skeleton;
	if (!rc && (rc = load_parallel(skels, group_size(g), NULL))) {
		for (int i = 0; i < 2; i++) {
			uprobe_bpf__destroy(inst[i]);
			inst[i] = NULL;
		}
	}
	return rc;
}

/* Programs being verified ahead of the probes that will need them (session_prefetch). */
struct prefetch {
	pthread_t thread;
	bool multi, threaded;
	struct uprobe_bpf *obj[TMPL_GROUPS][TMPL_VARIANTS][2];
	struct bpf_object_skeleton *skels[LOAD_PARALLEL_MAX];
	int rcs[LOAD_PARALLEL_MAX], n;
};

static void *prefetch_run(void *arg)
{
	struct prefetch *pf = arg;

	load_parallel(pf->skels, pf->n, pf->rcs);
	return NULL;
}

static int prefetch_rc(const struct prefetch *pf, const struct uprobe_bpf *k)
{
	for (int i = 0; i < pf->n; i++)
		if (pf->skels[i] == k->skeleton)
			return pf->rcs[i];
	return -EINVAL;
}

/* Waits for a prefetch and keeps the groups that loaded whole; a sleepable build the
 * kernel refused is not tried again. */
static void prefetch_join(struct session *s)
{
	struct prefetch *pf = s->prefetch;

	if (!pf)
		return;
	s->prefetch = NULL;
	if (pf->threaded)
		pthread_join(pf->thread, NULL);
	for (int g = 0; g < TMPL_GROUPS; g++) {
		for (int v = 0; v < TMPL_VARIANTS; v++) {
			struct uprobe_bpf **got = pf->obj[g][v], **inst = s->instances[g][pf->multi][v];
			bool loaded = got[0] != NULL, take;

			for (int i = 0; loaded && i < group_size(g); i++)
				loaded = !prefetch_rc(pf, got[i]);
			if (got[0] && !loaded && v == TMPL_SLEEPABLE)
				s->sleepable_ok = false;
			/* Decided once for the pair: a call group's return half kept with its
			 * entry half (taking inst[0] first must not throw away got[1]). */
			take = loaded && !inst[0];
			for (int i = 0; i < 2; i++) {
				if (take)
					inst[i] = got[i];
				else
					uprobe_bpf__destroy(got[i]);
			}
		}
	}
	free(pf);
}

int session_prefetch(struct session *s, const bool want[TMPL_GROUPS][TMPL_VARIANTS])
{
	struct prefetch *pf;
	int rc;

	if ((rc = session_load(s)))
		return rc;
	prefetch_join(s);
	if (!(pf = calloc(1, sizeof(*pf))))
		return -ENOMEM;
	pf->multi = s->multi_ok;
	for (int g = 0; g < TMPL_GROUPS; g++) {
		for (int v = 0; v < TMPL_VARIANTS; v++) {
			struct uprobe_bpf **got = pf->obj[g][v];

			if (!want[g][v] || s->instances[g][pf->multi][v][0] ||
			    pf->n + group_size(g) > LOAD_PARALLEL_MAX ||
			    (v == TMPL_SLEEPABLE && !s->sleepable_ok) ||
			    open_group(s, g, pf->multi, v, got))
				continue;	/* left to the probe that needs it, which says why */
			for (int i = 0; i < group_size(g); i++)
				pf->skels[pf->n++] = got[i]->skeleton;
		}
	}
	pf->threaded = !pthread_create(&pf->thread, NULL, prefetch_run, pf);
	if (!pf->threaded)
		prefetch_run(pf);
	s->prefetch = pf;
	return 0;
}

/* Programs are verified only when a probe first needs them (a few ms each), and the
 * sleepable build only for probes that fault pages in: it verifies about twice as long. */
int session_programs(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		     struct bpf_program *out[2])
{
	struct uprobe_bpf **inst;
	struct bpf_program *second[2];
	int rc;

	prefetch_join(s);
	if (v == TMPL_SLEEPABLE && s->sleepable_ok) {
		inst = s->instances[g][multi][v];
		if (!inst[0] && load_group(s, g, multi, v, inst))
			s->sleepable_ok = false;
	}
	if (v == TMPL_SLEEPABLE && !s->sleepable_ok)
		v = TMPL_PLAIN;
	inst = s->instances[g][multi][v];
	if (!inst[0] && (rc = load_group(s, g, multi, v, inst)))
		return rc;
	group_progs(inst[0], g, multi, out);
	if (inst[1])
		out[1] = group_progs(inst[1], g, multi, second)[1];
	return 0;
}

/* The consumer maps the whole ring (every page resident, twice): only sessions whose
 * probes stream events to Lua pay for it; count-only sessions never map it. */
static int start_ring(struct session *s);

int session_start_events(struct session *s)
{
	if (s->rb)
		return 0;
	return start_ring(s);
}

static int start_ring(struct session *s)
{
	struct loop_timer *t;
	int rc, fd = map_fd(s, s->skel->maps.lt_events);

	if (fd < 0)
		return fd;
	s->rb = ring_buffer__new(fd, on_record, s, NULL);
	if (!s->rb)
		return -errno;
	if ((rc = loop_add_fd(s->loop, ring_buffer__epoll_fd(s->rb), drain_cb, s)))
		return rc;
	/* Records are submitted without wakeups below WAKEUP_BYTES: drain on a short timer. */
	t = loop_add_timer(s->loop, DRAIN_PERIOD_NS, true, drain_timer_cb, s);
	if (!t)
		return -errno;
	loop_timer_internal(t);
	return 0;
}

/* -f: the follow template shares lt_pids with the uprobe template. */
static int follow_forks(struct session *s)
{
	int rc;

	if (!s->opts.follow)
		return 0;
	s->follow = follow_bpf__open();
	if (!s->follow)
		return -errno;
	if ((rc = session_share_maps(s, s->follow->obj)) || (rc = follow_bpf__load(s->follow)) || (rc = follow_bpf__attach(s->follow)))
		return rc;
	return 0;
}

static int set_globals(struct session *s, struct lt_globals g)
{
	uint32_t zero = 0;

	s->globals = g;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.lt_globals), &zero, &g, BPF_ANY))
		return -errno;
	return 0;
}

static void close_deferred(struct session *s)
{
	for (int i = 0; i < DEFERRED_MAPS; i++) {
		if (s->deferred_fd[i] >= 0)
			close(s->deferred_fd[i]);
		s->deferred_fd[i] = -1;
	}
}

static void prefetch_join(struct session *s);

static void destroy_instances(struct session *s)
{
	prefetch_join(s);
	for (int g = 0; g < TMPL_GROUPS; g++) {
		for (int m = 0; m < 2; m++) {
			for (int v = 0; v < TMPL_VARIANTS; v++) {
				for (int i = 0; i < 2; i++) {
					uprobe_bpf__destroy(s->instances[g][m][v][i]);
					s->instances[g][m][v][i] = NULL;
				}
			}
		}
	}
}

int session_load(struct session *s)
{
	struct bpf_program *prog;
	int rc;

	if (s->skel)
		return 0;
	/* The owner instance holds the maps and loads no program itself. */
	s->skel = uprobe_bpf__open();
	if (!s->skel)
		return -errno;
	if (s->ringbuf_size &&
	    (rc = bpf_map__set_max_entries(s->skel->maps.lt_events, s->ringbuf_size)))
		goto fail;
	s->multi_ok = uprobe_multi_supported();
	bpf_object__for_each_program(prog, s->skel->obj)
		bpf_program__set_autoload(prog, false);
	for (int i = 0; i < DEFERRED_MAPS; i++) {
		int kind;

		bpf_map__set_autocreate(deferred_map(s, i, &kind), false);
	}
	if ((rc = uprobe_bpf__load(s->skel)))
		goto fail;
	if ((rc = set_globals(s, (struct lt_globals){ .self_tgid = getpid(),
						       .wakeup_bytes = WAKEUP_BYTES })))
		goto fail;
	if (s->opts.have_target && (rc = session_trace_pid(s, s->opts.pid)))
		goto fail;
	if ((rc = follow_forks(s)))
		goto fail;
	return 0;
fail:
	if (s->rb)
		loop_del_fd(s->loop, ring_buffer__epoll_fd(s->rb));
	ring_buffer__free(s->rb);
	s->rb = NULL;
	follow_bpf__destroy(s->follow);
	s->follow = NULL;
	destroy_instances(s);
	close_deferred(s);
	uprobe_bpf__destroy(s->skel);
	s->skel = NULL;
	return rc < 0 ? rc : -EINVAL;
}

int session_trace_pid(struct session *s, int pid)
{
	uint8_t one = 1;
	uint32_t key = pid;

	if (!s->skel)
		return 0;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.lt_pids), &key, &one, BPF_ANY))
		return -errno;
	s->globals.filter_pids = 1;
	/* Without -f nothing leaves lt_pids, so the first pid can skip the lookup; with -f
	 * it leaves when the process is freed, and its number may come back. */
	if (!s->globals.target_tgid && !s->opts.follow)
		s->globals.target_tgid = pid;
	return set_globals(s, s->globals);
}

int session_add_probe(struct session *s, struct probe *p)
{
	for (int i = 0; i < LT_MAX_PROBES; i++) {
		if (!s->probes[i]) {
			s->probes[i] = p;
			p->id = i;
			if (i >= s->nprobes)
				s->nprobes = i + 1;
			return 0;
		}
	}
	return -ENOSPC;
}

void session_remove_probe(struct session *s, struct probe *p)
{
	if (p->id < LT_MAX_PROBES && s->probes[p->id] == p)
		s->probes[p->id] = NULL;
	p->id = UINT32_MAX;
}

struct probe *session_probe(struct session *s, uint32_t id)
{
	return id < LT_MAX_PROBES ? s->probes[id] : NULL;
}

uint64_t session_counter(struct session *s, enum lt_counter which)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t key = which;
	uint64_t sum = 0, *per;

	if (!s->skel || ncpu <= 0 || !(per = calloc(ncpu, sizeof(*per))))
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.lt_counters), &key, per))
		for (int i = 0; i < ncpu; i++)
			sum += per[i];
	free(per);
	return sum;
}

const char *session_counter_name(enum lt_counter which)
{
	static const char *const names[LT_CNT_MAX] = {
		[LT_CNT_RINGBUF_FULL] = "ringbuf_full",
		[LT_CNT_INFLIGHT_FULL] = "inflight_full",
		[LT_CNT_AGG_FULL] = "agg_full",
		[LT_CNT_STR_TRUNC] = "str_truncated",
		[LT_CNT_READ_FAULT] = "read_fault",
		[LT_CNT_UNMATCHED_RET] = "unmatched_return",
		[LT_CNT_DATA_FULL] = "data_full",
		[LT_CNT_PIDS_FULL] = "pids_full",
		[LT_CNT_STACK_LOST] = "stack_lost",
		[LT_CNT_RETURNS_UNWOUND] = "returns_unwound",
		[LT_CNT_HOLD_FAILED] = "hold_failed",
	};

	return which < LT_CNT_MAX ? names[which] : "?";
}

int session_own_object(struct session *s, const void *key, void *obj, void (*destroy)(void *obj))
{
	struct session_object *v = realloc(s->objects, (s->nobjects + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->objects = v;
	v[s->nobjects++] = (struct session_object){ key, obj, destroy };
	return 0;
}

void *session_object(struct session *s, const void *key)
{
	for (size_t i = 0; i < s->nobjects; i++)
		if (s->objects[i].key == key)
			return s->objects[i].obj;
	return NULL;
}

/* Last registered first: an object may use maps of one registered before it. */
static void destroy_objects(struct session *s)
{
	while (s->nobjects--)
		s->objects[s->nobjects].destroy(s->objects[s->nobjects].obj);
	free(s->objects);
	s->objects = NULL;
	s->nobjects = 0;
}

void session_stop(struct session *s, int code)
{
	s->stopping = true;
	s->exit_code = code;
	loop_stop(s->loop);
}

/* Probes are freed by their Lua owners (the state is closed first); this frees what is
 * left and the templates, which detaches anything still linked. */
void session_free(struct session *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i])
			probe_free(s->probes[i]);
	if (s->rb)
		loop_del_fd(s->loop, ring_buffer__epoll_fd(s->rb));
	exec_hold_off(s);		/* nothing stops a thread any more */
	if (s->rb && s->holds) {	/* records still queued may hold their threads */
		s->error = 0;		/* read them all: no callback runs any more */
		ring_buffer__consume(s->rb);
	}
	ring_buffer__free(s->rb);
	exec_hold_release_all(s);
	guardian_stop(s);
	follow_bpf__destroy(s->follow);
	destroy_instances(s);
	destroy_objects(s);
	close_deferred(s);
	uprobe_bpf__destroy(s->skel);
	loop_free(s->loop);
	free(s);
}
