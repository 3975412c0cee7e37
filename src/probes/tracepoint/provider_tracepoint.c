/* Kernel tracepoints: tracepoint:CAT:NAME (t:), CAT and NAME globs. Each match's format
 * file says what its records hold; the generic tracepoint program is attached once per
 * tracepoint (cookie = probe id << 32 | site) and told, per site, which fields load into the
 * value slots that where/of/by/fetch name (slot i is argI+1 to the predicate encoder; a
 * field named ret is always the ret slot). Records come back raw and are decoded by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ktypes.h"
#include "probe.h"
#include "session.h"
#include "tp_value.h"
#include "tracefs.h"
#include "tracepoint.h"
#include "tracepoint.skel.h"

struct tp_state {
	struct tp_format *fmts;		/* one per site */
	size_t n;
	char *slots[LT_TP_NVALS];	/* field per value slot ("arg2": the second field) */
	uint32_t id;			/* the probe id site entries were written under */
	bool written;
};

/* A tracepoint runs one program at most once (the kernel refuses a second attachment of
 * the same program with EEXIST), so a second probe on a tracepoint attaches another
 * instance of the template. Instances share the session's maps and the first one's site
 * table. */
#define TP_INSTANCES 8
#define TP_MAX_PROBES_TEXT "8"
static const char instance_keys[TP_INSTANCES];

static const struct spec_kind tracepoint_kind = {
	.name = "tracepoint",
	.alias = { "t" },
	.form = SPEC_FORM_CATEGORY,
};

static void destroy_tp(void *obj)
{
	tracepoint_bpf__destroy(obj);
}

/* The session's n-th tracepoint program, loaded on first use with the owner's maps. */
static struct tracepoint_bpf *tp_template(struct session *s, size_t n, int *err)
{
	struct tracepoint_bpf *k = session_object(s, &instance_keys[n]), *first = NULL;

	if (k)
		return k;
	if (n && !(first = tp_template(s, 0, err)))
		return NULL;
	if (!(k = tracepoint_bpf__open())) {
		*err = -errno;
		return NULL;
	}
	if ((*err = session_share_maps(s, k->obj)) ||
	    (first && (*err = bpf_map__reuse_fd(k->maps.lt_tp_sites,
						bpf_map__fd(first->maps.lt_tp_sites)))) ||
	    (*err = tracepoint_bpf__load(k)) ||
	    (*err = session_own_object(s, &instance_keys[n], k, destroy_tp))) {
		tracepoint_bpf__destroy(k);
		return NULL;
	}
	return k;
}

static void tp_release(struct probe *p)
{
	struct tp_state *st = p->kind_data;
	struct tracepoint_bpf *k = session_object(p->s, &instance_keys[0]);

	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		uint64_t key = (uint64_t)st->id << 32 | i;

		if (st->written && k)
			bpf_map_delete_elem(bpf_map__fd(k->maps.lt_tp_sites), &key);
		tp_format_free(&st->fmts[i]);
	}
	for (int i = 0; i < LT_TP_NVALS; i++)
		free(st->slots[i]);
	free(st->fmts);
	free(st);
	p->kind_data = NULL;
}

/* ---- resolving: tracefs names and formats ---------------------------------------------- */

/* syscalls:* formats store every argument in 8 bytes whatever its C type: an int dfd reads
 * as the int it is (AT_FDCWD is -100, not 4294967196). */
static void narrow_syscall_args(struct tp_format *f, struct session *s)
{
	char type[128];
	struct ktype t;

	for (size_t i = f->ncommon; i < f->nfields; i++) {
		struct tp_field *x = &f->fields[i];

		if (x->kind != TPF_INT || x->size != 8)
			continue;
		tp_field_type(x, type, sizeof(type));
		ktype_resolve_in(s, type, &t);
		if (!t.is_ptr && t.size < 8) {
			x->size = t.size;
			x->is_signed = t.is_signed;
		}
	}
}

static int add_match(struct probe *p, struct tp_state *st, const struct tp_name *m, char *err,
		     size_t errlen)
{
	char name[512], msg[512];
	int rc;

	if ((rc = tracefs_format(m->category, m->name, &st->fmts[st->n], msg, sizeof(msg)))) {
		if (!spec_is_glob(p->spec.lib) && !spec_is_glob(p->spec.func)) {
			snprintf(err, errlen, "%s", msg);
			return rc;
		}
		fprintf(stderr, "ltrace-ebpf: %s: left out %s:%s: %s\n", p->text, m->category,
			m->name, msg);
		return 0;
	}
	if (!strcmp(m->category, "syscalls"))
		narrow_syscall_args(&st->fmts[st->n], p->s);
	snprintf(name, sizeof(name), "%s:%s", m->category, m->name);
	if ((rc = probe_add_site(p, name, 0))) {
		tp_format_free(&st->fmts[st->n]);
		return rc;
	}
	st->n++;
	return 0;
}

