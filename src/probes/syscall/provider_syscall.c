/* Syscalls: syscall:NAME, a glob (syscall:open*, syscall:*) or a list (syscall:read,write).
 * Entry and exit are paired in kernel on the raw tracepoints raw_syscalls:sys_enter/sys_exit
 * (the cheapest hook: no per-syscall tracepoint), one program each per build, linked once
 * for the session and serving every syscall probe: a pair per probe made every syscall of
 * the machine run them all (issue 17: five probes were ten programs, ~17% of a traced
 * nginx's time). lt_sys_disp[nr] lists the probes of each syscall number (a probe is
 * attached by entering it there), lt_sys_nrs[probe] its sites and generation,
 * lt_sys_sites[(probe, nr)] types their arguments. Arguments are named and typed by syscalls:sys_enter_NAME format
 * files; numbers come from the kernel headers (syscall_names.c). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "parallel_load.h"
#include "probe.h"
#include "raw_tp_link.h"
#include "sys_dispatch.h"
#include "fd_offsets.h"
#include "session.h"
#include "syscall.h"
#include "syscall.skel.h"
#include "syscall_lean.skel.h"
#include "syscall_names.h"
#include "syscall_probe.h"
#include "tracefs.h"

/* One instance per build (TMPL_PLAIN, TMPL_LEAN), loaded on first use; the second reuses
 * the first's syscall maps, so both see every probe's sites and every thread's calls. An
 * instance is the template opened three times (parallel_load.h): obj[SYS_MAPS] loads no
 * program and creates the template's own maps, obj[SYS_ENTER] and obj[SYS_EXIT] each
 * verify one program, on two CPUs at once; link[] are their attachments, for as long as
 * the session. */
enum { SYS_ENTER, SYS_EXIT, SYS_MAPS };

struct sys_instance {
	struct syscall_bpf *obj[SYS_MAPS + 1];
	int link[2];
};

static const char instance_key[TMPL_VARIANTS];

static const struct spec_kind syscall_kind = { .name = "syscall", .form = SPEC_FORM_NAME };

static void destroy_sys(void *instance)
{
	struct sys_instance *in = instance;

	for (int i = SYS_ENTER; i <= SYS_EXIT; i++)	/* entry first: no call left unpaired */
		if (in->link[i] >= 0)
			close(in->link[i]);
	for (int i = 0; i <= SYS_MAPS; i++)	/* the map holder last */
		syscall_bpf__destroy(in->obj[i]);
	free(in);
}

/* Whichever build is loaded: they share the maps the host writes. */
static struct syscall_bpf *sys_loaded(struct session *s)
{
	struct sys_instance *in = session_object(s, &instance_key[TMPL_PLAIN]);

	if (!in)
		in = session_object(s, &instance_key[TMPL_LEAN]);
	return in ? in->obj[SYS_MAPS] : NULL;
}

static int sys_share_maps(struct syscall_bpf *k, struct syscall_bpf *other)
{
	struct bpf_map *mine[] = { k->maps.lt_sys_disp, k->maps.lt_sys_nrs,
				   k->maps.lt_sys_sites, k->maps.lt_sys_calls,
				   k->maps.lt_fd_offsets };
	struct bpf_map *theirs[] = { other->maps.lt_sys_disp, other->maps.lt_sys_nrs,
				     other->maps.lt_sys_sites, other->maps.lt_sys_calls,
				     other->maps.lt_fd_offsets };
	int rc = 0;

	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]) && !rc; i++)
		rc = bpf_map__reuse_fd(mine[i], bpf_map__fd(theirs[i]));
	return rc;
}

/* The lean build (LT_LEAN=1: no records, captures or stacks) opens into the same
 * skeleton: same maps and programs in the same order. Only program `which` is loaded (none
 * for SYS_MAPS). */
static struct syscall_bpf *sys_open(enum tmpl_variant v, int which)
{
	struct syscall_bpf *k = calloc(1, sizeof(*k));
	bool lean = v == TMPL_LEAN;
	int rc;

