/* User-function probes: uprobe (entry), uretprobe (return) and call (both, paired in
 * kernel). Resolves LIB like the loader and FUNC (or a glob) through the ELF symbol
 * tables, then attaches every site with one uprobe_multi link per program where the
 * kernel has it, one classic link per site where it does not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "early_link.h"
#include "elf_symbols.h"
#include "fd_limit.h"
#include "insn.h"
#include "insn_kernel.h"
#include "libpath.h"
#include "libpath_needed.h"
#include "probe.h"
#include "return_safety.h"
#include "session.h"
#include "uprobe.skel.h"
#include "uprobe_multi.h"
#include "uprobe_plt.h"
#include "uprobe_programs.h"
#include "uprobe_traits.h"
#include "unwind_guard.h"

/* What users write: a bare LIB:FUNC is a uprobe. */
static const struct spec_kind uprobe_kind = {
	.name = "uprobe",
	.alias = { "u" },
	.form = SPEC_FORM_FUNC,
	.bare = true,
	.variant = TMPL_ENTRY,
};
static const struct spec_kind uretprobe_kind = {
	.name = "uretprobe",
	.alias = { "ur" },
	.form = SPEC_FORM_FUNC,
	.variant = TMPL_RETURN,
};
static const struct spec_kind call_kind = {
	.name = "call",
	.form = SPEC_FORM_FUNC,
	.variant = TMPL_CALL,
};

