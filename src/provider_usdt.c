/* USDT probes: usdt:BIN:PROVIDER:NAME (or usdt:BIN:NAME, any provider; NAME may be a glob).
 * BIN resolves like a uprobe's library; its notes name the sites, one per provider:name
 * pair; libbpf's USDT support attaches them (every location of the pair, argument specs,
 * semaphores) with the cookie probe id << 32 | site. One loaded program serves every USDT
 * probe of the session. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <lauxlib.h>
#include <lua.h>
#include "libpath.h"
#include "libpath_needed.h"
#include "probe.h"
#include "session.h"
#include "usdt.skel.h"
#include "usdt_notes.h"

static bool usdt_handles(enum spec_kind kind)
{
	return kind == SPEC_USDT;
}

/* BIN as the target's loader would find it, then as a path or a program in $PATH. */
static int resolve_bin(struct session *s, const char *bin, char *path, size_t len, char *err,
		       size_t errlen)
{
	const struct session_opts *o = &s->opts;

	if ((strchr(bin, '/') || !o->exe[0] || libpath_resolve_for(bin, o->exe, path, len)) &&
	    libpath_resolve(bin, o->pid, path, len)) {
		snprintf(err, errlen, "binary '%s' not found: %s", bin, libpath_last_error());
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

static void destroy_usdt(void *obj)
{
	usdt_bpf__destroy(obj);
}

static const char instance_key = 'u';

/* The session's USDT program, loaded on first use with the owner's maps. */
static struct bpf_program *usdt_program(struct session *s, int *err)
{
	struct usdt_bpf *k = session_object(s, &instance_key);

	if (k)
		return k->progs.lt_usdt;
	k = usdt_bpf__open();
	if (!k) {
		*err = -errno;
		return NULL;
	}
	if ((*err = session_share_maps(s, k->obj)) || (*err = usdt_bpf__load(k)) ||
	    (*err = session_own_object(s, &instance_key, k, destroy_usdt))) {
		usdt_bpf__destroy(k);
		return NULL;
	}
	return k->progs.lt_usdt;
}

static int attach_site(struct probe *p, struct bpf_program *prog, size_t i, char *err,
		       size_t errlen)
{
	const struct session_opts *o = &p->s->opts;
	LIBBPF_OPTS(bpf_usdt_opts, opts, .usdt_cookie = (uint64_t)p->id << 32 | i);
	char provider[256];
	const char *name = strchr(p->sites[i].name, ':');
	struct bpf_link *link;
	int rc;

	snprintf(provider, sizeof(provider), "%.*s", (int)(name - p->sites[i].name),
		 p->sites[i].name);
	link = bpf_program__attach_usdt(prog, o->have_target && !o->follow ? o->pid : -1,
					p->path, provider, name + 1, &opts);
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

static int usdt_attach(struct probe *p, char *err, size_t errlen)
{
	struct bpf_program *prog;
	int rc = 0;

	if (!(prog = usdt_program(p->s, &rc))) {
		snprintf(err, errlen, "cannot load the USDT template: %s (-v shows the verifier "
			 "log)", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < p->nsites && !rc; i++)
		rc = attach_site(p, prog, i, err, errlen);
	return rc;
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

static int usdt_list(struct session *s, const struct spec *spec,
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

/* A USDT probe has arguments only. */
static void usdt_parse_opts(lua_State *L, int t, struct probe *p)
{
	if (lua_getfield(L, t, "ret") != LUA_TNIL)
		luaL_error(L, "option 'ret': a USDT probe has no return value");
	lua_pop(L, 1);
}

const struct provider usdt_provider = {
	.name = "usdt",
	.handles = usdt_handles,
	.resolve = usdt_resolve,
	.attach = usdt_attach,
	.list = usdt_list,
	.parse_opts = usdt_parse_opts,
};
