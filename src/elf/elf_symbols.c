// SPDX-License-Identifier: GPL-2.0
/*
 * Function symbols of an ELF file on disk, for uprobes. This file owns reading .symtab/.dynsym
 * through libelf, choosing one name per address among aliases, the vaddr <-> file offset
 * mapping through PT_LOAD segments, and resolving IFUNCs to the implementation the dynamic
 * loader picks on this CPU. The resolver decides at run time (cpu features), so the only
 * faithful answer is to ask the loader of this process through dlsym(); a file that is not
 * loaded here cannot be resolved, and saying so beats probing the resolver, which runs once
 * per process and never again.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_file.h"
#include "elf_symbols.h"

/* A symbol that matched, before aliases are folded and IFUNCs resolved. */
struct elf_cand {
	char *name;
	uint64_t addr;
	uint64_t size;
	unsigned char bind;
	unsigned char type;
	int ifunc_resolved;
};

struct cand_vec {
	struct elf_cand *v;
	size_t n;
	size_t cap;
};

/*
 * What the loader of this process knows about the file: where it is mapped and a handle that
 * keeps it mapped while dlsym() runs resolvers.
 */
struct ifunc_ctx {
	dev_t dev;
	ino_t ino;
	int found;
	int is_main;
	uintptr_t base;
	const ElfW(Phdr) *phdr;
	ElfW(Half) phnum;
	void *handle;
};

/*
 * Only the file-backed part of a segment (p_filesz) has offsets; .bss has none. Both directions
 * walk the same segments, so one helper serves both with `to_offset` choosing the direction.
 */
/* in, through the PT_LOAD segment holding it that has every flag of need (PF_X: code). */
static int elf_file_translate(Elf *elf, uint64_t in, int to_offset, uint32_t need,
			      uint64_t *out)
{
	size_t i, phnum;
	GElf_Phdr ph;
	uint64_t from;

	if (elf_getphdrnum(elf, &phnum))
		return -ENOEXEC;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD || (ph.p_flags & need) != need)
			continue;
		from = to_offset ? ph.p_vaddr : ph.p_offset;
		if (in < from || in - from >= ph.p_filesz)
			continue;
		*out = in - from + (to_offset ? ph.p_offset : ph.p_vaddr);
		return 0;
	}
	return -ERANGE;
}

static int elf_translate_path(const char *path, uint64_t in, int to_offset, uint32_t need,
			      uint64_t *out, char *errbuf, size_t errlen)
{
	struct elf_file ef;
	int err;

	err = elf_file_open(&ef, path, EF_LOADABLE, errbuf, errlen);
	if (err)
		return err;
	err = elf_file_translate(ef.elf, in, to_offset, need, out);
	if (err == -ERANGE)
		snprintf(errbuf, errlen, "%s: %s 0x%llx is in no loadable %ssegment", path,
			 to_offset ? "address" : "file offset", (unsigned long long)in,
			 need & PF_X ? "executable " : "");
	elf_file_close(&ef);
	return err;
}

int elf_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *offset, char *err,
			size_t errlen)
{
	return elf_translate_path(path, vaddr, 1, 0, offset, err, errlen);
}

int elf_code_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *offset, char *err,
			     size_t errlen)
{
	return elf_translate_path(path, vaddr, 1, PF_X, offset, err, errlen);
}

int elf_offset_to_vaddr(const char *path, uint64_t offset, uint64_t *vaddr, char *err,
			size_t errlen)
{
	return elf_translate_path(path, offset, 0, 0, vaddr, err, errlen);
}

/* ---- symbols --------------------------------------------------------------------------- */

static int sym_is_func(const GElf_Sym *sym)
{
	int type = GELF_ST_TYPE(sym->st_info);

	if (type != STT_FUNC && type != STT_GNU_IFUNC)
		return 0;
	return sym->st_shndx != SHN_UNDEF && sym->st_value != 0;
}

static int elf_scn_each_func(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
			     int (*fn)(const GElf_Sym *sym, const char *name, void *arg), void *arg)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	const char *name;
	GElf_Sym sym;
	int err;

	for (i = 0; data && i < n; i++) {
		if (!gelf_getsym(data, i, &sym) || !sym_is_func(&sym))
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		err = fn(&sym, name, arg);
		if (err)
			return err;
	}
	return 0;
}