	if (!k)
		return NULL;
	if ((rc = syscall_bpf__create_skeleton(k)))
		goto fail;
	if (lean)
		k->skeleton->data = (void *)syscall_lean_bpf__elf_bytes(&k->skeleton->data_sz);
	if ((rc = bpf_object__open_skeleton(k->skeleton, NULL)))
		goto fail;
	bpf_program__set_autoload(k->progs.lt_sys_enter, which == SYS_ENTER);
	bpf_program__set_autoload(k->progs.lt_sys_exit, which == SYS_EXIT);
	return k;
fail:
	syscall_bpf__destroy(k);
	errno = -rc;
	return NULL;
}

/* The entry and exit programs into in->obj[SYS_ENTER, SYS_EXIT], loaded, on the map
 * holder's maps. */
static int sys_progs_load(struct session *s, enum tmpl_variant v, struct syscall_bpf *holder,
			  struct sys_instance *in)
{
	struct bpf_object_skeleton *progs[2];
	int rc;

	for (int i = SYS_ENTER; i <= SYS_EXIT; i++) {
		if (!(in->obj[i] = sys_open(v, i)))
			return -errno;
		if ((rc = session_share_maps_variant(s, in->obj[i]->obj, v)) ||
		    (rc = sys_share_maps(in->obj[i], holder)))
			return rc;
	}
	progs[0] = in->obj[SYS_ENTER]->skeleton;
	progs[1] = in->obj[SYS_EXIT]->skeleton;
	return load_parallel(progs, 2, NULL);
}

/* The map holder, its maps from the other build where it is loaded, the owner's otherwise;
 * then the programs, linked: exit first, so that every call whose entry is seen has its
 * exit seen too. They run for nothing until a probe enters lt_sys_disp. */
static int sys_instance_open(struct session *s, enum tmpl_variant v, struct sys_instance *in)
{
	struct syscall_bpf *other = sys_loaded(s);
	int rc;

	if (!(in->obj[SYS_MAPS] = sys_open(v, SYS_MAPS)))
		return -errno;
	if ((other && (rc = sys_share_maps(in->obj[SYS_MAPS], other))) ||
	    (rc = session_share_maps_variant(s, in->obj[SYS_MAPS]->obj, v)) ||
	    (rc = syscall_bpf__load(in->obj[SYS_MAPS])) ||
	    (rc = sys_progs_load(s, v, in->obj[SYS_MAPS], in)))
		return rc;
	in->link[SYS_EXIT] = raw_tp_link(bpf_program__fd(in->obj[SYS_EXIT]->progs.lt_sys_exit),
					 "sys_exit", 0);
	if (in->link[SYS_EXIT] < 0)
		return in->link[SYS_EXIT];
	in->link[SYS_ENTER] = raw_tp_link(bpf_program__fd(in->obj[SYS_ENTER]->progs.lt_sys_enter),
					  "sys_enter", 0);
	return in->link[SYS_ENTER] < 0 ? in->link[SYS_ENTER] : 0;
}

static struct sys_instance *sys_template(struct session *s, enum tmpl_variant v, int *err)
{
	struct sys_instance *in = session_object(s, &instance_key[v]);

	if (in)
		return in;
	if (!(in = calloc(1, sizeof(*in)))) {
		*err = -ENOMEM;
		return NULL;
	}
	in->link[SYS_ENTER] = in->link[SYS_EXIT] = -1;
	*err = sys_instance_open(s, v, in);
	if (*err || (*err = session_own_object(s, &instance_key[v], in, destroy_sys))) {
		destroy_sys(in);
		return NULL;
	}
	return in;
}

static void sys_detach(struct probe *p);

