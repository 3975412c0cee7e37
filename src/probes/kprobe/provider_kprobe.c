/* Kernel functions: kprobe:FUNC (entry), kretprobe:FUNC (return), kcall:FUNC (paired, with
 * duration). FUNC is a name (kprobe: also NAME+OFFSET) or a glob, found in /proc/kallsyms;
 * its BTF prototype names the arguments. The mechanism is what the kernel allows
 * (kfeatures.c): one function goes through fentry/fexit, else a kprobe; a glob through one
 * kprobe_multi link, else a kprobe per function, else fentry per function (at most
 * FENTRY_MAX). A kernel with none of them is refused in resolve(), before anything is
 * loaded, with the reason and a tracepoint to use instead. Captures read kernel memory
 * unless a `fetch` type says "user:" (the kind's Lua table, src/lua/kinds/l_kind_kprobe.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btf_path.h"
#include "kfeatures.h"
#include "kfuncs.h"
#include "kprobe.skel.h"
#include "ksuggest.h"
#include "ktypes.h"
#include "probe.h"
#include "session.h"

#define FENTRY_MAX 64	/* fentry loads one program per function: a glob must stay small */
#define KPARAMS 6

enum kmech { KM_NONE, KM_KPROBE, KM_MULTI, KM_FENTRY };
static const char *const mech_name[] = { "nothing", "kprobes", "a kprobe_multi link",
					 "fentry/fexit" };

struct kprobe_state {
	enum kmech mech;
	int nparams;			/* BTF prototype of a single function: argument names */
	char params[KPARAMS][64];
	struct kprobe_bpf **fentry;	/* KM_FENTRY: one loaded instance per site */
	size_t nfentry;
};

enum kgroup { KG_ENTRY, KG_RETURN, KG_CALL };

static const struct spec_kind kprobe_kind = {
	.name = "kprobe",
	.alias = { "k" },
	.form = SPEC_FORM_NAME,
	.variant = KG_ENTRY,
};
static const struct spec_kind kretprobe_kind = {
	.name = "kretprobe",
	.alias = { "kr" },
	.form = SPEC_FORM_NAME,
	.variant = KG_RETURN,
};
static const struct spec_kind kcall_kind = {
	.name = "kcall",
	.form = SPEC_FORM_NAME,
	.variant = KG_CALL,
};

static void kprobe_init(struct probe *p)
{
	if (p->spec.kind == &kcall_kind)
		p->cfg.flags |= LT_CFG_CALL;
}

static struct kprobe_state *state_of(struct probe *p)
{
	if (!p->kind_data)
		p->kind_data = calloc(1, sizeof(struct kprobe_state));
	return p->kind_data;
}

/* ---- argument names from BTF ------------------------------------------------------------ */

static const struct btf_type *func_proto(const struct btf *btf, const char *name)
{
	int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) : -ENOENT;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, btf__type_by_id(btf, id)->type) :
				   NULL;

	return t && btf_is_func_proto(t) ? t : NULL;
}

/* An integer narrower than a register (int, u32, bool, an enum) as its value type: only
 * its own bytes are defined in the register or the fentry context (do_sys_openat2's
 * `int dfd` of -100 arrives as 0x00000000ffffff9c on x86-64), so `where` compares and
 * events show those bytes with the type's sign. Anything else stays a 64-bit word. */
static void narrow_type(const struct btf *btf, uint32_t id, struct value_fmt *v)
{
	int rid = btf__resolve_type(btf, id);	/* through typedefs and qualifiers */
	const struct btf_type *t = rid > 0 ? btf__type_by_id(btf, rid) : NULL;
	struct ktype kt = { 0 };

	if (!t || v->type != VT_INT || v->capture >= 0 || !(btf_is_int(t) || btf_is_any_enum(t)) ||
	    t->size >= 8)
		return;		/* typed by the script, read from memory, or full width */
	kt.size = t->size;
	kt.is_signed = btf_is_int(t) ? (btf_int_encoding(t) & BTF_INT_SIGNED) != 0 : btf_kflag(t);
	v->type = ktype_value_type(&kt);
}

