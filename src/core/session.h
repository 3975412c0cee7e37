/* The tracing session: the maps every template shares (owned by one object that loads no
 * program), the table of probes, the ring buffer and where its records go, the target
 * process, holds, and the kinds' own state (session_own_object). Everything a running
 * trace owns hangs off one struct session, torn down in one place. */
#ifndef LT_SESSION_H
#define LT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exec_hold.h"
#include "ring_level.h"
#include "lt_abi.h"

struct probe;
struct loop;
struct session;

/* Where the session hands each well-formed ring-buffer record: the layer above installs it
 * (the Lua layer, in script_new), so the core calls up into nothing it includes. */
typedef void (*session_sink_fn)(void *ctx, struct session *s, const struct lt_rec *rec);

/* Builds of a template (the uprobe template has all three, the syscall template plain and
 * lean): what a probe needs decides which one it uses (tmpl_variant_of). */
enum tmpl_variant {
	TMPL_PLAIN,
	TMPL_SLEEPABLE,	/* faults pages in for captures (where the kernel takes it) */
	TMPL_LEAN,	/* in-kernel aggregation only: no records, no stacks */
	TMPL_VARIANTS,
};

struct bpf_program;

/* A consumer of the session's records beside its sink (session_add_tap): an output or a
 * view (--json, --dashboard, --http, --ndjson-fd) sees every record before the sink, and
 * is told at the end of each drain that handed records over (an output flushes there). */
#define SESSION_TAPS 8
struct session_tap {
	session_sink_fn fn;
	void (*batch_end)(void *ctx);	/* NULL: nothing */
	void *ctx;
};

struct session_opts {
	int pid;		/* -p PID, or the child started for `-- CMD` */
	bool follow;		/* -f: children of the target are traced too */
	bool have_target;
	char exe[4096];		/* the target's executable, when known */
	bool repl;
	bool keep_going;	/* a callback error is reported and the session goes on */
	bool verbose;		/* -v: the providers say which mechanism each probe took */
};

struct session {
	struct session_opts opts;
	/* The owner of the maps every template shares (bpf-templates/shared_maps.bpf.c: the
	 * maps, no program); NULL until the first kernel probe needs it */
	struct shared_maps_bpf *skel;
	struct follow_bpf *follow;	/* -f only */
	struct ring_buffer *rb;
	struct ring_level ring;	/* rb's fill level, for a scrape */
	struct loop *loop;
	session_sink_fn sink;	/* records go here; NULL: they are dropped (session_set_sink) */
	void *sink_ctx;
	struct session_tap taps[SESSION_TAPS];	/* in the order added (session_add_tap) */
	int ntaps;
	/* The probe table, by id: the probes register themselves (probe.c) and are freed
	 * by their owners before the session */
	struct probe *probes[LT_MAX_PROBES];
	int nprobes;
	struct lt_globals globals;	/* mirror of lt_globals[0] */
	bool stopping;
	bool holds;		/* a probe has option `hold`: processes may be stopped */
	struct holds hold;	/* the guardian, how holds stop (exec_hold.h) */
	int exit_code;		/* exit() from a script, or the target's status */
	bool exit_called;	/* the script called exit(): its code wins over the target's */
	uint32_t ringbuf_size;	/* bytes, power of two; 0: the template's default */
	int error;		/* a callback failed: exit non-zero */
	uint64_t events;	/* records handed to Lua */
	uint64_t lost_lua;	/* records whose probe was gone (detached) */
	uint64_t held_ns;	/* threads stopped by holds, from their event to their resume */
	uint64_t holds_done;	/* threads a hold stopped and the session resumed */
	/* lt_inflight, lt_inflight_data, lt_events, lt_stacks: created when a program may
	 * use them */
#define DEFERRED_MAPS 4
	int deferred_fd[DEFERRED_MAPS];
	bool agg_hist_used[LT_AGG_HISTS];	/* lt_agg_hists elements held by probes */
	uint32_t agg_epoch;	/* last epoch handed to a keyless aggregate (agg_flat_slots.c) */
	struct session_object *objects;	/* kinds' state and objects (session_own_object) */
	size_t nobjects;
};

struct session *session_new(const struct session_opts *opts);
/* Frees the session; its probes are freed first, by their owners (the Lua state's
 * probe handles, closed by script_close). */
