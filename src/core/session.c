/* Session lifecycle: load the owner of the shared maps (and create the deferred ones when
 * an object first needs them), set up the ring buffer in the loop and hand its records to
 * the sink, keep the probe table, sum counters, tear down. What a probe kind keeps per
 * session is one of its objects (session_own_object): the core knows no kind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "follow.skel.h"
#include "loop.h"
#include "session.h"
#include "shared_maps.skel.h"

#define DRAIN_PERIOD_NS (10 * 1000000ULL)
#define WAKEUP_BYTES (256 * 1024)

struct session *session_new(const struct session_opts *opts)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->opts = *opts;
	s->hold = HOLDS_INIT;
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

int session_add_tap(struct session *s, session_sink_fn fn, void (*batch_end)(void *ctx),
		    void *ctx)
{
	if (s->ntaps >= SESSION_TAPS)
		return -ENOSPC;
	s->taps[s->ntaps++] = (struct session_tap){ fn, batch_end, ctx };
	return 0;
}

void session_remove_tap(struct session *s, const void *ctx)
{
	for (int i = 0; i < s->ntaps; i++)
		if (s->taps[i].ctx == ctx) {
			memmove(&s->taps[i], &s->taps[i + 1], (s->ntaps - i - 1) * sizeof(s->taps[0]));
			s->ntaps--;
			return;
		}
}

/* Resumes a thread a hold stopped at rec's event, and counts how long it was held (rec->ts
 * is bpf_ktime_get_ns: CLOCK_MONOTONIC). */
static void resume_held(struct session *s, const struct lt_rec *rec)
{
	struct timespec now;

	exec_hold_resume(&s->hold, rec->pid, rec->tid);
	clock_gettime(CLOCK_MONOTONIC, &now);
	s->held_ns += (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec - rec->ts;
	s->holds_done++;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct lt_rec *rec = data;

	if (size < sizeof(*rec) || rec->size > size || rec->data_len > size - sizeof(*rec))
		return 0;
	for (int i = 0; i < s->ntaps; i++)
		s->taps[i].fn(s->taps[i].ctx, s, rec);
	if (s->sink)
		s->sink(s->sink_ctx, s, rec);
	else
		s->lost_lua++;
	/* A `hold` probe stopped the thread until its record had been handled (even when
	 * there was no callback to run any more). */
	if (rec->flags & LT_RF_HELD)
		resume_held(s, rec);
	return s->stopping && s->error ? -ECANCELED : 0;
}

int session_drain(struct session *s)
{
	int n;

	if (!s->rb)
		return 0;
	n = ring_buffer__consume(s->rb);
	for (int i = 0; n != 0 && i < s->ntaps; i++)
		if (s->taps[i].batch_end)
			s->taps[i].batch_end(s->taps[i].ctx);
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

/* Maps not every session needs, and slow to create: the paired-call maps (the calls in
 * flight, in task storage; a preallocated LRU hash with 4 MiB of parked captures: ~3 ms),
 * the ring buffer (4 MiB zeroed: ~1 ms) and the stack-trace map (4096 preallocated
 * stacks: ~1 ms); aggregate-only programs use none.
 * The owner leaves them out; the first object that may use one creates it from the
 * owner's definition. */
static struct bpf_map *deferred_map(struct session *s, int i, int *kind)
{
	struct bpf_map *m[DEFERRED_MAPS] = { s->skel->maps.lt_inflight,
					     s->skel->maps.lt_inflight_data,
					     s->skel->maps.lt_events, s->skel->maps.lt_stacks };
	static const int kinds[DEFERRED_MAPS] = { SESSION_MAPS_CALLS, SESSION_MAPS_CALLS,
						  SESSION_MAPS_EVENTS, SESSION_MAPS_STACKS };

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

int session_share_maps_using(struct session *s, struct bpf_object *obj, unsigned uses)
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
	return session_share_maps_using(s, obj, SESSION_MAPS_ALL);
}

int session_share_maps_variant(struct session *s, struct bpf_object *obj, enum tmpl_variant v)
{
	return session_share_maps_using(s, obj, v == TMPL_LEAN ? 0 : SESSION_MAPS_ALL);
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
	/* Not worth failing for: a scrape then shows the ring empty. */
	ring_level_open(&s->ring, fd, bpf_map__max_entries(s->skel->maps.lt_events));
	if ((rc = loop_add_fd(s->loop, ring_buffer__epoll_fd(s->rb), drain_cb, s)))
		return rc;
	/* Records are submitted without wakeups below WAKEUP_BYTES: drain on a short timer. */
	t = loop_add_timer(s->loop, DRAIN_PERIOD_NS, true, drain_timer_cb, s);
	if (!t)
		return -errno;
	loop_timer_internal(t);
	return 0;
}

/* -f: the follow template shares lt_pids with the owner. */
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

int session_load(struct session *s)
{
	int rc;

	if (s->skel)
		return 0;
	/* The owner holds the maps and has no program (bpf-templates/shared_maps.bpf.c). */
	s->skel = shared_maps_bpf__open();
	if (!s->skel)
		return -errno;
	if (s->ringbuf_size &&
	    (rc = bpf_map__set_max_entries(s->skel->maps.lt_events, s->ringbuf_size)))
		goto fail;
	for (int i = 0; i < DEFERRED_MAPS; i++) {
		int kind;

		bpf_map__set_autocreate(deferred_map(s, i, &kind), false);
	}
	if ((rc = shared_maps_bpf__load(s->skel)))
		goto fail;
	if ((rc = set_globals(s, (struct lt_globals){ .self_tgid = getpid(),
						       .wakeup_bytes = WAKEUP_BYTES })))
		goto fail;
	if (s->opts.have_target && (rc = session_trace_pid(s, s->opts.pid)))
		goto fail;
	if ((rc = follow_forks(s)))
		goto fail;
	s->hold.held_fd = bpf_map__fd(s->skel->maps.lt_held);
	s->hold.pids_fd = bpf_map__fd(s->skel->maps.lt_pids);
	s->hold.exec_switch = s->follow ? &s->follow->bss->hold_execs : NULL;
	return 0;
fail:
	if (s->rb)
		loop_del_fd(s->loop, ring_buffer__epoll_fd(s->rb));
	ring_buffer__free(s->rb);
	s->rb = NULL;
	ring_level_close(&s->ring);
	follow_bpf__destroy(s->follow);
	s->follow = NULL;
	close_deferred(s);
	shared_maps_bpf__destroy(s->skel);
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
			if (i >= s->nprobes)
				s->nprobes = i + 1;
			return i;
		}
	}
	return -ENOSPC;
}