static void no_match(const struct probe *p, char *err, size_t errlen)
{
	const struct spec *sp = &p->spec;

	if (spec_is_glob(sp->lib) || spec_is_glob(sp->func))
		snprintf(err, errlen, "no tracepoint matches %s:%s", sp->lib, sp->func);
	else
		snprintf(err, errlen, "no tracepoint %s:%s (list them: ltrace-ebpf -l "
			 "'tracepoint:%s:*')", sp->lib, sp->func, sp->lib);
}

static int resolve_sites(struct probe *p, struct tp_state *st, char *err, size_t errlen)
{
	struct tp_names names;
	int rc;

	if ((rc = tracefs_match(p->spec.lib, p->spec.func, &names, err, errlen)))
		return rc;
	rc = -ENOENT;
	if (!names.n)
		no_match(p, err, errlen);
	else if (!(st->fmts = calloc(names.n, sizeof(*st->fmts))))
		rc = -ENOMEM;
	else
		rc = 0;
	for (size_t i = 0; i < names.n && !rc; i++)
		rc = add_match(p, st, &names.v[i], err, errlen);
	if (!rc && !st->n) {
		snprintf(err, errlen, "no tracepoint matching %s:%s has a readable format",
			 p->spec.lib, p->spec.func);
		rc = -ENOENT;
	}
	tp_names_free(&names);
	return rc;
}

/* Resolved once: at the first named field of the options, or at attach. */
static struct tp_state *tp_state(struct probe *p, char *err, size_t errlen)
{
	struct tp_state *st = p->kind_data;

	if (st)
		return st;
	if (!(st = calloc(1, sizeof(*st))))
		return NULL;
	p->kind_data = st;
	if (resolve_sites(p, st, err, errlen) || !(st->slots[LT_SRC_RET] = strdup("ret"))) {
		tp_release(p);
		for (size_t i = 0; i < p->nsites; i++)
			free(p->sites[i].name);
		p->nsites = 0;
		return NULL;
	}
	return st;
}

static int tp_resolve(struct probe *p, char *err, size_t errlen)
{
	return tp_state(p, err, errlen) ? 0 : -ENOENT;
}

/* ---- value slots: the fields where/of/by/fetch name ------------------------------------- */

/* A field by name, or "argN": the N-th field after the common ones. */
static const struct tp_field *slot_field(const struct tp_format *f, const char *name)
{
	const struct tp_field *x = tp_format_field(f, name);

	if (!x && !strncmp(name, "arg", 3) && name[3] >= '1' && name[3] <= '9' && !name[4])
		x = tp_format_arg(f, name[3] - '0');
	return x;
}

static void list_fields(const struct tp_format *f, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = f->ncommon; i < f->nfields && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", used ? " " : "",
				 f->fields[i].name);
}

/* Every site must have the field, as a number. */
static int check_field(struct probe *p, const struct tp_state *st, const char *name, char *err,
		       size_t errlen)
{
	char fields[256];

	for (size_t i = 0; i < st->n; i++) {
		const struct tp_field *x = slot_field(&st->fmts[i], name);

		if (!x) {
			list_fields(&st->fmts[i], fields, sizeof(fields));
			snprintf(err, errlen, "no field '%s' in tracepoint %s (fields: %s)", name,
				 p->sites[i].name, fields);
			return -ENOENT;
		}
		if (!tp_field_is_scalar(x)) {
			snprintf(err, errlen, "field '%s' of %s is '%s': where/of/by compare "
				 "numbers (read it as e.%s)", name, p->sites[i].name, x->decl,
				 x->name);
			return -EINVAL;
		}
	}
	return 0;
}

static enum value_type field_type(const struct tp_field *f)
{
	struct ktype t = { f->size, f->is_signed, f->kind == TPF_PTR };

	return f->kind == TPF_BOOL ? VT_BOOL : ktype_value_type(&t);
}

static int write_sites(struct probe *p, struct tp_state *st);