/* Names and narrow types of a single function's arguments and return value, from BTF;
 * before `where` is parsed (field_src), so its comparisons use them. */
static void load_params(struct probe *p, struct kprobe_state *k)
{
	const struct btf *btf = ktypes_btf(p->s);
	const struct btf_type *proto;

	if (k->nparams || spec_is_glob(p->spec.func) || !(proto = func_proto(btf, p->spec.func)))
		return;
	for (int i = 0; i < btf_vlen(proto) && i < KPARAMS; i++) {
		snprintf(k->params[k->nparams++], sizeof(k->params[0]), "%s",
			 btf__name_by_offset(btf, btf_params(proto)[i].name_off));
		narrow_type(btf, btf_params(proto)[i].type, &p->args[i]);
	}
	narrow_type(btf, proto->type, &p->ret);
}

/* where / of / by / fetch: arg1..arg6, ret, duration (kcall), or a BTF argument name. */
static int kprobe_field_src(struct probe *p, const char *name, char *err, size_t errlen)
{
	struct kprobe_state *k = state_of(p);
	int src = src_parse(name);

	if (k)
		load_params(p, k);
	if (src >= 0 && src != LT_SRC_CALLER)
		return src;
	for (int i = 0; k && i < k->nparams; i++)
		if (!strcmp(k->params[i], name))
			return LT_SRC_ARG1 + i;
	snprintf(err, errlen, "'%s' is not an argument of %s (arg1..arg6, ret%s%s)", name,
		 p->spec.func, k && k->nparams ? ", or its argument names from BTF" : "",
		 p->spec.kind == &kcall_kind ? ", duration" : "");
	return -EINVAL;
}

/* ---- resolve: sites, then the mechanism ---------------------------------------------------- */

static enum kmech choose(const struct probe *p, const struct kfeatures *kf, bool has_btf)
{
	bool one = p->nsites == 1 && !spec_is_glob(p->spec.func);

	if (one) {
		if (kf->fentry && has_btf && !p->spec.has_offset)
			return KM_FENTRY;
		return kf->kprobe ? KM_KPROBE : KM_NONE;
	}
	if (kf->kprobe_multi)
		return KM_MULTI;
	if (kf->kprobe)
		return KM_KPROBE;
	return kf->fentry ? KM_FENTRY : KM_NONE;
}

static int refuse(const struct probe *p, const struct kfeatures *kf, char *err, size_t errlen)
{
	char why[256], alt[256];

	kfeatures_explain(kf, spec_is_glob(p->spec.func), why, sizeof(why));
	snprintf(err, errlen, "%s; use a tracepoint instead, %s%s", why,
		 ksuggest_tracepoint(p->spec.func, p->spec.kind == &kretprobe_kind,
				     p->spec.kind == &kcall_kind, alt, sizeof(alt)) ? "e.g. " : "",
		 alt);
	return -EOPNOTSUPP;
}

/* fentry needs each function in BTF: a glob leaves the others out, and stays small. */
static int fentry_sites(struct probe *p, const struct btf *btf, char *err, size_t errlen)
{
	size_t out = 0;

	for (size_t i = 0; i < p->nsites; i++) {
		if (func_proto(btf, p->sites[i].name))
			p->sites[out++] = p->sites[i];
		else
			free(p->sites[i].name);
	}
	p->nsites = out;
	if (!out || out > FENTRY_MAX) {
		if (out)
			snprintf(err, errlen, "%zu functions match, and fentry (the only way this "
				 "kernel attaches) loads a program per function: narrow the glob to "
				 "at most %d", out, FENTRY_MAX);
		else
			snprintf(err, errlen, "no matching function is in the kernel's BTF (fentry "
				 "needs it)");
		return -E2BIG;
	}
	return 0;
}