/* Calls fn for every defined function symbol of both tables; a nonzero return stops the walk. */
static int elf_file_each_func(struct elf_file *ef,
			      int (*fn)(const GElf_Sym *sym, const char *name, void *arg), void *arg)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int err;

	while ((scn = elf_nextscn(ef->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return -ENOEXEC;
		if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM)
			continue;
		err = elf_scn_each_func(ef->elf, scn, &sh, fn, arg);
		if (err)
			return err;
	}
	return 0;
}

struct size_query {
	uint64_t addr;
	uint64_t size;
};

static int size_at_cb(const GElf_Sym *sym, const char *name, void *arg)
{
	struct size_query *q = arg;

	(void)name;
	if (sym->st_value != q->addr || GELF_ST_TYPE(sym->st_info) != STT_FUNC)
		return 0;
	q->size = sym->st_size;
	return 1;
}

/* Size of the function symbol starting at addr, 0 when the file does not name it (stripped). */
static uint64_t elf_file_size_at(struct elf_file *ef, uint64_t addr)
{
	struct size_query q = { .addr = addr };

	elf_file_each_func(ef, size_at_cb, &q);
	return q.size;
}

struct each_func_arg {
	int (*fn)(const char *name, uint64_t addr, uint64_t size, void *ctx);
	void *ctx;
};

static int each_func_cb(const GElf_Sym *sym, const char *name, void *arg)
{
	struct each_func_arg *a = arg;

	return a->fn(name, sym->st_value, sym->st_size, a->ctx);
}

int elf_each_func(const char *path,
		  int (*fn)(const char *name, uint64_t addr, uint64_t size, void *ctx), void *ctx,
		  char *errbuf, size_t errlen)
{
	struct each_func_arg a = { fn, ctx };
	struct elf_file ef;
	int err = elf_file_open(&ef, path, EF_LOADABLE, errbuf, errlen);

	if (err)
		return err;
	err = elf_file_each_func(&ef, each_func_cb, &a);
	elf_file_close(&ef);
	return err < 0 ? err : 0;
}

/* ---- candidates ------------------------------------------------------------------------ */