void session_free(struct session *s);
/* Opens and loads the owner of the maps on first use; 0 or -errno (message printed). */
int session_load(struct session *s);
/* Before loading another template object: every map it declares under a name the owner
 * has (lt_events, lt_probes, lt_aggs, lt_counters, lt_stats, lt_pids ...) becomes the
 * owner's, so all templates feed one ring buffer and one set of counters. 0 or -errno. */
struct bpf_object;
int session_share_maps(struct session *s, struct bpf_object *obj);
/* Maps the owner creates only for the first object whose programs may use them, as they
 * are slow to create (session.c). */
enum session_maps_use {
	SESSION_MAPS_CALLS = 1,		/* lt_inflight, lt_inflight_data: paired calls */
	SESSION_MAPS_EVENTS = 2,	/* lt_events: the ring buffer */
	SESSION_MAPS_STACKS = 4,	/* lt_stacks */
	SESSION_MAPS_ALL = 7,
};
/* session_share_maps for an object whose programs use only the deferred maps in `uses`
 * (SESSION_MAPS_*): it leaves the others uncreated. */
int session_share_maps_using(struct session *s, struct bpf_object *obj, unsigned uses);
/* The same for a build of variant v: a lean build's programs use no ring buffer, paired-call
 * or stack maps, so they are left uncreated for it. */
int session_share_maps_variant(struct session *s, struct bpf_object *obj, enum tmpl_variant v);
/* The build a probe's configuration needs: sleepable for captures and stack-keyed
 * aggregates, plain for records, lean for in-kernel aggregation only. */
enum tmpl_variant tmpl_variant_of(const struct lt_probe_cfg *c);
/* The fd of one of the owner's maps (s->skel->maps.X): the owner creates some only when a
 * program may use them (session.c); -1 while not created. */
struct bpf_map;
int session_map_fd(struct session *s, const struct bpf_map *owned);
/* A probe kind's state in the session (its template objects, what it learnt of the kernel,
 * ...), owned by the session: destroyed by session_free after every probe (so after every
 * link), before the owner's maps, the last registered first. `key` (any address the kind
 * owns) finds it again with session_object. 0 or -ENOMEM (obj not taken). */
struct session_object {
	const void *key;
	void *obj;
	void (*destroy)(void *obj);
};
int session_own_object(struct session *s, const void *key, void *obj, void (*destroy)(void *obj));
void *session_object(struct session *s, const void *key);
/* Maps the ring buffer and watches it (first probe that streams to Lua); 0 or -errno. */
int session_start_events(struct session *s);
/* Installs where records go (NULL: nowhere); a held thread is resumed after its record
 * has been handed over either way. */
void session_set_sink(struct session *s, session_sink_fn fn, void *ctx);
/* Adds a tap (struct session_tap): from now on every well-formed record goes to each tap,
 * in the order they were added, then to the sink; the sink stays the script's. 0, or
 * -ENOSPC when SESSION_TAPS are in use. */
int session_add_tap(struct session *s, session_sink_fn fn, void (*batch_end)(void *ctx),
		    void *ctx);
/* Removes the tap added with ctx (if any): no record reaches it after this. */
void session_remove_tap(struct session *s, const void *ctx);
/* Registers a probe under a fresh id: the id, or -ENOSPC when LT_MAX_PROBES are in use. */
int session_add_probe(struct session *s, struct probe *p);
/* Frees id, if p holds it. */
void session_remove_probe(struct session *s, uint32_t id, const struct probe *p);
struct probe *session_probe(struct session *s, uint32_t id);
/* Holds (exec_hold.h) with the session's maps and target: before a probe may stop a
 * thread; and core.hold_execs (-EINVAL without -f). 0 or -errno. */
int session_hold_prepare(struct session *s);
int session_hold_execs(struct session *s, bool on);
/* Drains the ring buffer into the sink. */
int session_drain(struct session *s);
/* Sums a global drop counter over CPUs. */
uint64_t session_counter(struct session *s, enum lt_counter which);
const char *session_counter_name(enum lt_counter which);
/* Adds a process to the traced set (and turns the pid filter on). */
int session_trace_pid(struct session *s, int pid);
void session_stop(struct session *s, int code);

#endif