static int add_sites(struct probe *p, char *err, size_t errlen)
{
	struct kfunc_list l;
	int rc = kfuncs_match(p->spec.func, &l, err, errlen);

	if (rc)
		return rc;
	for (size_t i = 0; i < l.n && !rc; i++)
		rc = probe_add_site(p, l.v[i], p->spec.offset);
	kfunc_list_free(&l);
	if (!rc && !p->nsites) {
		snprintf(err, errlen, spec_is_glob(p->spec.func) ?
			 "no kernel function matches '%s'" :
			 "no kernel function '%s' in /proc/kallsyms", p->spec.func);
		rc = -ENOENT;
	}
	return rc;
}

static int kprobe_resolve(struct probe *p, char *err, size_t errlen)
{
	struct kprobe_state *k = state_of(p);
	const struct btf *btf;
	const struct kfeatures *kf;
	int rc;

	if (!k)
		return -ENOMEM;
	if (p->spec.is_addr || (p->spec.has_offset && p->spec.kind != &kprobe_kind)) {
		snprintf(err, errlen, p->spec.is_addr ? "kernel functions are probed by name" :
			 "only kprobe: takes +OFFSET");
		return -EINVAL;
	}
	if ((rc = add_sites(p, err, errlen)))
		return rc;
	snprintf(p->path, sizeof(p->path), "/proc/kallsyms");
	btf = ktypes_btf(p->s);
	load_params(p, k);
	kf = kfeatures_get(btf);
	k->mech = choose(p, kf, func_proto(btf, p->sites[0].name) != NULL);
	if (k->mech == KM_NONE)
		return refuse(p, kf, err, errlen);
	rc = k->mech == KM_FENTRY ? fentry_sites(p, btf, err, errlen) : 0;
	if (!rc && p->s->opts.verbose)	/* which path this kernel gave: the matrix checks it */
		fprintf(stderr, "ltrace-ebpf: %s:%s: %zu function%s through %s\n",
			p->spec.kind->name, p->spec.func, p->nsites,
			p->nsites == 1 ? "" : "s", mech_name[k->mech]);
	return rc;
}

/* ---- attach ---------------------------------------------------------------------------- */

static enum kgroup group_of(const struct spec_kind *kind)
{
	return (enum kgroup)kind->variant;
}

/* The programs of a group for a mechanism: [0] entry (or the only one), [1] return. */
static void group_progs(struct kprobe_bpf *k, enum kgroup g, enum kmech m,
			struct bpf_program *out[2])
{
	struct bpf_program *const tab[3][3][2] = {
		[KM_KPROBE - 1] = { { k->progs.lt_kentry }, { k->progs.lt_kreturn },
				    { k->progs.lt_kcall_entry, k->progs.lt_kcall_return } },
		[KM_MULTI - 1] = { { k->progs.lt_kentry_multi }, { k->progs.lt_kreturn_multi },
				   { k->progs.lt_kcall_entry_multi,
				     k->progs.lt_kcall_return_multi } },
		[KM_FENTRY - 1] = { { k->progs.lt_fentry }, { k->progs.lt_fexit },
				    { k->progs.lt_fcall_entry, k->progs.lt_fcall_return } },
	};

	out[0] = tab[m - 1][g][0];
	out[1] = tab[m - 1][g][1];
}

static void destroy_instance(void *obj)
{
	kprobe_bpf__destroy(obj);
}

/* A template instance with only the group's programs, sharing the owner's maps; for fentry
 * bound to one function. NULL with *err. */
static struct kprobe_bpf *open_instance(struct session *s, enum kgroup g, enum kmech m,
					const char *func, int *err)
{
	struct kprobe_bpf *k = kprobe_bpf__open();
	struct bpf_program *prog, *keep[2];

	if (!k) {
		*err = -errno;
		return NULL;
	}
	group_progs(k, g, m, keep);
	bpf_object__for_each_program(prog, k->obj) {
		bool wanted = prog == keep[0] || prog == keep[1];

		bpf_program__set_autoload(prog, wanted);
		if (wanted && func && (*err = bpf_program__set_attach_target(prog, 0, func)))
			goto fail;
	}
	if ((*err = session_share_maps(s, k->obj)) || (*err = kprobe_bpf__load(k)))
		goto fail;
	return k;
fail:
	kprobe_bpf__destroy(k);
	return NULL;
}