static void sys_release(struct probe *p)
{
	struct sys_state *st = p->kind_data;
	struct syscall_bpf *k = sys_loaded(p->s);

	if (!st)
		return;
	sys_detach(p);
	for (size_t i = 0; i < st->n && st->written && k; i++) {
		struct lt_sys_key key = { st->id, st->sites[i].nr };

		bpf_map_delete_elem(bpf_map__fd(k->maps.lt_sys_sites), &key);
	}
	if (st->written && k) {	/* the id's sites must be empty for its next probe */
		struct lt_sys_nrs none = {};

		bpf_map_update_elem(bpf_map__fd(k->maps.lt_sys_nrs), &st->id, &none, BPF_ANY);
	}
	free(st->sites);
	free(st);
	p->kind_data = NULL;
}

/* ---- resolving: names to numbers, formats to named arguments ---------------------------- */

/* The format of a syscall's entry; some are defined under another name (fstat: newfstat,
 * umount2: umount). */
static int entry_format(const char *name, struct tp_format *f)
{
	char ev[128], err[256];
	size_t n = strlen(name);

	snprintf(ev, sizeof(ev), "sys_enter_%s", name);
	if (!tracefs_format("syscalls", ev, f, err, sizeof(err)))
		return 0;
	snprintf(ev, sizeof(ev), "sys_enter_new%s", name);
	if (!tracefs_format("syscalls", ev, f, err, sizeof(err)))
		return 0;
	while (n && name[n - 1] >= '0' && name[n - 1] <= '9')
		n--;
	snprintf(ev, sizeof(ev), "sys_enter_%.*s", (int)n, name);
	return n < strlen(name) ? tracefs_format("syscalls", ev, f, err, sizeof(err)) : -ENOENT;
}

/* Paths and names are strings; buffers (write's buf) and messages are not. */
static bool is_string_arg(const char *type, const char *name)
{
	return !strcmp(type, "const char *") && !strstr(name, "buf") && !strstr(name, "msg") &&
	       !strstr(name, "val");
}

static void load_args(struct sys_site *ss, const char *name, struct session *s)
{
	struct tp_format f;
	char type[128];

	ss->nargs = -1;
	if (entry_format(name, &f))
		return;
	for (ss->nargs = 0; ss->nargs < LT_MAX_ARGS; ss->nargs++) {
		const struct tp_field *x = tp_format_arg(&f, ss->nargs + 1);
		struct sys_arg *a = &ss->args[ss->nargs];

		if (!x)
			break;
		snprintf(a->name, sizeof(a->name), "%s", x->name);
		snprintf(a->decl, sizeof(a->decl), "%s", x->decl);
		tp_field_type(x, type, sizeof(type));
		ktype_resolve_in(s, type, &a->type);
		a->is_str = is_string_arg(type, a->name);
	}
	tp_format_free(&f);
}

static int cmp_site(const void *a, const void *b)
{
	return strcmp(((const struct probe_site *)a)->name, ((const struct probe_site *)b)->name);
}

static void no_syscall(const char *item, char *err, size_t errlen)
{
	struct tp_format f;

	if (spec_is_glob(item)) {
		snprintf(err, errlen, "no syscall matches '%s'", item);
	} else if (!entry_format(item, &f)) {
		tp_format_free(&f);
		snprintf(err, errlen, "syscall '%s' is newer than the kernel headers ltrace-ebpf "
			 "was built with: its number is not known", item);
	} else {
		snprintf(err, errlen, "unknown syscall '%s' (list them: ltrace-ebpf -l "
			 "'syscall:*')", item);
	}
}

/* One item of the list: a name or a glob over the syscall table. */
static int add_item(struct probe *p, const char *item, char *err, size_t errlen)
{
	size_t found = 0;
	int nr, rc = 0;

	for (size_t i = 0; i < syscall_count() && !rc; i++) {
		const char *name = syscall_at(i, &nr);
		bool dup = false;

		if (fnmatch(item, name, 0))
			continue;
		found++;
		for (size_t j = 0; j < p->nsites && !dup; j++)
			dup = !strcmp(p->sites[j].name, name);
		if (!dup)
			rc = probe_add_site(p, name, nr);
	}
	if (!rc && !found) {
		no_syscall(item, err, errlen);
		rc = -ENOENT;
	}
	return rc;
}