static int cmp_site_offset(const void *a, const void *b)
{
	const struct probe_site *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Aliases and IFUNCs resolved to one implementation share an offset: probe it once. */
static void dedupe_sites(struct probe *p)
{
	size_t out = 0;

	qsort(p->sites, p->nsites, sizeof(*p->sites), cmp_site_offset);
	for (size_t i = 0; i < p->nsites; i++) {
		if (out && p->sites[out - 1].offset == p->sites[i].offset) {
			free(p->sites[i].name);
			continue;
		}
		p->sites[out++] = p->sites[i];
	}
	p->nsites = out;
}

/* A site the kernel would probe wrongly (insn.c; why[] empty: it can be probed, or its code
 * is unreadable here and the kernel decides) is refused: an error for one function, a note
 * for a glob (which leaves it out). Return probes are checked later, keep_safe_returns. */
static int add_site(struct probe *p, const struct elf_func *f, char *err, size_t errlen)
{
	uint64_t off = f->offset + p->spec.offset;
	char why[160];
	int rc = insn_check_site(p->path, f->offset, f->size, off, why, sizeof(why));

	if (rc == 0)
		return probe_add_site(p, f->name, off);
	if (rc != -EINVAL && rc != -EOPNOTSUPP)
		why[0] = 0;
	if (!spec_is_glob(p->spec.func) && why[0]) {
		snprintf(err, errlen, "cannot probe %s%s in %s: %s", f->name,
			 p->spec.has_offset ? strrchr(p->text, '+') : "", p->path, why);
		return rc;
	}
	if (!why[0])
		return probe_add_site(p, f->name, off);	/* unreadable here: let the kernel decide */
	fprintf(stderr, "ltrace-ebpf: %s: left out %s: %s\n", p->text, f->name, why);
	return 0;
}

static int resolve_funcs(struct probe *p, char *err, size_t errlen)
{
	struct elf_func_list list = {};
	size_t skipped = 0;
	int rc = elf_funcs_match(p->path, p->spec.func, &list, &skipped, err, errlen);

	if (rc == -ENOTSUP)	/* an IFUNC: err says which and why */
		return rc;
	if (rc) {
		snprintf(err, errlen, "cannot read symbols of %s: %s", p->path, strerror(-rc));
		return rc;
	}
	if (!list.n) {
		snprintf(err, errlen, spec_is_glob(p->spec.func) ? "no function matches '%s' in %s" :
			 "function '%s' not found in %s", p->spec.func, p->path);
		elf_func_list_free(&list);
		return -ENOENT;
	}
	for (size_t i = 0; i < list.n && !rc; i++)
		rc = add_site(p, &list.v[i], err, errlen);
	elf_func_list_free(&list);
	if (!rc && !p->nsites) {
		snprintf(err, errlen, "no function matching '%s' in %s can be probed", p->spec.func,
			 p->path);
		rc = -ENOENT;
	}
	if (skipped)
		fprintf(stderr, "ltrace-ebpf: %s: %zu IFUNC symbol(s) left out: their implementation "
			"is not known here\n", p->text, skipped);
	return rc;
}

/* Why a return probe on site i would harm the program (return_safety.h), in why. */
static bool return_unsafe(struct probe *p, size_t i, char *why, size_t whylen)
{
	const struct probe_site *site = &p->sites[i];

	if (p->kind_data)	/* a PLT stub: the function it calls decides */
		return return_unsafe_import(p->path, site->name, why, whylen);
	if (p->spec.is_addr)
		return return_unsafe_site(p->path, site->offset, why, whylen) ||
		       return_unsafe_inside(p->path, site->offset, why, whylen);
	return return_unsafe_site(p->path, site->offset, why, whylen) ||
	       return_unsafe_func(p->path, site->name, why, whylen) ||
	       (p->spec.offset && return_unsafe_inside(p->path, site->offset, why, whylen));
}

/* The one check of every return-probe site, whatever found it (a symbol, a glob, a PLT
 * stub, an address, FUNC+OFF): a named function is refused, a glob leaves it out. */
static int keep_safe_returns(struct probe *p, char *err, size_t errlen)
{
	size_t out = 0;
	char why[200];

	if (p->spec.kind->variant == TMPL_ENTRY)
		return 0;
	for (size_t i = 0; i < p->nsites; i++) {
		if (!return_unsafe(p, i, why, sizeof(why))) {
			p->sites[out++] = p->sites[i];
			continue;
		}
		if (!spec_is_glob(p->spec.func)) {
			snprintf(err, errlen, "cannot put a return probe on %s%s in %s: %s",
				 p->sites[i].name, p->spec.has_offset ? strrchr(p->text, '+') : "",
				 p->path, why);
			return -EOPNOTSUPP;
		}
		fprintf(stderr, "ltrace-ebpf: %s: left out %s: %s\n", p->text, p->sites[i].name, why);
		free(p->sites[i].name);
	}
	p->nsites = out;
	if (!out) {
		snprintf(err, errlen, "no function matching '%s' in %s can be probed", p->spec.func,
			 p->path);
		return -ENOENT;
	}
	return 0;
}

static int uprobe_resolve(struct probe *p, char *err, size_t errlen)
{
	const struct session_opts *o = &p->s->opts;
	char why[512];
	uint64_t off;
	int rc;

	/* The target's own view first: its DT_NEEDED libraries and run paths. */
	if ((strchr(p->spec.lib, '/') || !o->exe[0] ||
	     libpath_resolve_for(p->spec.lib, o->exe, p->path, sizeof(p->path))) &&
	    libpath_resolve(p->spec.lib, o->pid, p->path, sizeof(p->path), why, sizeof(why))) {
		snprintf(err, errlen, "library '%s' not found: %s", p->spec.lib, why);
		return -ENOENT;
	}
	if (p->kind_data)	/* plt = ... (src/probes/uprobe/uprobe_plt.c) */
		rc = uprobe_plt_resolve(p, err, errlen);
	else if (!p->spec.is_addr)
		rc = resolve_funcs(p, err, errlen);
	else if ((rc = elf_code_vaddr_to_offset(p->path, p->spec.offset, &off, NULL, 0)))
		snprintf(err, errlen, "address %s is not in the code (an executable segment) of %s",
			 p->spec.func, p->path);
	else
		rc = probe_add_site(p, p->spec.func, off);
	return rc ? rc : keep_safe_returns(p, err, errlen);
}

static enum tmpl_group group_of(const struct spec_kind *kind)
{
	return (enum tmpl_group)kind->variant;
}

static int attach_pid(struct probe *p)
{
	const struct session_opts *o = &p->s->opts;

	return o->have_target && !o->follow ? o->pid : -1;
}

static uint64_t cookie_of(struct probe *p, size_t site)
{
	return (uint64_t)p->id << 32 | site;
}

/* The sites' offsets and cookies, as a uprobe_multi link takes them; false: no memory. */
static bool multi_arrays(struct probe *p, uint64_t **offsets, uint64_t **cookies)
{
	*offsets = calloc(p->nsites, sizeof(**offsets));
	*cookies = calloc(p->nsites, sizeof(**cookies));
	if (!*offsets || !*cookies)
		return false;
	for (size_t i = 0; i < p->nsites; i++) {
		(*offsets)[i] = p->sites[i].offset;
		(*cookies)[i] = cookie_of(p, i);
	}
	return true;
}

static int attach_multi(struct probe *p, struct bpf_program *prog, bool is_return)
{
	uint64_t *offsets, *cookies;
	int fd = -ENOMEM;

	if (multi_arrays(p, &offsets, &cookies))
		fd = uprobe_multi_attach(bpf_program__fd(prog), p->path, offsets, cookies,
					 p->nsites, is_return, attach_pid(p));
	free(offsets);
	free(cookies);
	if (fd < 0)
		return fd;
	return probe_add_link(p, NULL, fd);
}

/* The session's first uprobe probe starts linking now, under the loading (early_link.h). */
static void uprobe_prepare(struct probe *p)
{
	struct uprobe_session *u = uprobe_session(p->s);
	enum tmpl_group g = group_of(p->spec.kind);
	uint64_t *offsets, *cookies;
	struct early_link_req req = {
		.path = p->path, .cnt = p->nsites, .pid = attach_pid(p),
		.nlinks = g == TMPL_CALL ? 2 : 1,
		.is_return = { g == TMPL_RETURN, true },
	};

	if (!u || u->early_tried)
		return;
	u->early_tried = true;	/* only the first registration waits: later ones gain nothing */
	if (getenv("LTRACE_EBPF_NO_EARLY_LINK") || !uprobe_multi_supported() ||
	    (tmpl_variant_of(&p->cfg) == TMPL_SLEEPABLE && u->sleepable_ok))
		return;
	dedupe_sites(p);
	if (multi_arrays(p, &offsets, &cookies)) {
		req.offsets = offsets;
		req.cookies = cookies;
		if ((u->early = early_link_start(&req)))
			u->early_probe = p;
	}
	free(offsets);
	free(cookies);
}

/* Closes the first probe's early links (if not handed over) and their program array. */
static void drop_early_links(struct uprobe_session *u)
{
	early_link_free(u->early);
	u->early = NULL;
	u->early_probe = NULL;
}

/* Hands the verified programs to the early links: 1 when they are p's links now, 0 when
 * p has none (it links the ordinary way), -errno. */
static int take_early_links(struct uprobe_session *u, struct probe *p,
			    struct bpf_program *const multi[2])
{
	int fds[2] = { -1, -1 }, rc = 0;

	if (u->early_probe != p)
		return 0;
	if (!u->multi_ok || early_link_finish(u->early, multi, fds)) {
		drop_early_links(u);
		return 0;
	}
	for (int i = 0; i < 2 && fds[i] >= 0; i++)
		if (rc || (rc = probe_add_link(p, NULL, fds[i])))
			close(fds[i]);
	return rc ? rc : 1;
}

/* The first probe's early links keep their program array open: it lives as long as the
 * links, not longer. */
static void uprobe_detach(struct probe *p)
{
	struct uprobe_session *u = uprobe_session_find(p->s);

	if (u && u->early_probe == p)
		drop_early_links(u);
}

/* A site the kernel refused that insn_kernel.h did not foresee fails the whole multi link
 * with ENOTSUPP. Each site is tried in a throwaway one-site link (its cookie names no
 * probe, so a hit meanwhile is ignored); refused ones are left out of a glob and said, or
 * fail a single function. The caller then attaches the rest. */
static int prune_refused(struct probe *p, struct bpf_program *prog, bool is_return, char *err,
			 size_t errlen)
{
	const char *why = "the kernel does not put uprobes on its instruction";
	size_t out = 0;

	for (size_t i = 0; i < p->nsites; i++) {
		uint64_t off = p->sites[i].offset, nobody = (uint64_t)UINT32_MAX << 32;
		int fd = uprobe_multi_attach(bpf_program__fd(prog), p->path, &off, &nobody, 1,
					     is_return, attach_pid(p));

		if (fd >= 0)
			close(fd);
		if (fd != -LT_ENOTSUPP) {
			p->sites[out++] = p->sites[i];
			continue;
		}
		if (!spec_is_glob(p->spec.func)) {
			snprintf(err, errlen, "cannot probe %s in %s: %s", p->sites[i].name, p->path,
				 why);
			return fd;
		}
		fprintf(stderr, "ltrace-ebpf: %s: left out %s: %s\n", p->text, p->sites[i].name,
			why);
		free(p->sites[i].name);
	}
	p->nsites = out;
	if (!out) {
		snprintf(err, errlen, "no site of '%s' can be probed", p->text);
		return -ENOENT;
	}
	return 0;
}

/* One link per site. In a glob, a site the kernel cannot probe is left out and said. */
static int attach_single(struct probe *p, struct bpf_program *prog, bool is_return, char *err,
			 size_t errlen)
{
	size_t ok = 0;

	for (size_t i = 0; i < p->nsites; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = cookie_of(p, i),
			    .retprobe = is_return);
		struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, attach_pid(p),
									 p->path, p->sites[i].offset,
									 &opts);
		int rc = link ? 0 : -errno;

		if (!rc && !(rc = probe_add_link(p, link, -1))) {
			ok++;
			continue;
		}
		if (link && rc)
			bpf_link__destroy(link);
		/* ESRCH: the -p process is gone (Ctrl-C during a slow attach): every other
		 * site would fail alike, so one line, not one per site. */
		if (p->nsites == 1 || !spec_is_glob(p->spec.func) || rc == -ESRCH) {
			snprintf(err, errlen, "cannot attach to %s in %s: %s", p->sites[i].name,
				 p->path, strerror(-rc));
			return rc;
		}
		fprintf(stderr, "ltrace-ebpf: %s: left out %s: %s\n", p->text, p->sites[i].name,
			strerror(-rc));
	}
	if (!ok) {
		snprintf(err, errlen, "no site of '%s' could be attached", p->text);
		return -ENOENT;
	}
	return 0;
}

