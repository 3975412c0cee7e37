/* BTF-typed raw tracepoints: rawtracepoint:NAME (also tp_btf:NAME). The signature comes
 * from the kernel's BTF; `args = {"prev.pid", ...}` and `fields = {...}` are field paths
 * resolved here (btf_path.c) into offset chains that rawtp.bpf.c walks with
 * bpf_probe_read_kernel. One loaded program, attached to each tracepoint with a cookie
 * (raw_tp_link.c: cookies on raw tracepoints need Linux 6.10, libbpf 1.1 cannot pass one);
 * before 6.10, a program instance per probe with its cookie fixed at load (rawtp_nocookie).
 * Every path is also an event field by name; args paths and the tracepoint's own argument
 * names work in where / of / by. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btf_path.h"
#include "btf_tp.h"
#include "fetch.h"
#include "ktypes.h"
#include "probe.h"
#include "raw_tp_link.h"
#include "rawtp.h"
#include "rawtp.skel.h"
#include "rawtp_nocookie.skel.h"
#include "rawtp_opts.h"
#include "session.h"

_Static_assert(LT_RAWTP_MAX_STEPS == BTF_PATH_MAX_STEPS, "path steps differ");
_Static_assert((int)LT_LEAF_BYTES == (int)BTF_LEAF_BYTES && (int)LT_LEAF_STRP == (int)BTF_LEAF_STRP,
	       "leaf kinds");

/* One path the script asked for: an args[] entry (slot 0..5) or a named field (slot -1). */
struct rawtp_path {
	char *text;
	char *name;		/* e.NAME: given, or from the path ("prev.pid": prev_pid) */
	int slot;
	struct value_fmt fmt;	/* capture index == path index */
};

struct rawtp_probe {
	struct rawtp_path paths[LT_RAWTP_MAX_PATHS];
	int npaths;
	bool has_args;
	struct btf_tp tp;
	struct lt_rawtp_cfg cfg;
};

#define IDENT_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

static const struct spec_kind rawtp_kind = {
	.name = "rawtracepoint",
	.alias = { "rt", "tp_btf" },
	.form = SPEC_FORM_NAME,
};

static struct rawtp_probe *rawtp_of(struct probe *p)
{
	if (!p->kind_data)
		p->kind_data = calloc(1, sizeof(struct rawtp_probe));
	return p->kind_data;
}

/* ---- options: args = {PATH, ...}, fields = {PATH, ..., name = PATH} ---------------------- */

static const char *const event_fields[] = { "args", "comm", "cpu", "duration", "func", "pid",
					    "probe", "ret", "tid", "ts", "type", "table", NULL };

/* "args.prev.pid" -> "prev_pid": a Lua-friendly name for a listed field. */
static char *derive_name(const char *path)
{
	char *name = strdup(strncmp(path, "args.", 5) ? path : path + 5), *o = name;

	for (const char *c = name; name && *c; c++) {
		if (isalnum((unsigned char)*c) || *c == '_')
			*o++ = *c;
		else if (o > name && o[-1] != '_')
			*o++ = '_';
	}
	while (name && o > name && o[-1] == '_')
		o--;
	if (name)
		*o = 0;
	return name;
}

static bool taken(const struct rawtp_probe *r, const char *name)
{
	for (const char *const *f = event_fields; *f; f++)
		if (!strcmp(*f, name))
			return true;
	for (int i = 0; i < r->npaths; i++)
		if (!strcmp(r->paths[i].name, name))
			return true;
	return false;
}

/* An args path whose derived name is taken is simply not a field; a field's name must be
 * free. */
