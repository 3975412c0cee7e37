/* USDT probes: usdt:BIN:PROVIDER:NAME (or usdt:BIN:NAME, any provider; NAME may be a glob).
 * BIN resolves like a uprobe's library; its notes name the sites, one per provider:name
 * pair, and usdt.bpf.h reads the cookie probe id << 32 | site. Where the kernel has
 * uprobe_multi, every location of the probe goes on one link (usdt_multi.c): one grace
 * period to detach them all. Elsewhere libbpf's USDT support attaches each pair, a classic
 * perf-event uprobe per location. One loaded program serves every USDT probe of the
 * session, its attach type chosen at load for one way or the other. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "libpath.h"
#include "libpath_needed.h"
#include "probe.h"
#include "session.h"
#include "uprobe_multi.h"
#include "uprobe_programs.h"
#include "usdt.skel.h"
#include "usdt_args.h"
#include "usdt_multi.h"
#include "usdt_notes.h"

static const struct spec_kind usdt_kind = { .name = "usdt", .form = SPEC_FORM_USDT };

/* BIN as the target's loader would find it, then as a path or a program in $PATH. */
static int resolve_bin(struct session *s, const char *bin, char *path, size_t len, char *err,
		       size_t errlen)
{
	const struct session_opts *o = &s->opts;
	char why[512];

	if ((strchr(bin, '/') || !o->exe[0] || libpath_resolve_for(bin, o->exe, path, len)) &&
	    libpath_resolve(bin, o->pid, path, len, why, sizeof(why))) {
		snprintf(err, errlen, "binary '%s' not found: %s", bin, why);
		return -ENOENT;
	}
	return 0;
}

static bool note_matches(const struct spec *spec, const struct usdt_note *n)
{
	return (!spec->provider[0] || !fnmatch(spec->provider, n->provider, 0)) &&
	       !fnmatch(spec->func, n->name, 0);
}

/* Calls fn once per distinct provider:name pair matching the spec; 0 or fn's error. */
static int for_each_pair(const struct spec *spec, const struct usdt_note_list *notes,
			 int (*fn)(void *ctx, const struct usdt_note *n), void *ctx)
{
	int rc = 0;

	for (size_t i = 0; i < notes->n && !rc; i++) {
		const struct usdt_note *n = &notes->v[i];
		bool seen = false;

		if (!note_matches(spec, n))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = note_matches(spec, &notes->v[j]) &&
			       !strcmp(notes->v[j].provider, n->provider) &&
			       !strcmp(notes->v[j].name, n->name);
		if (!seen)
			rc = fn(ctx, n);
	}
	return rc;
}

static int add_pair_site(void *ctx, const struct usdt_note *n)
{
	struct probe *p = ctx;
	char name[512];

	snprintf(name, sizeof(name), "%s:%s", n->provider, n->name);
	return probe_add_site(p, name, n->loc);
}

static void no_match(const struct probe *p, const struct usdt_note_list *notes, char *err,
		     size_t errlen)
{
	size_t used;

	if (!notes->n) {
		snprintf(err, errlen, "%s has no USDT probes", p->path);
		return;
	}
	used = snprintf(err, errlen, "no USDT probe %s%s%s in %s (it has", p->spec.provider,
			p->spec.provider[0] ? ":" : "", p->spec.func, p->path);
	for (size_t i = 0; i < notes->n && i < 4 && used < errlen; i++)
		used += snprintf(err + used, errlen - used, "%s %s:%s", i ? "," : "",
				 notes->v[i].provider, notes->v[i].name);
	if (used < errlen)
		snprintf(err + used, errlen - used, "%s; list them with -l 'usdt:%s:*')",
			 notes->n > 4 ? " ..." : "", p->spec.lib);
}