/* Entry before return, so a call that starts meanwhile is at worst unpaired, never
 * miscounted. uprobe_multi where the kernel has it; one link per site otherwise. */
static int uprobe_attach(struct probe *p, char *err, size_t errlen)
{
	enum tmpl_group g = group_of(p->spec.kind);
	struct bpf_program *multi[2] = {}, *single[2];
	enum tmpl_variant v = tmpl_variant_of(&p->cfg);
	struct uprobe_session *u = uprobe_session(p->s);
	int rc, multi_rc = 0;

	if (!u)
		return -ENOMEM;
	dedupe_sites(p);
	if (g != TMPL_ENTRY)
		unwind_guard_ensure(p->s, false, NULL, 0);
	if (attach_pid(p) > 0) {	/* the kernel filters by pid already */
		p->cfg.flags |= LT_CFG_OWN_PID;
		probe_write_cfg(p);
	}
	if (u->multi_ok && (multi_rc = uprobe_programs(p->s, g, true, v, multi)))
		u->multi_ok = false;		/* the kernel refused the multi attach type */
	if ((rc = take_early_links(u, p, multi)))
		return rc < 0 ? rc : 0;
	for (int i = 0; i < 2; i++) {
		bool is_return = g == TMPL_RETURN || i == 1;

		if (i == 1 && g != TMPL_CALL)
			break;
		rc = -EOPNOTSUPP;
		if (u->multi_ok && multi[i]) {
			rc = attach_multi(p, multi[i], is_return);
			if (rc == -LT_ENOTSUPP && i == 0) {
				int pruned = prune_refused(p, multi[i], is_return, err, errlen);

				if (pruned)
					return pruned;	/* prune_refused said why */
				rc = attach_multi(p, multi[i], is_return);
			}
			if (rc == -EINVAL || rc == -EOPNOTSUPP)
				u->multi_ok = false;
		}
		if (!rc)
			continue;
		if ((rc = uprobe_programs(p->s, g, false, v, single))) {
			/* Out of descriptors in the multi load is the cause: libbpf (1.1) took
			 * its global-data probe's EMFILE there as "no global data" for the whole
			 * process, and this load then ends in EBADF (a .rodata map never made). */
			if (fd_limit_ran_out(multi_rc))
				rc = multi_rc;
			snprintf(err, errlen, "cannot load the uprobe template: %s (-v shows the "
				 "verifier log)", strerror(-rc));
			return rc;
		}
		if ((rc = attach_single(p, single[i], is_return, err, errlen)))
			return rc;
	}
	return 0;
}

const struct provider uprobe_provider = {
	.name = "uprobe",
	.kinds = { &uprobe_kind, &uretprobe_kind, &call_kind },
	.resolve = uprobe_resolve,
	.attach = uprobe_attach,
	.prepare = uprobe_prepare,
	.init = uprobe_init,
	.field = uprobe_field,
	.release = uprobe_plt_release,
	.detach = uprobe_detach,
	.stack_arg = uprobe_stack_arg,
	.stack_origin = uprobe_stack_origin,
};