/* The spec's comma-separated names and globs, sorted by name. */
static int add_sites(struct probe *p, char *err, size_t errlen)
{
	char items[sizeof(p->spec.func)], *save = NULL, *item;
	int rc = 0;

	snprintf(items, sizeof(items), "%s", p->spec.func);
	for (item = strtok_r(items, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save))
		rc = add_item(p, item, err, errlen);
	if (!rc && !p->nsites) {
		snprintf(err, errlen, "expected syscall:NAME, a glob or a list (read,write)");
		rc = -EINVAL;
	}
	if (!rc)
		qsort(p->sites, p->nsites, sizeof(*p->sites), cmp_site);
	return rc;
}

/* Arguments typed alike in every site type the probe's args (typed predicates, e.args). */
static void type_args(struct probe *p, const struct sys_state *st)
{
	for (int a = 0; a < LT_MAX_ARGS; a++) {
		enum value_type vt = VT_INT;
		bool same = true;

		for (size_t i = 0; i < st->n && same; i++) {
			const struct sys_site *ss = &st->sites[i];
			enum value_type t = VT_INT;

			if (a < ss->nargs)
				t = ktype_value_type(&ss->args[a].type);

			same = !i || t == vt;
			vt = t;
		}
		if (same && p->args[a].type == VT_INT && p->args[a].capture < 0)
			p->args[a].type = vt;
	}
}

/* Resolved once: by the options (named arguments) or at attach. */
static struct sys_state *sys_state(struct probe *p, char *err, size_t errlen)
{
	struct sys_state *st = p->kind_data;

	if (st)
		return st;
	if (add_sites(p, err, errlen))
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st || !(st->sites = calloc(p->nsites, sizeof(*st->sites)))) {
		snprintf(err, errlen, "out of memory");
		free(st);
		return NULL;
	}
	for (st->n = 0; st->n < p->nsites; st->n++) {
		st->sites[st->n].nr = p->sites[st->n].offset;
		load_args(&st->sites[st->n], p->sites[st->n].name, p->s);
	}
	p->kind_data = st;
	p->cfg.flags |= LT_CFG_CALL;
	type_args(p, st);
	return st;
}

/* Also called by the kind's Lua table before its options, which name arguments. */
int syscall_resolve(struct probe *p, char *err, size_t errlen)
{
	return sys_state(p, err, errlen) ? 0 : -ENOENT;
}

/* ---- named arguments ---------------------------------------------------------------------- */

static int arg_index(const struct sys_site *ss, const char *name)
{
	for (int a = 0; a < ss->nargs; a++)
		if (!strcmp(ss->args[a].name, name))
			return a;
	return -1;
}

static void list_args(const struct sys_site *ss, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (int a = 0; a < ss->nargs && used < len; a++)
		used += snprintf(buf + used, len - used, "%s%s", used ? " " : "", ss->args[a].name);
}

static int sys_field_src(struct probe *p, const char *name, char *err, size_t errlen)
{
	struct sys_state *st = sys_state(p, err, errlen);
	char args[256];
	int src = src_parse(name), at = -1;

	if (!st || src >= 0)
		return st ? src : -ENOENT;
	for (size_t i = 0; i < st->n; i++) {
		int a = arg_index(&st->sites[i], name);

		if (a < 0) {
			list_args(&st->sites[i], args, sizeof(args));
			snprintf(err, errlen, "syscall %s has no argument '%s' (arguments: %s)",
				 p->sites[i].name, name,
				 st->sites[i].nargs < 0 ? "not known" : args);
			return -ENOENT;
		}
		if (at >= 0 && a != at) {
			snprintf(err, errlen, "argument '%s' is arg%d of %s but arg%d of %s: name "
				 "it by position", name, at + 1, p->sites[0].name, a + 1,
				 p->sites[i].name);
			return -EINVAL;
		}
		at = a;
	}
	return LT_SRC_ARG1 + at;
}