static int usdt_resolve(struct probe *p, char *err, size_t errlen)
{
	struct usdt_note_list notes;
	int rc;

	if ((rc = resolve_bin(p->s, p->spec.lib, p->path, sizeof(p->path), err, errlen)))
		return rc;
	if ((rc = usdt_notes_read(p->path, &notes))) {
		snprintf(err, errlen, "cannot read USDT notes of %s: %s", p->path, strerror(-rc));
		return rc;
	}
	rc = for_each_pair(&p->spec, &notes, add_pair_site, p);
	if (!rc && !p->nsites) {
		no_match(p, &notes, err, errlen);
		rc = -ENOENT;
	}
	usdt_notes_free(&notes);
	return rc;
}

/* The session's USDT program and, on the uprobe_multi path, its spec slots. */
struct usdt_instance {
	struct usdt_bpf *k;
	bool multi;
	struct usdt_spec_pool pool;
};

static void destroy_usdt(void *obj)
{
	struct usdt_instance *u = obj;

	usdt_spec_pool_free(&u->pool);
	usdt_bpf__destroy(u->k);
	free(u);
}

static const char instance_key = 'u';

static int load_usdt(struct session *s, struct usdt_instance *u)
{
	struct bpf_map *specs;
	int rc;

	if (!(u->k = usdt_bpf__open()))
		return -errno;
	specs = u->k->maps.__bpf_usdt_specs;
	/* A program loaded for uprobe_multi cannot go on a perf event, nor the reverse; the
	 * spec map must hold the records usdt_args.h lays out (libbpf's, else its own path). */
	u->multi = uprobe_multi_ok(s) && bpf_map__value_size(specs) == sizeof(struct lt_usdt_spec);
	if (u->multi && (rc = bpf_program__set_expected_attach_type(
				 u->k->progs.lt_usdt,
				 (enum bpf_attach_type)LT_BPF_TRACE_UPROBE_MULTI)))
		return rc;
	if ((rc = session_share_maps(s, u->k->obj)) || (rc = usdt_bpf__load(u->k)))
		return rc;
	return u->multi ? usdt_spec_pool_init(&u->pool, bpf_map__fd(specs),
					      bpf_map__max_entries(specs)) : 0;
}

/* The session's USDT instance, loaded on first use with the owner's maps. */
static struct usdt_instance *usdt_instance(struct session *s, int *err)
{
	struct usdt_instance *u = session_object(s, &instance_key);

	if (u)
		return u;
	if (!(u = calloc(1, sizeof(*u)))) {
		*err = -ENOMEM;
		return NULL;
	}
	if ((*err = load_usdt(s, u)) ||
	    (*err = session_own_object(s, &instance_key, u, destroy_usdt))) {
		destroy_usdt(u);
		return NULL;
	}
	return u;
}

static int target_pid(const struct probe *p)
{
	const struct session_opts *o = &p->s->opts;

	return o->have_target && !o->follow ? o->pid : -1;
}

static int attach_site(struct probe *p, struct bpf_program *prog, size_t i, char *err,
		       size_t errlen)
{
	LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = (uint64_t)p->id << 32 | i);
	char provider[256];
	const char *name = strchr(p->sites[i].name, ':');
	struct bpf_link *link;
	int rc;

	snprintf(provider, sizeof(provider), "%.*s", (int)(name - p->sites[i].name),
		 p->sites[i].name);
	link = bpf_program__attach_usdt(prog, target_pid(p), p->path, provider, name + 1, &opts);
	if (!link) {
		rc = -errno;
		snprintf(err, errlen, "cannot attach to USDT %s in %s: %s", p->sites[i].name,
			 p->path, strerror(-rc));
		return rc;
	}
	if ((rc = probe_add_link(p, link, -1)))
		bpf_link__destroy(link);
	return rc;
}

/* The site (provider:name pair) of each note, -1 for the notes the probe does not use. */
static void note_sites(const struct probe *p, const struct usdt_note_list *notes, int *site)
{
	char name[512];

	for (size_t i = 0; i < notes->n; i++) {
		site[i] = -1;
		snprintf(name, sizeof(name), "%s:%s", notes->v[i].provider, notes->v[i].name);
		for (size_t j = 0; j < p->nsites && site[i] < 0; j++)
			if (!strcmp(p->sites[j].name, name))
				site[i] = (int)j;
	}
}