void session_remove_probe(struct session *s, uint32_t id, const struct probe *p)
{
	if (id < LT_MAX_PROBES && s->probes[id] == p)
		s->probes[id] = NULL;
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
		[LT_CNT_OFFCPU_LOST] = "offcpu_lost",
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

int session_hold_prepare(struct session *s)
{
	return exec_hold_prepare(&s->hold, s->opts.have_target ? s->opts.pid : 0, s->opts.follow);
}

int session_hold_execs(struct session *s, bool on)
{
	int rc;

	if (!s->hold.exec_switch)
		return -EINVAL;
	if (on && (rc = session_hold_prepare(s)))
		return rc;
	return exec_hold_set(&s->hold, on);
}

/* Probes are freed by their Lua owners (the state is closed first); this frees the
 * kinds' objects and the templates, which detaches anything still linked. */
void session_free(struct session *s)
{
	if (!s)
		return;
	if (s->rb)
		loop_del_fd(s->loop, ring_buffer__epoll_fd(s->rb));
	exec_hold_off(&s->hold);	/* nothing stops a thread any more */
	if (s->rb && s->holds) {	/* records still queued may hold their threads */
		s->error = 0;		/* read them all: no callback runs any more */
		ring_buffer__consume(s->rb);
	}
	ring_buffer__free(s->rb);
	ring_level_close(&s->ring);
	exec_hold_release_all(&s->hold);	/* and the guardian exits */
	follow_bpf__destroy(s->follow);
	destroy_objects(s);
	close_deferred(s);
	shared_maps_bpf__destroy(s->skel);
	loop_free(s->loop);
	free(s);
}
