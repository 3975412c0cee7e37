/* User-function probes: uprobe (entry), uretprobe (return) and call (both, paired in
 * kernel). Resolves LIB like the loader and FUNC (or a glob) through the ELF symbol
 * tables, then attaches every site with one uprobe_multi link per program where the
 * kernel has it, one classic link per site where it does not. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "elf_symbols.h"
#include "libpath.h"
#include "probe.h"
#include "session.h"
#include "uprobe.skel.h"
#include "uprobe_multi.h"

static bool uprobe_handles(enum spec_kind kind)
{
	return spec_is_user(kind);
}

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

/* Measured on this project's kernel (6.18, AVX-512 CPU): a uprobe whose first instruction
 * is EVEX-encoded (AVX-512, leading byte 0x62 in 64-bit mode) is single-stepped wrongly and
 * the traced program computes garbage (glibc's __strchrnul_evex broke execvp). Such sites
 * are refused rather than risk the target. */
static bool site_is_evex(const char *path, uint64_t offset)
{
	unsigned char byte = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool evex;

	if (fd < 0)
		return false;
	evex = pread(fd, &byte, 1, offset) == 1 && byte == 0x62;
	close(fd);
	return evex;
}

static int add_site(struct probe *p, const struct elf_func *f, char *err, size_t errlen)
{
	uint64_t off = f->offset + p->spec.offset;

	if (!site_is_evex(p->path, off))
		return probe_add_site(p, f->name, off);
	if (!spec_is_glob(p->spec.func)) {
		snprintf(err, errlen, "%s in %s starts with an AVX-512 (EVEX) instruction, which "
			 "uprobes single-step incorrectly on this kernel: refusing to probe it "
			 "(probe its callers, or a +OFFSET past the first instruction)",
			 f->name, p->path);
		return -EOPNOTSUPP;
	}
	fprintf(stderr, "ltrace-ebpf: %s: left out %s: first instruction is AVX-512 (EVEX), "
		"which uprobes single-step incorrectly\n", p->text, f->name);
	return 0;
}

static int resolve_funcs(struct probe *p, char *err, size_t errlen)
{
	struct elf_func_list list = {};
	size_t skipped = 0;
	int rc = elf_funcs_match(p->path, p->spec.func, &list, &skipped);

	if (rc == -ENOTSUP) {
		snprintf(err, errlen, "%s", elf_last_error());
		return rc;
	}
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

static int uprobe_resolve(struct probe *p, char *err, size_t errlen)
{
	uint64_t off;
	int rc;

	if (libpath_resolve(p->spec.lib, p->s->opts.pid, p->path, sizeof(p->path))) {
		snprintf(err, errlen, "library '%s' not found: %s", p->spec.lib,
			 libpath_last_error());
		return -ENOENT;
	}
	if (!p->spec.is_addr)
		return resolve_funcs(p, err, errlen);
	if ((rc = elf_vaddr_to_offset(p->path, p->spec.offset, &off))) {
		snprintf(err, errlen, "address %s is not in a loaded segment of %s", p->spec.func,
			 p->path);
		return rc;
	}
	return probe_add_site(p, p->spec.func, off);
}

struct prog_pair {
	struct bpf_program *single;
	struct bpf_program *multi;
	bool is_return;
};

/* The programs a kind needs, in attach order (entry before return, so a call that
 * starts meanwhile is at worst unpaired, never miscounted). */
static int programs_for(struct probe *p, struct prog_pair out[2])
{
	struct uprobe_bpf *k = p->s->skel;

	switch (p->spec.kind) {
	case SPEC_UPROBE:
		out[0] = (struct prog_pair){ k->progs.lt_entry, k->progs.lt_entry_multi, false };
		return 1;
	case SPEC_URETPROBE:
		out[0] = (struct prog_pair){ k->progs.lt_return, k->progs.lt_return_multi, true };
		return 1;
	default:
		out[0] = (struct prog_pair){ k->progs.lt_call_entry, k->progs.lt_call_entry_multi,
					     false };
		out[1] = (struct prog_pair){ k->progs.lt_call_return,
					     k->progs.lt_call_return_multi, true };
		return 2;
	}
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

static int attach_multi(struct probe *p, const struct prog_pair *pp)
{
	uint64_t *offsets = calloc(p->nsites, sizeof(*offsets));
	uint64_t *cookies = calloc(p->nsites, sizeof(*cookies));
	int fd = -ENOMEM;

	if (offsets && cookies) {
		for (size_t i = 0; i < p->nsites; i++) {
			offsets[i] = p->sites[i].offset;
			cookies[i] = cookie_of(p, i);
		}
		fd = uprobe_multi_attach(bpf_program__fd(pp->multi), p->path, offsets, cookies,
					 p->nsites, pp->is_return, attach_pid(p));
	}
	free(offsets);
	free(cookies);
	if (fd < 0)
		return fd;
	return probe_add_link(p, NULL, fd);
}

/* One link per site. In a glob, a site the kernel cannot probe is left out and said. */
static int attach_single(struct probe *p, const struct prog_pair *pp, char *err, size_t errlen)
{
	size_t ok = 0;

	for (size_t i = 0; i < p->nsites; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = cookie_of(p, i),
			    .retprobe = pp->is_return);
		struct bpf_link *link = bpf_program__attach_uprobe_opts(pp->single, attach_pid(p),
									 p->path, p->sites[i].offset,
									 &opts);
		int rc = link ? 0 : -errno;

		if (!rc && !(rc = probe_add_link(p, link, -1))) {
			ok++;
			continue;
		}
		if (link && rc)
			bpf_link__destroy(link);
		if (p->nsites == 1 || !spec_is_glob(p->spec.func)) {
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

static int uprobe_attach(struct probe *p, char *err, size_t errlen)
{
	struct prog_pair progs[2];
	int n = programs_for(p, progs), rc;

	dedupe_sites(p);
	for (int i = 0; i < n; i++) {
		rc = -EOPNOTSUPP;
		if (p->s->multi_ok) {
			rc = attach_multi(p, &progs[i]);
			if (rc && rc != -ENOMEM && i == 0)
				p->s->multi_ok = rc != -EINVAL && rc != -EOPNOTSUPP;
		}
		if (rc && (rc = attach_single(p, &progs[i], err, errlen)))
			return rc;
	}
	return 0;
}

const struct provider uprobe_provider = {
	.name = "uprobe",
	.handles = uprobe_handles,
	.resolve = uprobe_resolve,
	.attach = uprobe_attach,
};