static int attach_multi(struct probe *p, struct usdt_instance *u, char *err, size_t errlen)
{
	struct usdt_spec_ids *ids = p->kind_data;
	struct usdt_note_list notes;
	int *site = NULL, rc, fd;

	if (!ids && !(ids = p->kind_data = calloc(1, sizeof(*ids))))
		return -ENOMEM;
	usdt_spec_ids_release(&u->pool, ids);	/* attached before: its old slots */
	if ((rc = usdt_notes_read(p->path, &notes))) {
		snprintf(err, errlen, "cannot read USDT notes of %s: %s", p->path, strerror(-rc));
		return rc;
	}
	if (!(site = calloc(notes.n + 1, sizeof(*site)))) {
		usdt_notes_free(&notes);
		return -ENOMEM;
	}
	note_sites(p, &notes, site);
	fd = usdt_multi_attach(bpf_program__fd(u->k->progs.lt_usdt), &u->pool, ids, p->path,
			       &notes, site, p->id, target_pid(p), err, errlen);
	free(site);
	usdt_notes_free(&notes);
	if (fd < 0)
		return fd;
	if ((rc = probe_add_link(p, NULL, fd)))
		close(fd);
	return rc;
}

static int usdt_attach(struct probe *p, char *err, size_t errlen)
{
	struct usdt_instance *u;
	int rc = 0;

	if (!(u = usdt_instance(p->s, &rc))) {
		snprintf(err, errlen, "cannot load the USDT template: %s (-v shows the verifier "
			 "log)", strerror(-rc));
		return rc;
	}
	if (u->multi)
		return attach_multi(p, u, err, errlen);
	for (size_t i = 0; i < p->nsites && !rc; i++)
		rc = attach_site(p, u->k->progs.lt_usdt, i, err, errlen);
	return rc;
}

/* Gives the probe's spec slots back (the session's objects outlive its probes). */
static void usdt_release(struct probe *p)
{
	struct usdt_instance *u = session_object(p->s, &instance_key);
	struct usdt_spec_ids *ids = p->kind_data;

	if (!ids)
		return;
	if (u)
		usdt_spec_ids_release(&u->pool, ids);
	free(ids);
	p->kind_data = NULL;
}

struct list_ctx {
	const char *path;
	void (*emit)(void *ctx, const char *name);
	void *ctx;
};

static int emit_pair(void *ctx, const struct usdt_note *n)
{
	struct list_ctx *x = ctx;
	char name[4608];

	snprintf(name, sizeof(name), "usdt:%s:%s:%s", x->path, n->provider, n->name);
	x->emit(x->ctx, name);
	return 0;
}

static int usdt_list(struct session *s, const struct spec *spec, bool verbose,
		     void (*emit)(void *ctx, const char *name), void *ctx, char *err,
		     size_t errlen)
{
	char path[4096];
	struct usdt_note_list notes;
	struct list_ctx x = { path, emit, ctx };
	int rc;

	if ((rc = resolve_bin(s, spec->lib, path, sizeof(path), err, errlen)))
		return rc;
	if ((rc = usdt_notes_read(path, &notes))) {
		snprintf(err, errlen, "cannot read USDT notes of %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = for_each_pair(spec, &notes, emit_pair, &x);
	usdt_notes_free(&notes);
	return rc;
}

/* A USDT probe fires in user mode, in the file that holds its note. */
static void usdt_stack_origin(const struct probe *p, struct stack_origin *o)
{
	o->user_mode = true;
	o->lib = p->spec.lib[0] ? p->spec.lib : NULL;
}

const struct provider usdt_provider = {
	.name = "usdt",
	.kinds = { &usdt_kind },
	.resolve = usdt_resolve,
	.attach = usdt_attach,
	.list = usdt_list,
	.release = usdt_release,
	.stack_origin = usdt_stack_origin,
};