int rawtp_add_path(struct probe *p, const char *text, const char *given, int slot, char *err,
		   size_t errlen)
{
	struct rawtp_probe *r = rawtp_of(p);
	char *name = given ? strdup(given) : derive_name(text);
	struct rawtp_path *rp;

	if (!r || !name) {
		free(name);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (r->npaths >= LT_RAWTP_MAX_PATHS) {
		free(name);
		snprintf(err, errlen, "at most %d args and fields per raw tracepoint probe",
			 LT_RAWTP_MAX_PATHS);
		return -E2BIG;
	}
	if (taken(r, name) && slot < 0) {
		snprintf(err, errlen, "option 'fields': the name '%s' is taken; name the field: "
			 "fields = { my_name = \"%s\" }", name, text);
		free(name);
		return -EEXIST;
	}
	if (taken(r, name))
		name[0] = 0;
	rp = &r->paths[r->npaths];
	rp->text = strdup(strncmp(text, "args.", 5) ? text : text + 5);
	rp->name = name;
	rp->slot = slot;
	if (!rp->text) {
		free(name);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r->npaths++;
	r->has_args |= slot >= 0;
	return 0;
}

/* ---- resolution against the kernel's BTF ------------------------------------------------ */

/* How user space shows a leaf. */
static enum value_type leaf_type(const struct btf_path *bp)
{
	static const enum value_type ints[2][9] = {
		{ [1] = VT_U8, [2] = VT_U16, [4] = VT_U32, [8] = VT_UINT },
		{ [1] = VT_I8, [2] = VT_I16, [4] = VT_I32, [8] = VT_INT },
	};

	switch (bp->leaf) {
	case BTF_LEAF_STR:
	case BTF_LEAF_STRP: return VT_STR;
	case BTF_LEAF_BYTES: return VT_BYTES;
	default: break;
	}
	if (bp->type[strlen(bp->type) - 1] == '*')
		return VT_PTR;
	if (!strcmp(bp->type, "bool") || !strcmp(bp->type, "_Bool"))
		return VT_BOOL;
	return bp->size <= 8 ? ints[bp->is_signed][bp->size] : VT_INT;
}

static void arg_names(const struct btf_tp *tp, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < tp->nargs && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", tp->args[i].name);
}

static int resolve_path(struct probe *p, const struct btf *btf, int i, char *err, size_t errlen)
{
	struct rawtp_probe *r = p->kind_data;
	struct rawtp_path *rp = &r->paths[i];
	struct lt_path *lp = &r->cfg.path[i];
	size_t n = strspn(rp->text, IDENT_CHARS);
	char root[64], what[48], names[256], msg[256];
	struct btf_path bp;
	int arg, rc;

	if (rp->slot < 0)
		snprintf(what, sizeof(what), "field '%s'", rp->name);
	else
		snprintf(what, sizeof(what), "args[%d]", rp->slot + 1);
	snprintf(root, sizeof(root), "%.*s", (int)(n < sizeof(root) ? n : sizeof(root) - 1),
		 rp->text);
	if ((arg = btf_tp_arg_index(&r->tp, root)) < 0) {
		arg_names(&r->tp, names, sizeof(names));
		snprintf(err, errlen, "%s '%s': %s has no argument '%s' (it has %s)", what,
			 rp->text, p->spec.func, root, names);
		return -ENOENT;
	}
	if ((rc = btf_path_resolve(btf, r->tp.args[arg].type, root, rp->text + n, &bp, msg,
				   sizeof(msg)))) {
		snprintf(err, errlen, "%s '%s': %s", what, rp->text, msg);
		return rc;
	}
	*lp = (struct lt_path){ .arg = arg, .nsteps = bp.nsteps, .leaf = bp.leaf,
				.is_signed = bp.is_signed, .slot = rp->slot < 0 ? 0xff : rp->slot };
	memcpy(lp->off, bp.off, sizeof(lp->off));
	lp->size = bp.leaf == BTF_LEAF_STRP ? p->strsize :
		   bp.size > LT_FETCH_MAX_LEN ? LT_FETCH_MAX_LEN : bp.size;
	rp->fmt = (struct value_fmt){ leaf_type(&bp), i };
	if (rp->slot >= 0)
		p->args[rp->slot] = rp->fmt;
	return 0;
}

/* Arguments no path replaces are shown by their BTF type (bool, u32, pointer ...). */
static void type_raw_args(struct probe *p, const struct btf *btf)
{
	struct rawtp_probe *r = p->kind_data;
	struct btf_path bp;
	char msg[128];

	for (int i = 0; i < r->tp.nargs && i < LT_MAX_ARGS; i++) {
		if (p->args[i].capture >= 0 ||
		    btf_path_resolve(btf, r->tp.args[i].type, "", "", &bp, msg, sizeof(msg)))
			continue;
		p->args[i] = (struct value_fmt){ bp.leaf == BTF_LEAF_INT ? leaf_type(&bp) : VT_PTR,
						 -1 };
	}
}

static int rawtp_resolve(struct probe *p, char *err, size_t errlen)
{
	struct rawtp_probe *r = rawtp_of(p);
	const struct btf *btf = ktypes_btf(p->s);
	int rc;

	if (!r)
		return -ENOMEM;
	if (!btf) {
		rc = -errno;
		snprintf(err, errlen, "cannot load the kernel's BTF (/sys/kernel/btf/vmlinux): %s",
			 strerror(-rc));
		return rc ? rc : -ENOENT;
	}
	if (spec_is_glob(p->spec.func) || p->spec.has_offset || p->spec.is_addr) {
		snprintf(err, errlen, "expected one tracepoint name (list them with -l "
			 "'rawtracepoint:%s')", p->spec.func);
		return -EINVAL;
	}
	if ((rc = btf_tp_lookup(btf, p->spec.func, &r->tp, err, errlen)))
		return rc;
	for (int i = 0; i < r->npaths; i++)
		if ((rc = resolve_path(p, btf, i, err, errlen)))
			return rc;
	r->cfg.nargs = r->tp.nargs < LT_RAWTP_MAX_ARGS ? r->tp.nargs : LT_RAWTP_MAX_ARGS;
	r->cfg.npaths = r->npaths;
	type_raw_args(p, btf);
	snprintf(p->path, sizeof(p->path), "/sys/kernel/btf/vmlinux");
	return probe_add_site(p, p->spec.func, 0);
}

/* ---- attach ------------------------------------------------------------------------------- */

static void destroy_rawtp(void *obj)
{
	rawtp_bpf__destroy(obj);
}

static const char instance_key = 'r';

/* No attach cookies (raw_tp_cookies): a probe's own program, the LT_FIXED_COOKIE build
 * (same maps and program) with its cookie, on the session's maps and the holder's
 * lt_rawtp. */
static struct rawtp_bpf *rawtp_load_own(struct session *s, struct rawtp_bpf *holder,
					uint64_t cookie, int *err)
{
	struct rawtp_bpf *k = calloc(1, sizeof(*k));

	if (!k || (*err = rawtp_bpf__create_skeleton(k))) {
		*err = k ? *err : -ENOMEM;
		rawtp_bpf__destroy(k);
		return NULL;
	}
	k->skeleton->data = (void *)rawtp_nocookie_bpf__elf_bytes(&k->skeleton->data_sz);
	if ((*err = bpf_object__open_skeleton(k->skeleton, NULL)) ||
	    (*err = raw_tp_fix_cookie(k->obj, cookie)) ||
	    (*err = session_share_maps(s, k->obj)) ||
	    (*err = bpf_map__reuse_fd(k->maps.lt_rawtp, bpf_map__fd(holder->maps.lt_rawtp))) ||
	    (*err = rawtp_bpf__load(k))) {
		rawtp_bpf__destroy(k);
		return NULL;
	}
	return k;
}

/* The session's instance: its program serves every probe where links have cookies; else
 * it only holds the lt_rawtp map (the program is not loaded) and each probe loads its own. */
static struct rawtp_bpf *rawtp_instance(struct session *s, int *err)
{
	struct rawtp_bpf *k = session_object(s, &instance_key);

	if (k)
		return k;
	if (!(k = rawtp_bpf__open())) {
		*err = -errno;
		return NULL;
	}
	bpf_program__set_autoload(k->progs.lt_rawtp_prog, raw_tp_cookies());
	if ((*err = session_share_maps(s, k->obj)) || (*err = rawtp_bpf__load(k)) ||
	    (*err = session_own_object(s, &instance_key, k, destroy_rawtp))) {
		rawtp_bpf__destroy(k);
		return NULL;
	}
	return k;
}

static int rawtp_attach(struct probe *p, char *err, size_t errlen)
{
	struct rawtp_probe *r = p->kind_data;
	uint64_t cookie = (uint64_t)p->id << 32;
	bool cookies = raw_tp_cookies();
	struct rawtp_bpf *k, *own = NULL;
	int rc = 0, fd;

	if (!(k = rawtp_instance(p->s, &rc)) ||
	    (!cookies && !(own = rawtp_load_own(p->s, k, cookie, &rc)))) {
		snprintf(err, errlen, "cannot load the raw tracepoint template: %s (-v shows the "
			 "verifier log)", strerror(-rc));
		return rc;
	}
	if (bpf_map_update_elem(bpf_map__fd(k->maps.lt_rawtp), &p->id, &r->cfg, BPF_ANY)) {
		rc = -errno;
		goto out;
	}
	fd = raw_tp_link(bpf_program__fd((own ? own : k)->progs.lt_rawtp_prog), p->spec.func,
			 cookies ? cookie : 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot attach to raw tracepoint %s: %s", p->spec.func,
			 strerror(-fd));
		rc = fd;
	} else if ((rc = probe_add_link(p, NULL, fd))) {
		close(fd);
	}
out:	/* a probe's own program stays loaded as long as its link */
	rawtp_bpf__destroy(own);
	return rc;
}

/* The signature, for names used while options are parsed (before resolve). */
static const struct btf_tp *signature(struct probe *p)
{
	struct rawtp_probe *r = rawtp_of(p);
	const struct btf *btf;
	char err[256];

	if (r && !r->tp.nargs && (btf = ktypes_btf(p->s)))
		btf_tp_lookup(btf, p->spec.func, &r->tp, err, sizeof(err));
	return r ? &r->tp : NULL;
}

/* where / of / by: an args path by its name is its argN; without args, so is a tracepoint
 * argument by its own name. Named fields have no value slot. */
static int rawtp_field_src(struct probe *p, const char *name, char *err, size_t errlen)
{
	struct rawtp_probe *r = rawtp_of(p);
	const struct btf_tp *tp;
	int src = src_parse(name), arg;

	for (int i = 0; r && i < r->npaths; i++) {
		if (strcmp(r->paths[i].name, name))
			continue;
		if (r->paths[i].slot >= 0)
			return LT_SRC_ARG1 + r->paths[i].slot;
		snprintf(err, errlen, "field '%s' has no value slot: give its path in args to "
			 "filter or aggregate on it", name);
		return -EINVAL;
	}
	if (src >= 0 && src < LT_MAX_ARGS)
		return src;
	if (r && !r->has_args && (tp = signature(p)) && (arg = btf_tp_arg_index(tp, name)) >= 0 &&
	    arg < LT_MAX_ARGS)
		return LT_SRC_ARG1 + arg;
	snprintf(err, errlen, "'%s' is not an argument or field of raw tracepoint %s (arg1..arg6, "
		 "its argument names, or names of args paths)", name, p->spec.func);
	return -EINVAL;
}

/* ---- events, listing, release --------------------------------------------------------- */

/* e.NAME: a named field, or (without `args`) a tracepoint argument by its name. */
static int rawtp_field(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		       const char *key, struct probe_value *out)
{
	struct rawtp_probe *r = p->kind_data;
	const struct value_fmt *f = NULL;
	int arg;

	if (!strcmp(key, "fields")) {	/* every named path, by name (rawtp_field_at) */
		*out = (struct probe_value){ .kind = PV_FIELDS, .n = r ? r->npaths : 0 };
		return 1;
	}
	for (int i = 0; r && i < r->npaths && !f; i++)
		if (!strcmp(r->paths[i].name, key))
			f = &r->paths[i].fmt;
	if (!f && r && !r->has_args && (arg = btf_tp_arg_index(&r->tp, key)) >= 0 &&
	    arg < LT_MAX_ARGS && strncmp(key, "arg", 3)) {
		*out = probe_value_int(value_extend(p->args[arg].type, rec->args[arg]));
		return 1;
	}
	if (!f)
		return 0;
	*out = probe_value_capture(data, rec->data_len, f->capture, f->type);
	return 1;
}

/* e.fields' i-th: the paths the probe named (option fields), as e.NAME reads them; what
 * --json writes in an event's "fields" (docs/json.md). */
static int rawtp_field_at(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
			  size_t i, const char **name, struct probe_value *out)
{
	struct rawtp_probe *r = p->kind_data;

	if (!r || i >= (size_t)r->npaths)
		return 0;
	*name = r->paths[i].name;
	return rawtp_field(p, rec, data, *name, out);
}

struct list_ctx {
	void (*emit)(void *ctx, const char *name);
	void *ctx;
	const struct btf *btf;
	bool signature;
};

static void emit_tp(void *ctx, const char *name)
{
	struct list_ctx *x = ctx;
	char line[1024], ts[128], err[128];
	struct btf_tp tp;
	size_t used = snprintf(line, sizeof(line), "rawtracepoint:%s", name);

	if (x->signature && !btf_tp_lookup(x->btf, name, &tp, err, sizeof(err))) {
		for (int i = 0; i < tp.nargs && used < sizeof(line); i++) {
			btf_type_str(x->btf, tp.args[i].type, ts, sizeof(ts));
			used += snprintf(line + used, sizeof(line) - used, "%s%s%s%s",
					 i ? ", " : "(", ts, ts[strlen(ts) - 1] == '*' ? "" : " ",
					 tp.args[i].name);
		}
		if (used < sizeof(line))
			snprintf(line + used, sizeof(line) - used, "%s", tp.nargs ? ")" : "()");
	}
	x->emit(x->ctx, line);
}

/* Tracepoint names; an exact name also shows its signature. */
static int rawtp_list(struct session *s, const struct spec *spec, bool verbose,
		      void (*emit)(void *ctx, const char *name), void *ctx, char *err,
		      size_t errlen)
{
	struct list_ctx x = { emit, ctx, ktypes_btf(s), !spec_is_glob(spec->func) };

	if (!x.btf) {
		snprintf(err, errlen, "cannot load the kernel's BTF: %s", strerror(errno));
		return -ENOENT;
	}
	btf_tp_each(x.btf, spec->func, emit_tp, &x);
	return 0;
}

static void rawtp_release(struct probe *p)
{
	struct rawtp_probe *r = p->kind_data;

	for (int i = 0; r && i < r->npaths; i++) {
		free(r->paths[i].text);
		free(r->paths[i].name);
	}
	free(r);
	p->kind_data = NULL;
}

const struct provider rawtp_provider = {
	.name = "rawtracepoint",
	.kinds = { &rawtp_kind },
	.resolve = rawtp_resolve,
	.attach = rawtp_attach,
	.field = rawtp_field,
	.field_at = rawtp_field_at,
	.release = rawtp_release,
	.list = rawtp_list,
	.field_src = rawtp_field_src,
};