static const char instance_keys[2][3] = { { 0 } };

/* Classic and multi programs are shared by the session's probes, loaded on first use. */
static struct kprobe_bpf *shared_instance(struct session *s, enum kgroup g, enum kmech m, int *err)
{
	const void *key = &instance_keys[m == KM_MULTI][g];
	struct kprobe_bpf *k = session_object(s, key);

	if (k)
		return k;
	if ((k = open_instance(s, g, m, NULL, err)) &&
	    (*err = session_own_object(s, key, k, destroy_instance))) {
		kprobe_bpf__destroy(k);
		k = NULL;
	}
	return k;
}

static uint64_t cookie_of(const struct probe *p, size_t site)
{
	return (uint64_t)p->id << 32 | site;
}

static int attach_kprobes(struct probe *p, struct bpf_program *prog, bool ret, char *err,
			  size_t errlen)
{
	for (size_t i = 0; i < p->nsites; i++) {
		LIBBPF_OPTS(bpf_kprobe_opts, opts, .bpf_cookie = cookie_of(p, i), .retprobe = ret,
			    .offset = p->sites[i].offset);
		struct bpf_link *link = bpf_program__attach_kprobe_opts(prog, p->sites[i].name,
									&opts);
		int rc = link ? 0 : -errno;

		if (!rc && !(rc = probe_add_link(p, link, -1)))
			continue;
		bpf_link__destroy(link);
		snprintf(err, errlen, "cannot attach a k%sprobe to %s: %s", ret ? "ret" : "",
			 p->sites[i].name, strerror(-rc));
		return rc;
	}
	return 0;
}

static int attach_multi(struct probe *p, struct bpf_program *prog, bool ret, char *err,
			size_t errlen)
{
	const char **syms = calloc(p->nsites, sizeof(*syms));
	__u64 *cookies = calloc(p->nsites, sizeof(*cookies));
	struct bpf_link *link = NULL;
	int rc = -ENOMEM;

	if (syms && cookies) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = syms, .cookies = cookies,
			    .cnt = p->nsites, .retprobe = ret);

		for (size_t i = 0; i < p->nsites; i++) {
			syms[i] = p->sites[i].name;
			cookies[i] = cookie_of(p, i);
		}
		link = bpf_program__attach_kprobe_multi_opts(prog, NULL, &opts);
		rc = link ? probe_add_link(p, link, -1) : -errno;
	}
	free(syms);
	free(cookies);
	if (rc) {
		bpf_link__destroy(link);
		snprintf(err, errlen, "cannot attach a kprobe_multi link to %zu functions: %s",
			 p->nsites, strerror(-rc));
	}
	return rc;
}

/* One instance per function, kept by the probe (destroyed in release, after its links). */
static int attach_fentry(struct probe *p, enum kgroup g, char *err, size_t errlen)
{
	struct kprobe_state *ks = p->kind_data;
	int rc = 0;

	if (!(ks->fentry = calloc(p->nsites, sizeof(*ks->fentry))))
		return -ENOMEM;
	for (size_t i = 0; i < p->nsites && !rc; i++) {
		struct bpf_program *progs[2];
		struct kprobe_bpf *k = open_instance(p->s, g, KM_FENTRY, p->sites[i].name, &rc);

		if (!k) {
			snprintf(err, errlen, "cannot load the fentry program for %s: %s",
				 p->sites[i].name, strerror(-rc));
			break;
		}
		ks->fentry[ks->nfentry++] = k;
		group_progs(k, g, KM_FENTRY, progs);
		for (int j = 0; j < 2 && progs[j] && !rc; j++) {
			LIBBPF_OPTS(bpf_trace_opts, opts, .cookie = cookie_of(p, i));
			struct bpf_link *link = bpf_program__attach_trace_opts(progs[j], &opts);

			rc = link ? probe_add_link(p, link, -1) : -errno;
			if (rc) {
				bpf_link__destroy(link);
				snprintf(err, errlen, "cannot attach %s to %s: %s",
					 j ? "fexit" : "fentry", p->sites[i].name, strerror(-rc));
			}
		}
	}
	return rc;
}