static int tp_field_src(struct probe *p, const char *name, char *err, size_t errlen)
{
	struct tp_state *st = tp_state(p, err, errlen);
	int rc, slot = -1;

	if (!st)
		return -ENOENT;
	if (!strcmp(name, "duration") || !strcmp(name, "caller")) {
		snprintf(err, errlen, "tracepoints have no '%s' (syscall: and call: probes do)",
			 name);
		return -EINVAL;
	}
	if ((rc = check_field(p, st, name, err, errlen)))
		return rc;
	if (!strcmp(name, "ret"))
		return LT_SRC_RET;
	for (int i = 0; i < LT_MAX_ARGS && slot < 0; i++)
		if (!st->slots[i] || !strcmp(st->slots[i], name))
			slot = i;
	if (slot < 0) {
		snprintf(err, errlen, "at most %d different fields in where/of/by/fetch",
			 LT_MAX_ARGS);
		return -ENOSPC;
	}
	if (!st->slots[slot]) {
		if (!(st->slots[slot] = strdup(name)))
			return -ENOMEM;
		p->args[slot].type = field_type(slot_field(&st->fmts[0], name));
		if (st->written && (rc = write_sites(p, st)))	/* a live filter names it */
			return rc;
	}
	return slot;
}

/* ---- attaching -------------------------------------------------------------------------- */

static void site_config(const struct tp_state *st, const struct tp_format *f,
			struct lt_tp_site *v)
{
	memset(v, 0, sizeof(*v));
	v->rec_size = f->size < LT_TP_REC_MAX ? f->size : LT_TP_REC_MAX;
	for (size_t i = 0; i < f->nfields; i++) {
		const struct tp_field *x = &f->fields[i];

		if (x->kind != TPF_STR_LOC && x->kind != TPF_ARRAY_LOC)
			continue;
		if (v->nloc == LT_TP_MAX_LOC) {	/* more than the program follows: copy all */
			v->rec_size = LT_TP_REC_MAX;
			break;
		}
		v->loc[v->nloc++] = (struct lt_tp_loc){ x->offset, x->rel, 0 };
	}
	for (int i = 0; i < LT_TP_NVALS; i++) {
		const struct tp_field *x = st->slots[i] ? slot_field(f, st->slots[i]) : NULL;

		if (x && tp_field_is_scalar(x))
			v->vals[i] = (struct lt_tp_val){ x->offset, x->size,
							 x->is_signed && x->kind == TPF_INT };
	}
}