static int cands_push(struct cand_vec *cv, const struct elf_cand *c)
{
	struct elf_cand *v;
	size_t cap;

	if (cv->n == cv->cap) {
		cap = cv->cap ? cv->cap * 2 : 64;
		v = reallocarray(cv->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		cv->v = v;
		cv->cap = cap;
	}
	cv->v[cv->n++] = *c;
	return 0;
}

static void cands_free(struct cand_vec *cv)
{
	size_t i;

	for (i = 0; i < cv->n; i++)
		free(cv->v[i].name);
	free(cv->v);
	cv->v = NULL;
	cv->n = cv->cap = 0;
}

struct collect_arg {
	const char *pattern;
	struct cand_vec *cv;
};

static int collect_cb(const GElf_Sym *sym, const char *name, void *arg)
{
	struct collect_arg *ca = arg;
	struct elf_cand c = {
		.addr = sym->st_value,
		.size = sym->st_size,
		.bind = GELF_ST_BIND(sym->st_info),
		.type = GELF_ST_TYPE(sym->st_info),
	};
	int err;

	/* .symtab spells versions into names ("memcpy@@GLIBC_2.14"); users never type them. */
	c.name = strndup(name, strcspn(name, "@"));
	if (!c.name)
		return -ENOMEM;
	if (fnmatch(ca->pattern, c.name, 0)) {
		free(c.name);
		return 0;
	}
	err = cands_push(ca->cv, &c);
	if (err)
		free(c.name);
	return err;
}

static int bind_rank(unsigned char bind)
{
	switch (bind) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

static size_t leading_underscores(const char *s)
{
	return strspn(s, "_");
}

/*
 * Negative when a names the address better than b. An IFUNC outranks everything: a plain
 * FUNC sharing its address is its resolver, which must never stand in for the IFUNC.
 */
static int cand_prefer(const struct elf_cand *a, const struct elf_cand *b, const char *pattern)
{
	int d;

	d = (b->type == STT_GNU_IFUNC) - (a->type == STT_GNU_IFUNC);
	if (!d)
		d = !strcmp(b->name, pattern) - !strcmp(a->name, pattern);
	if (!d)
		d = bind_rank(a->bind) - bind_rank(b->bind);
	if (!d)
		d = (leading_underscores(a->name) > 0) - (leading_underscores(b->name) > 0);
	if (!d)
		d = (strlen(a->name) > strlen(b->name)) - (strlen(a->name) < strlen(b->name));
	return d ? d : strcmp(a->name, b->name);
}

static int cand_cmp_addr(const void *pa, const void *pb)
{
	const struct elf_cand *a = pa, *b = pb;

	return (a->addr > b->addr) - (a->addr < b->addr);
}

static int cand_cmp_name(const void *pa, const void *pb)
{
	const struct elf_cand *a = pa, *b = pb;
	int d = strcmp(a->name, b->name);

	return d ? d : cand_cmp_addr(pa, pb);
}

/* Keeps one candidate per address, the best named; the others' names are freed. */
static void cands_fold(struct cand_vec *cv, const char *pattern)
{
	struct elf_cand *keep, *c;
	size_t i, n = 0;

	if (!cv->n)
		return;
	qsort(cv->v, cv->n, sizeof(*cv->v), cand_cmp_addr);
	for (i = 0; i < cv->n; i++) {
		c = &cv->v[i];
		keep = n ? &cv->v[n - 1] : NULL;
		if (!keep || keep->addr != c->addr) {
			cv->v[n++] = *c;
			continue;
		}
		if (cand_prefer(c, keep, pattern) < 0) {
			if (!c->size)
				c->size = keep->size;
			free(keep->name);
			*keep = *c;
		} else {
			if (!keep->size)
				keep->size = c->size;
			free(c->name);
		}
	}
	cv->n = n;
}

/* ---- IFUNC resolution through this process's loader ------------------------------------ */

static int loaded_match_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct ifunc_ctx *ctx = data;
	/* The main program is the object without a name; its file is /proc/self/exe. */
	int is_main = !info->dlpi_name || !info->dlpi_name[0];
	struct stat st;

	(void)size;
	if (stat(is_main ? "/proc/self/exe" : info->dlpi_name, &st))
		return 0;
	if (st.st_dev != ctx->dev || st.st_ino != ctx->ino)
		return 0;
	ctx->found = 1;
	ctx->is_main = is_main;
	ctx->base = info->dlpi_addr;
	ctx->phdr = info->dlpi_phdr;
	ctx->phnum = info->dlpi_phnum;
	return 1;
}

/*
 * Returns 0 with a handle when `path` is loaded here, -ESRCH (handle NULL) when it is not.
 * The main program cannot be dlopen()ed by path (its link map has no file id), so it gets the
 * global handle.
 */
static int ifunc_ctx_open(const char *path, struct ifunc_ctx *ctx)
{
	char real[PATH_MAX];
	struct stat st;

	memset(ctx, 0, sizeof(*ctx));
	if (stat(path, &st) || !realpath(path, real))
		return -errno;
	ctx->dev = st.st_dev;
	ctx->ino = st.st_ino;
	dl_iterate_phdr(loaded_match_cb, ctx);
	if (!ctx->found)
		return -ESRCH;
	/* NOLOAD finds the loaded object by name or by st_dev/st_ino, never maps a second copy. */
	ctx->handle = ctx->is_main ? dlopen(NULL, RTLD_NOW) : dlopen(real, RTLD_NOW | RTLD_NOLOAD);
	return ctx->handle ? 0 : -ESRCH;
}

static void ifunc_ctx_close(struct ifunc_ctx *ctx)
{
	if (ctx->handle)
		dlclose(ctx->handle);
	ctx->handle = NULL;
}

static int ifunc_ctx_contains(const struct ifunc_ctx *ctx, uintptr_t addr)
{
	const ElfW(Phdr) *ph;
	ElfW(Half) i;

	for (i = 0; i < ctx->phnum; i++) {
		ph = &ctx->phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (addr >= ctx->base + ph->p_vaddr && addr - ctx->base - ph->p_vaddr < ph->p_memsz)
			return 1;
	}
	return 0;
}

/*
 * dlsym() on an IFUNC runs its resolver and returns what the loader would bind calls to. The
 * symbol must come from this very object: a handle's scope also covers its dependencies.
 */
static int ifunc_resolve(const struct ifunc_ctx *ctx, struct elf_file *ef, const char *path,
			 struct elf_cand *c, char *err, size_t errlen)
{
	const char *why;
	uint64_t vaddr;
	Dl_info info;
	void *impl;

	if (!ctx->handle) {
		snprintf(err, errlen,
			 "%s: is an IFUNC and %s is not loaded in this process, so the "
			 "implementation the loader picks on this CPU is unknown; trace one of its "
			 "implementations by name instead", c->name, path);
		return -ENOTSUP;
	}
	dlerror();
	impl = dlsym(ctx->handle, c->name);
	if (!impl) {
		why = dlerror();
		snprintf(err, errlen, "%s: cannot resolve IFUNC in %s: %s", c->name, path,
			 why ? why : "dlsym returned NULL");
		return -ENOTSUP;
	}
	/* time() and gettimeofday() resolve into the vDSO, which no uprobe can reach. */
	if (!ifunc_ctx_contains(ctx, (uintptr_t)impl)) {
		snprintf(err, errlen, "%s: IFUNC in %s resolves outside it, into %s", c->name, path,
			 dladdr(impl, &info) && info.dli_fname ? info.dli_fname : "unknown code");
		return -ENOTSUP;
	}
	vaddr = (uintptr_t)impl - ctx->base;
	if (vaddr == c->addr) {
		snprintf(err, errlen, "%s: dlsym returned the IFUNC resolver itself in %s", c->name,
			 path);
		return -ENOTSUP;
	}
	c->addr = vaddr;
	c->size = elf_file_size_at(ef, vaddr);
	c->type = STT_FUNC;
	c->ifunc_resolved = 1;
	return 0;
}

static int cands_have_ifunc(const struct cand_vec *cv)
{
	size_t i;

	for (i = 0; i < cv->n; i++)
		if (cv->v[i].type == STT_GNU_IFUNC)
			return 1;
	return 0;
}

static int pattern_is_glob(const char *pattern)
{
	return strpbrk(pattern, "*?[\\") != NULL;
}

/*
 * Replaces every IFUNC candidate by its implementation. An exact pattern names one function
 * and must not silently become nothing, so it fails; a glob drops what it cannot resolve.
 */
static int cands_resolve_ifuncs(const char *path, struct elf_file *ef, struct cand_vec *cv,
				const char *pattern, size_t *skipped, char *errbuf, size_t errlen)
{
	struct ifunc_ctx ctx;
	struct elf_cand *c;
	size_t i, n = 0;
	int err = 0;

	ifunc_ctx_open(path, &ctx);
	for (i = 0; i < cv->n; i++) {
		c = &cv->v[i];
		if (c->type != STT_GNU_IFUNC || !ifunc_resolve(&ctx, ef, path, c, errbuf, errlen))
			continue;
		if (!pattern_is_glob(pattern)) {
			err = -ENOTSUP;
			break;
		}
		free(c->name);
		c->name = NULL;
		if (skipped)
			(*skipped)++;
	}
	ifunc_ctx_close(&ctx);
	if (err)
		return err;
	for (i = 0; i < cv->n; i++)
		if (cv->v[i].name)
			cv->v[n++] = cv->v[i];
	cv->n = n;
	return 0;
}

/* ---- the public entry ----------------------------------------------------------------- */

/* Moves the candidates into the caller's list, sorted by name, each with its file offset. */
static int cands_to_list(struct elf_file *ef, struct cand_vec *cv, struct elf_func_list *out)
{
	struct elf_func *f;
	size_t i;

	if (!cv->n)
		return 0;
	qsort(cv->v, cv->n, sizeof(*cv->v), cand_cmp_name);
	out->v = calloc(cv->n, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i < cv->n; i++) {
		f = &out->v[out->n];
		/* A symbol outside every segment cannot be probed; leave it out. */
		if (elf_file_translate(ef->elf, cv->v[i].addr, 1, 0, &f->offset))
			continue;
		f->name = cv->v[i].name;
		cv->v[i].name = NULL;
		f->addr = cv->v[i].addr;
		f->size = cv->v[i].size;
		f->ifunc_resolved = cv->v[i].ifunc_resolved;
		out->n++;
	}
	return 0;
}

/* Symbols come from `syms`; segments and the loader's identity of the file from `bin`. */
static int funcs_match(const char *path, struct elf_file *bin, struct elf_file *syms,
		       const char *pattern, struct elf_func_list *out, size_t *skipped,
		       char *errbuf, size_t errlen)
{
	struct cand_vec cv = { 0 };
	struct collect_arg ca = { .pattern = pattern, .cv = &cv };
	int err;

	err = elf_file_each_func(syms, collect_cb, &ca);
	if (err)
		goto cleanup;
	cands_fold(&cv, pattern);
	if (cands_have_ifunc(&cv))
		err = cands_resolve_ifuncs(path, syms, &cv, pattern, skipped, errbuf, errlen);
	if (err)
		goto cleanup;
	/* An implementation the pattern also matched now shares an address with its IFUNC. */
	cands_fold(&cv, pattern);
	err = cands_to_list(bin, &cv, out);
cleanup:
	cands_free(&cv);
	return err;
}

int elf_funcs_match_in(const char *path, const char *symfile, const char *pattern,
		       struct elf_func_list *out, size_t *skipped_ifunc, char *errbuf,
		       size_t errlen)
{
	struct elf_file bin, dbg, *syms = &bin;
	int err;

	if (!path || !symfile || !pattern || !out)
		return -EINVAL;
	out->v = NULL;
	out->n = 0;
	if (skipped_ifunc)
		*skipped_ifunc = 0;
	err = elf_file_open(&bin, path, EF_LOADABLE, errbuf, errlen);
	if (err)
		return err;
	if (strcmp(symfile, path)) {
		syms = &dbg;
		err = elf_file_open(&dbg, symfile, EF_LOADABLE, errbuf, errlen);
		if (err)
			goto close_bin;
	}
	err = funcs_match(path, &bin, syms, pattern, out, skipped_ifunc, errbuf, errlen);
	if (err == -ENOMEM)
		snprintf(errbuf, errlen, "%s: out of memory", path);
	if (err)
		elf_func_list_free(out);
	if (syms != &bin)
		elf_file_close(&dbg);
close_bin:
	elf_file_close(&bin);
	return err;
}

int elf_funcs_match(const char *path, const char *pattern, struct elf_func_list *out,
		    size_t *skipped_ifunc, char *err, size_t errlen)
{
	return elf_funcs_match_in(path, path, pattern, out, skipped_ifunc, err, errlen);
}

void elf_func_list_free(struct elf_func_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++)
		free(list->v[i].name);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* ---- separate debug files ---------------------------------------------------------------- */

static int build_id_from_scn(Elf_Scn *scn, const unsigned char **id, size_t *len)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((char *)data->d_buf + name_off, "GNU", 4) || !nh.n_descsz)
			continue;
		*id = (const unsigned char *)data->d_buf + desc_off;
		*len = nh.n_descsz;
		return 0;
	}
	return -ENODATA;
}