/* Entry before return, so a call that starts meanwhile is at worst unpaired. */
static int kprobe_attach(struct probe *p, char *err, size_t errlen)
{
	struct kprobe_state *ks = p->kind_data;
	enum kgroup g = group_of(p->spec.kind);
	struct bpf_program *progs[2];
	struct kprobe_bpf *k;
	int rc = 0;

	if (ks->mech == KM_FENTRY)
		return attach_fentry(p, g, err, errlen);
	if (!(k = shared_instance(p->s, g, ks->mech, &rc))) {
		snprintf(err, errlen, "cannot load the kprobe template: %s (-v shows the verifier "
			 "log)", strerror(-rc));
		return rc;
	}
	group_progs(k, g, ks->mech, progs);
	for (int i = 0; i < 2 && progs[i] && !rc; i++) {
		bool ret = g == KG_RETURN || i == 1;

		rc = ks->mech == KM_MULTI ? attach_multi(p, progs[i], ret, err, errlen) :
		     attach_kprobes(p, progs[i], ret, err, errlen);
	}
	return rc;
}

/* ---- events, listing, release ------------------------------------------------------------ */

/* e.NAME for the function's BTF argument names (entry and paired calls). */
static int kprobe_field(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
			const char *key, struct probe_value *out)
{
	struct kprobe_state *k = p->kind_data;

	for (int i = 0; k && i < k->nparams; i++) {
		if (strcmp(k->params[i], key))
			continue;
		if (rec->type == LT_REC_RETURN)
			*out = (struct probe_value){ .kind = PV_NIL };
		else if (p->args[i].capture >= 0)
			*out = probe_value_capture(data, rec->data_len,
						   capture_emitted_index(&p->cfg, p->args[i].capture),
						   p->args[i].type);
		else
			*out = probe_value_int(value_extend(p->args[i].type, rec->args[i]));
		return 1;
	}
	return 0;
}

/* kprobe:NAME lines; one exact name also shows its BTF prototype. */
static int kprobe_list(struct session *s, const struct spec *spec, bool verbose,
		       void (*emit)(void *ctx, const char *name), void *ctx, char *err,
		       size_t errlen)
{
	const struct btf *btf = spec_is_glob(spec->func) ? NULL : ktypes_btf(s);
	const struct btf_type *proto = func_proto(btf, spec->func);
	char line[1024], ts[128];
	struct kfunc_list l;
	int rc = kfuncs_match(spec->func, &l, err, errlen);

	for (size_t i = 0; !rc && i < l.n; i++) {
		size_t used = snprintf(line, sizeof(line), "%s:%s", spec->kind->name,
				       l.v[i]);

		for (int j = 0; proto && j < btf_vlen(proto) && used < sizeof(line); j++) {
			btf_type_str(btf, btf_params(proto)[j].type, ts, sizeof(ts));
			used += snprintf(line + used, sizeof(line) - used, "%s%s%s%s",
					 j ? ", " : "(", ts, ts[strlen(ts) - 1] == '*' ? "" : " ",
					 btf__name_by_offset(btf, btf_params(proto)[j].name_off));
		}
		if (proto && used < sizeof(line))
			snprintf(line + used, sizeof(line) - used, btf_vlen(proto) ? ")" : "()");
		emit(ctx, line);
	}
	kfunc_list_free(&l);
	return rc;
}

static void kprobe_release(struct probe *p)
{
	struct kprobe_state *k = p->kind_data;

	for (size_t i = 0; k && i < k->nfentry; i++)
		kprobe_bpf__destroy(k->fentry[i]);
	if (k)
		free(k->fentry);
	free(k);
	p->kind_data = NULL;
}

const struct provider kprobe_provider = {
	.name = "kprobe",
	.kinds = { &kprobe_kind, &kretprobe_kind, &kcall_kind },
	.init = kprobe_init,
	.resolve = kprobe_resolve,
	.attach = kprobe_attach,
	.field = kprobe_field,
	.release = kprobe_release,
	.list = kprobe_list,
	.field_src = kprobe_field_src,
};