/* ---- attaching ----------------------------------------------------------------------------- */

/* The syscall's strings the probe did not capture itself; read at exit (the kernel has
 * faulted the pages in), but at entry for exec, whose memory is gone at exit. */
static void site_strings(const struct probe *p, struct sys_site *ss, const char *name,
			 struct lt_probe_cfg *strs)
{
	ss->nstr = 0;
	ss->str_at_entry = !strncmp(name, "exec", 4);
	strs->flags = LT_CFG_CALL;
	for (int a = 0; a < ss->nargs && (p->cfg.flags & LT_CFG_EMIT); a++) {
		if (!ss->args[a].is_str || p->args[a].capture >= 0)
			continue;
		strs->fetch[ss->nstr] = (struct lt_fetch){ .src = LT_SRC_ARG1 + a,
							   .kind = LT_FETCH_STR,
							   .at_return = !ss->str_at_entry,
							   .len_src = LT_SRC_NONE,
							   .space = LT_SPACE_USER,
							   .len = p->strsize };
		ss->str_args[ss->nstr++] = a;
	}
	strs->nfetch = ss->nstr;
}

static int write_sites(struct probe *p, struct sys_state *st, int fd)
{
	struct lt_sys_site v;

	st->id = p->id;
	st->written = true;
	for (size_t i = 0; i < st->n; i++) {
		struct sys_site *ss = &st->sites[i];
		struct lt_sys_key key = { p->id, ss->nr };

		memset(&v, 0, sizeof(v));
		for (int a = 0; a < ss->nargs; a++)
			if (!ss->args[a].type.is_ptr && ss->args[a].type.size < 8)
				v.ext[a] = ss->args[a].type.size |
					   (ss->args[a].type.is_signed ? LT_EXT_SIGNED : 0);
		site_strings(p, ss, p->sites[i].name, &v.strs);
		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Per syscall number, the site it is (index + 1); the attach's generation. */
static int write_nrs(struct probe *p, const struct sys_state *st, int fd, uint32_t gen)
{
	struct lt_sys_nrs nrs = { .gen = gen };

	for (size_t i = 0; i < st->n; i++)
		if (st->sites[i].nr >= 0 && st->sites[i].nr < LT_SYS_NR_MAX)
			nrs.site[st->sites[i].nr] = i + 1;
	return bpf_map_update_elem(fd, &p->id, &nrs, BPF_ANY) ? -errno : 0;
}

/* Option `socket`: the kernel's layouts for the programs, once. */
static int socket_offsets(struct syscall_bpf *k)
{
	struct lt_fd_offsets o;
	uint32_t zero = 0;
	int rc;

	if (!bpf_map_lookup_elem(bpf_map__fd(k->maps.lt_fd_offsets), &zero, &o) && o.ok)
		return 0;
	if ((rc = fd_offsets(&o)))
		return rc;
	return bpf_map_update_elem(bpf_map__fd(k->maps.lt_fd_offsets), &zero, &o, BPF_ANY) ?
	       -errno : 0;
}

/* The probe's sites, then its entries in lt_sys_disp: the session's programs (linked when
 * its build is first loaded) serve it from then on. The generation is new at every attach:
 * a call left in a thread's storage by an earlier probe of the same id (detached while the
 * thread was in the syscall) is not taken for this probe's. Probes that only aggregate use
 * the lean build. */
static int sys_attach(struct probe *p, char *err, size_t errlen)
{
	static uint32_t generation;
	enum tmpl_variant v = tmpl_variant_of(&p->cfg) == TMPL_LEAN ? TMPL_LEAN : TMPL_PLAIN;
	struct sys_state *st = p->kind_data;
	struct sys_instance *in;
	struct syscall_bpf *k;
	size_t full = 0;
	int rc = 0;

	if (!(in = sys_template(p->s, v, &rc))) {
		snprintf(err, errlen, "cannot load the syscall template: %s", strerror(-rc));
		return rc;
	}
	k = in->obj[SYS_MAPS];
	if ((rc = write_sites(p, st, bpf_map__fd(k->maps.lt_sys_sites))) ||
	    (rc = write_nrs(p, st, bpf_map__fd(k->maps.lt_sys_nrs), ++generation))) {
		snprintf(err, errlen, "cannot configure the syscall probe: %s", strerror(-rc));
		return rc;
	}
	if ((p->cfg.flags & LT_CFG_SOCKET) && (rc = socket_offsets(k))) {
		snprintf(err, errlen, "option 'socket': the kernel's file table layout is not "
			 "known (no BTF): %s", strerror(-rc));
		return rc;
	}
	st->tag = (p->id + 1) | (v == TMPL_LEAN ? LT_SYS_LEAN : 0);
	st->own_pid = !!(p->cfg.flags & LT_CFG_OWN_PID);
	if ((rc = sys_dispatch_add(bpf_map__fd(k->maps.lt_sys_disp), st, &full))) {
		if (rc == -ENOSPC)
			snprintf(err, errlen, "syscall %s is traced by %d probes already (the most)",
				 p->sites[full].name, LT_SYS_SLOTS);
		else
			snprintf(err, errlen, "cannot attach the syscall probe: %s", strerror(-rc));
		return rc;
	}
	st->dispatched = true;
	return 0;
}

/* Out of lt_sys_disp: no new call of the probe begins (calls in flight end as usual). */
static void sys_detach(struct probe *p)
{
	struct sys_state *st = p->kind_data;
	struct syscall_bpf *k = sys_loaded(p->s);

	if (!st || !st->dispatched || !k)
		return;
	sys_dispatch_remove(bpf_map__fd(k->maps.lt_sys_disp), st);
	st->dispatched = false;
}

/* ---- options, listing ---------------------------------------------------------------------- */

static bool list_matches(const struct spec *spec, const char *name)
{
	char items[sizeof(spec->func)], *save = NULL, *item;

	snprintf(items, sizeof(items), "%s", spec->func);
	for (item = strtok_r(items, ",", &save); item; item = strtok_r(NULL, ",", &save))
		if (!fnmatch(item, name, 0))
			return true;
	return false;
}

static void emit_one(const char *name, bool verbose, void (*emit)(void *ctx, const char *name),
		     void *ctx)
{
	struct sys_site ss;
	char buf[2048];
	size_t used = snprintf(buf, sizeof(buf), "syscall:%s", name);

	if (verbose) {
		load_args(&ss, name, NULL);
		for (int a = 0; a < ss.nargs && used < sizeof(buf); a++)
			used += snprintf(buf + used, sizeof(buf) - used, "\n    %s",
					 ss.args[a].decl);
		if (used < sizeof(buf))
			snprintf(buf + used, sizeof(buf) - used, ss.nargs < 0 ?
				 "\n    (arguments not known)\n    long ret" : "\n    long ret");
	}
	emit(ctx, buf);
}

static int sys_list(struct session *s, const struct spec *spec, bool verbose,
		    void (*emit)(void *ctx, const char *name), void *ctx, char *err, size_t errlen)
{
	int nr;

	for (size_t i = 0; i < syscall_count(); i++) {
		const char *name = syscall_at(i, &nr);

		if (list_matches(spec, name))
			emit_one(name, verbose, emit, ctx);
	}
	return 0;
}

const struct provider syscall_provider = {
	.name = "syscall",
	.kinds = { &syscall_kind },
	.resolve = syscall_resolve,
	.attach = sys_attach,
	.detach = sys_detach,
	.field = syscall_field,
	.field_at = syscall_field_at,
	.release = sys_release,
	.list = sys_list,
	.field_src = sys_field_src,
};