static int elf_file_build_id(struct elf_file *ef, const unsigned char **id, size_t *len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_file_next(ef, scn, SHT_NOTE, &sh)))
		if (!build_id_from_scn(scn, id, len))
			return 0;
	return -ENODATA;
}

/* /usr/lib/debug/.build-id/<first byte>/<remaining bytes>.debug, as gdb and debuginfod use. */
static int build_id_path(const unsigned char *id, size_t len, char *out, size_t outlen)
{
	size_t i, pos;
	int n;

	n = snprintf(out, outlen, "/usr/lib/debug/.build-id/%02x/", id[0]);
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	pos = n;
	for (i = 1; i < len; i++, pos += 2) {
		if (pos + 3 > outlen)
			return -ENAMETOOLONG;
		snprintf(out + pos, 3, "%02x", id[i]);
	}
	if (pos + sizeof(".debug") > outlen)
		return -ENAMETOOLONG;
	memcpy(out + pos, ".debug", sizeof(".debug"));
	return 0;
}

int elf_debug_file(const char *path, char *out, size_t outlen, char *errbuf, size_t errlen)
{
	const unsigned char *id;
	struct elf_file ef;
	size_t len;
	int err;

	err = elf_file_open(&ef, path, EF_LOADABLE, errbuf, errlen);
	if (err)
		return err;
	err = elf_file_build_id(&ef, &id, &len);
	if (err)
		snprintf(errbuf, errlen, "%s: no GNU build-id note", path);
	else
		err = build_id_path(id, len, out, outlen);
	elf_file_close(&ef);
	if (!err && access(out, R_OK)) {
		snprintf(errbuf, errlen, "%s: no debug file installed (%s)", path, out);
		err = -ENOENT;
	}
	return err;
}