static int write_sites(struct probe *p, struct tp_state *st)
{
	struct tracepoint_bpf *k = session_object(p->s, &instance_keys[0]);
	struct lt_tp_site v;

	if (!k)
		return -ENOENT;
	st->id = p->id;
	st->written = true;
	for (size_t i = 0; i < st->n; i++) {
		uint64_t key = (uint64_t)p->id << 32 | i;

		site_config(st, &st->fmts[i], &v);
		if (bpf_map_update_elem(bpf_map__fd(k->maps.lt_tp_sites), &key, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int attach_site(struct probe *p, struct bpf_program *prog, size_t i)
{
	LIBBPF_OPTS(bpf_tracepoint_opts, opts, .bpf_cookie = (uint64_t)p->id << 32 | i);
	char cat[256];
	const char *name = strchr(p->sites[i].name, ':');
	struct bpf_link *link;
	int rc;

	snprintf(cat, sizeof(cat), "%.*s", (int)(name - p->sites[i].name), p->sites[i].name);
	link = bpf_program__attach_tracepoint_opts(prog, cat, name + 1, &opts);
	if (!link)
		return -errno;
	if ((rc = probe_add_link(p, link, -1)))
		bpf_link__destroy(link);
	return rc;
}

static int tp_attach(struct probe *p, char *err, size_t errlen)
{
	struct tp_state *st = p->kind_data;
	struct tracepoint_bpf *k;
	const char *why;
	size_t ok = 0;
	int rc = 0;

	if (!(k = tp_template(p->s, 0, &rc)) || (rc = write_sites(p, st))) {
		snprintf(err, errlen, "cannot load the tracepoint template: %s (-v shows the "
			 "verifier log)", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < st->n; i++) {
		rc = -EEXIST;
		for (size_t n = 0; n < TP_INSTANCES && rc == -EEXIST; n++) {
			if (!(k = tp_template(p->s, n, &rc)))
				break;
			rc = attach_site(p, k->progs.lt_tp, i);
		}
		if (!rc) {
			ok++;
			continue;
		}
		why = rc == -EEXIST ? "it already has " TP_MAX_PROBES_TEXT " probes of this session"
				    : strerror(-rc);
		if (st->n == 1) {
			snprintf(err, errlen, "cannot attach to tracepoint %s: %s", p->sites[i].name,
				 why);
			return rc;
		}
		fprintf(stderr, "ltrace-ebpf: %s: left out %s: %s\n", p->text, p->sites[i].name,
			why);
	}
	if (!ok) {
		snprintf(err, errlen, "no tracepoint of '%s' could be attached", p->text);
		return -ENOENT;
	}
	return 0;
}

/* ---- events, listing ---------------------------------------------------------------------- */

/* Field f, from its capture when fetch named it. */
static struct probe_value value_of(struct probe *p, const struct tp_state *st,
				   const struct tp_field *f, const struct lt_rec *rec,
				   const uint8_t *data)
{
	const uint8_t *raw = NULL;
	struct lt_cap cap;

	for (int i = 0; i < LT_MAX_ARGS; i++)
		if (st->slots[i] && p->args[i].capture >= 0 &&
		    slot_field(&st->fmts[rec->site], st->slots[i]) == f)
			return probe_value_capture(data, rec->data_len, p->args[i].capture,
						   p->args[i].type);
	/* The raw record is the capture after the probe's own. */
	if (capture_get(data, rec->data_len, p->cfg.nfetch, &cap, &raw) ||
	    (cap.flags & LT_CAP_FAULT))
		raw = NULL;
	return tp_field_value(f, raw, raw ? cap.len : 0);
}

/* A glob's tracepoints differ: a field of another one is nil here, not an error. */
static bool other_site_has(const struct tp_state *st, const char *key)
{
	for (size_t i = 0; i < st->n; i++)
		if (tp_format_field(&st->fmts[i], key))
			return true;
	return false;
}

static const struct tp_format *format_of(struct probe *p, const struct lt_rec *rec)
{
	const struct tp_state *st = p->kind_data;

	if (!st || rec->type != LT_REC_TP || rec->site >= st->n)
		return NULL;
	return &st->fmts[rec->site];
}

/* e.NAME, and e.fields: every field but the common ones. */
static int tp_field(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		    const char *key, struct probe_value *out)
{
	const struct tp_format *fmt = format_of(p, rec);
	const struct tp_field *f;

	if (!fmt)
		return 0;
	if (!strcmp(key, "fields")) {
		*out = (struct probe_value){ .kind = PV_FIELDS, .n = fmt->nfields - fmt->ncommon };
		return 1;
	}
	if (!(f = tp_format_field(fmt, key))) {
		*out = (struct probe_value){ .kind = PV_NIL };
		return other_site_has(p->kind_data, key);
	}
	*out = value_of(p, p->kind_data, f, rec, data);
	return 1;
}

static int tp_field_at(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		       size_t i, const char **name, struct probe_value *out)
{
	const struct tp_format *fmt = format_of(p, rec);

	if (!fmt || fmt->ncommon + i >= fmt->nfields)
		return 0;
	*name = fmt->fields[fmt->ncommon + i].name;
	*out = value_of(p, p->kind_data, &fmt->fields[fmt->ncommon + i], rec, data);
	return 1;
}

/* -l -v: the fields under the name, as bpftrace prints them. */
static void emit_verbose(const struct tp_name *m, void (*emit)(void *ctx, const char *name),
			 void *ctx)
{
	char buf[8192], msg[256];
	struct tp_format f;
	size_t used;

	used = snprintf(buf, sizeof(buf), "tracepoint:%s:%s", m->category, m->name);
	if (tracefs_format(m->category, m->name, &f, msg, sizeof(msg))) {
		snprintf(buf + used, sizeof(buf) - used, "\n    (%s)", msg);
	} else {
		for (size_t i = f.ncommon; i < f.nfields && used < sizeof(buf); i++)
			used += snprintf(buf + used, sizeof(buf) - used, "\n    %s",
					 f.fields[i].decl);
		tp_format_free(&f);
	}
	emit(ctx, buf);
}

static int tp_list(struct session *s, const struct spec *spec, bool verbose,
		   void (*emit)(void *ctx, const char *name), void *ctx, char *err, size_t errlen)
{
	struct tp_names names;
	char buf[600];
	int rc;

	if ((rc = tracefs_match(spec->lib, spec->func, &names, err, errlen)))
		return rc;
	for (size_t i = 0; i < names.n; i++) {
		if (verbose) {
			emit_verbose(&names.v[i], emit, ctx);
			continue;
		}
		snprintf(buf, sizeof(buf), "tracepoint:%s:%s", names.v[i].category,
			 names.v[i].name);
		emit(ctx, buf);
	}
	tp_names_free(&names);
	return 0;
}

const struct provider tracepoint_provider = {
	.name = "tracepoint",
	.kinds = { &tracepoint_kind },
	.resolve = tp_resolve,
	.attach = tp_attach,
	.field = tp_field,
	.field_at = tp_field_at,
	.release = tp_release,
	.list = tp_list,
	.field_src = tp_field_src,
};
