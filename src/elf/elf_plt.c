// SPDX-License-Identifier: GPL-2.0
/*
 * PLT stubs and GOT imports of an x86-64 executable, read with libelf. A stub is recognised by
 * what it does, not by where it sits: its first instruction (after an optional endbr64 and bnd
 * prefix) is `jmp *disp32(%rip)`, and the GOT slot that jump reads is relocated against the
 * imported symbol (JUMP_SLOT in .rela.plt, GLOB_DAT in .rela.dyn for .plt.got). This covers
 * lazy .plt, BIND_NOW .plt, CET's .plt.sec (whose .plt entries push and jump to PLT0 instead,
 * so they are skipped) and .plt.got alike, without assuming PLT0's size or the slot order.
 * Symbols whose GLOB_DAT slot no stub uses are what -fno-plt code calls through the GOT.
 */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf_file.h"
#include "elf_plt.h"

#define VERSYM_MAX 256	/* version indexes we map to a library (more are rare) */

struct reloc {
	uint64_t got;		/* r_offset: the GOT slot */
	const char *name;	/* in the ELF's string table: valid while the file is open */
	const char *lib;
	int func;		/* undefined function symbol (for GOT-only imports) */
	int used;		/* a stub jumps through it */
};

struct relocs {
	struct reloc *v;
	size_t n;
	const char *vlib[VERSYM_MAX];	/* version index -> soname */
};

/* Every reader here needs an executable or library whose code is x86-64. */
static int open_elf(const char *path, struct elf_file *ef, char *err, size_t errlen)
{
	/* Read, not mmap: a system-wide uprobe (-f) puts its int3 into every private mapping
	 * of the file that may execute, this process's read-only one included, and the stubs
	 * would then decode as something else. */
	int rc = elf_file_open(ef, path, EF_LOADABLE | EF_NO_MMAP, err, errlen);

	if (rc)
		return rc;
	if (ef->eh.e_machine != EM_X86_64) {
		snprintf(err, errlen,
			 "%s: not an x86-64 file (PLT stubs are decoded for x86-64 only)", path);
		elf_file_close(ef);
		return -ENOTSUP;
	}
	return 0;
}

/* ---- symbol versions: which library a versioned import comes from ---------------------- */

static void read_verneed(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct relocs *r)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0;

	for (size_t i = 0; d && i < sh->sh_info; i++) {
		GElf_Verneed vn;
		size_t aoff;

		if (!gelf_getverneed(d, off, &vn))
			return;
		aoff = off + vn.vn_aux;
		for (size_t j = 0; j < vn.vn_cnt; j++) {
			GElf_Vernaux va;

			if (!gelf_getvernaux(d, aoff, &va))
				return;
			if (va.vna_other < VERSYM_MAX)
				r->vlib[va.vna_other] = elf_strptr(elf, sh->sh_link, vn.vn_file);
			aoff += va.vna_next;
		}
		if (!vn.vn_next)
			return;
		off += vn.vn_next;
	}
}

static const char *lib_of(Elf_Data *versym, size_t symidx, const struct relocs *r)
{
	GElf_Versym v;

	if (!versym || !gelf_getversym(versym, symidx, &v))
		return NULL;
	v &= 0x7fff;	/* the hidden bit */
	return v < VERSYM_MAX ? r->vlib[v] : NULL;
}

/* ---- relocations of GOT slots --------------------------------------------------------- */

static int add_reloc(struct relocs *r, const struct reloc *x)
{
	struct reloc *v = realloc(r->v, (r->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	r->v = v;
	v[r->n++] = *x;
	return 0;
}

/* The JUMP_SLOT and GLOB_DAT relocations of one SHT_RELA section. */
static int read_rela(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, Elf_Data *versym,
		     struct relocs *r)
{
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	Elf_Data *d = elf_getdata(scn, NULL), *syms;
	GElf_Shdr symsh;
	size_t n;

	if (!d || !symscn || !gelf_getshdr(symscn, &symsh) || !(syms = elf_getdata(symscn, NULL)))
		return 0;
	n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	for (size_t i = 0; i < n; i++) {
		struct reloc x = {};
		GElf_Rela rela;
		GElf_Sym sym;
		size_t type, symidx;
		int rc;

		if (!gelf_getrela(d, i, &rela))
			break;
		type = GELF_R_TYPE(rela.r_info);
		symidx = GELF_R_SYM(rela.r_info);
		if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) || !symidx ||
		    !gelf_getsym(syms, symidx, &sym))
			continue;
		x.got = rela.r_offset;
		x.name = elf_strptr(elf, symsh.sh_link, sym.st_name);
		x.lib = lib_of(versym, symidx, r);
		x.func = sym.st_shndx == SHN_UNDEF && GELF_ST_TYPE(sym.st_info) == STT_FUNC;
		if (x.name && *x.name && (rc = add_reloc(r, &x)))
			return rc;
	}
	return 0;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct reloc *x = a, *y = b;

	return x->got < y->got ? -1 : x->got > y->got;
}

static int read_relocs(Elf *elf, struct relocs *r)
{
	Elf_Data *versym = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int rc = 0;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_GNU_versym)
			versym = elf_getdata(scn, NULL);
		else if (sh.sh_type == SHT_GNU_verneed)
			read_verneed(elf, scn, &sh, r);
	}
	while (!rc && (scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELA)
			rc = read_rela(elf, scn, &sh, versym, r);
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), cmp_reloc);
	return rc;
}

static struct reloc *reloc_at(struct relocs *r, uint64_t got)
{
	struct reloc key = { .got = got };

	return r->n ? bsearch(&key, r->v, r->n, sizeof(*r->v), cmp_reloc) : NULL;
}

/* ---- stubs ---------------------------------------------------------------------------- */

/* If the code at p is [endbr64] [bnd] jmp *disp32(%rip), the address of the slot it reads. */
static int stub_target(const unsigned char *p, size_t len, uint64_t addr, uint64_t *got)
{
	static const unsigned char endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	size_t i = 0;
	int32_t disp;

	if (len >= 4 && !memcmp(p, endbr64, 4))
		i = 4;
	if (i < len && p[i] == 0xf2)	/* bnd (MPX) prefix */
		i++;
	if (i + 6 > len || p[i] != 0xff || p[i + 1] != 0x25)
		return 0;
	memcpy(&disp, p + i + 2, 4);
	*got = addr + i + 6 + (int64_t)disp;
	return 1;
}

static int add_import(struct plt_list *out, const struct plt_import *imp)
{
	struct plt_import *v = realloc(out->v, (out->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	out->v = v;
	v[out->n] = *imp;
	v[out->n].name = strdup(imp->name);
	v[out->n].lib = imp->lib ? strdup(imp->lib) : NULL;
	if (!v[out->n].name || (imp->lib && !v[out->n].lib)) {
		free(v[out->n].name);
		free(v[out->n].lib);
		return -ENOMEM;
	}
	out->n++;
	return 0;
}

static int scan_stubs(Elf_Scn *scn, const GElf_Shdr *sh, const char *section, struct relocs *r,
		      struct plt_list *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t step = sh->sh_entsize ? sh->sh_entsize : 16;
	const unsigned char *buf;
	int rc = 0;

	if (!d || !d->d_buf || sh->sh_type != SHT_PROGBITS)
		return 0;
	buf = d->d_buf;
	for (size_t pos = 0; !rc && pos + step <= d->d_size; pos += step) {
		struct plt_import imp = { .kind = PLT_STUB, .section = section };
		struct reloc *x;
		uint64_t got;

		if (!stub_target(buf + pos, step, sh->sh_addr + pos, &got) ||
		    !(x = reloc_at(r, got)))
			continue;
		x->used = 1;
		imp.name = (char *)x->name;
		imp.lib = (char *)x->lib;
		imp.addr = sh->sh_addr + pos;
		imp.offset = sh->sh_offset + pos;
		rc = add_import(out, &imp);
	}
	return rc;
}

static int scan_all_stubs(Elf *elf, struct relocs *r, struct plt_list *out)
{
	static const char *const names[] = { ".plt", ".plt.sec", ".plt.got" };
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;
	int rc = 0;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while (!rc && (scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(name, names[i]))
				rc = scan_stubs(scn, &sh, names[i], r, out);
	}
	return rc;
}

static int stubbed(const struct plt_list *out, const char *name)
{
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i].name, name))
			return 1;
	return 0;
}

/* Undefined functions reached only through their GOT slot. */
static int add_got_imports(struct relocs *r, struct plt_list *out)
{
	int rc = 0;

	for (size_t i = 0; i < r->n && !rc; i++) {
		struct plt_import imp = { .kind = PLT_GOT, .section = ".got" };

		if (r->v[i].used || !r->v[i].func || stubbed(out, r->v[i].name))
			continue;
		imp.name = (char *)r->v[i].name;
		imp.lib = (char *)r->v[i].lib;
		imp.addr = r->v[i].got;
		rc = add_import(out, &imp);
	}
	return rc;
}

int elf_plt_imports(const char *path, struct plt_list *out, char *err, size_t errlen)
{
	struct relocs r = {};
	struct elf_file ef;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = open_elf(path, &ef, err, errlen)))
		return rc;
	rc = read_relocs(ef.elf, &r);
	if (!rc)
		rc = scan_all_stubs(ef.elf, &r, out);
	if (!rc)
		rc = add_got_imports(&r, out);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		elf_plt_list_free(out);
	}
	free(r.v);
	elf_file_close(&ef);
	return rc;
}

void elf_plt_list_free(struct plt_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].name);
		free(list->v[i].lib);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* ---- the executable ------------------------------------------------------------------- */

static void read_dynamic_flags(const struct elf_file *ef, struct elf_exe_info *out)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_file_next(ef, scn, SHT_DYNAMIC, &sh))) {
		Elf_Data *d;
		GElf_Dyn dyn;

		if (!(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++) {
			if (dyn.d_tag == DT_BIND_NOW ||
			    (dyn.d_tag == DT_FLAGS && (dyn.d_un.d_val & DF_BIND_NOW)) ||
			    (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NOW)))
				out->bind_now = 1;
		}
	}
}

int elf_exe_info(const char *path, struct elf_exe_info *out, char *err, size_t errlen)
{
	struct elf_file ef;
	size_t phnum;
	GElf_Phdr ph;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = open_elf(path, &ef, err, errlen)))
		return rc;
	out->pie = ef.eh.e_type == ET_DYN;
	out->entry = ef.eh.e_entry;
	out->code_lo = UINT64_MAX;
	out->load_lo = UINT64_MAX;
	if (elf_getphdrnum(ef.elf, &phnum))
		phnum = 0;
	for (size_t i = 0; i < phnum; i++) {
		uint64_t base;

		if (!gelf_getphdr(ef.elf, i, &ph))
			continue;
		if (ph.p_type == PT_INTERP && ph.p_filesz < sizeof(out->interp) &&
		    pread(ef.fd, out->interp, ph.p_filesz, ph.p_offset) != (ssize_t)ph.p_filesz)
			out->interp[0] = 0;
		if (ph.p_type != PT_LOAD)
			continue;
		base = ph.p_vaddr & ~(uint64_t)(ph.p_align > 1 ? ph.p_align - 1 : 0);
		if (base < out->load_lo)
			out->load_lo = base;
		if (!(ph.p_flags & PF_X))
			continue;
		if (ph.p_vaddr < out->code_lo)
			out->code_lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > out->code_hi)
			out->code_hi = ph.p_vaddr + ph.p_memsz;
	}
	if (out->code_lo == UINT64_MAX)
		out->code_lo = out->load_lo = 0;
	read_dynamic_flags(&ef, out);
	elf_file_close(&ef);
	return 0;
}

/* ---- names in the dynamic section ------------------------------------------------------ */

static int push_name(struct elf_dyn_names *out, const char *name)
{
	char **v = realloc(out->needed, (out->nneeded + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	out->needed = v;
	if (!(v[out->nneeded] = strdup(name)))
		return -ENOMEM;
	out->nneeded++;
	return 0;
}

static int read_dyn_names(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct elf_dyn_names *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Dyn dyn;
	int rc = 0;

	for (size_t i = 0; !rc && d && gelf_getdyn(d, i, &dyn) && dyn.d_tag != DT_NULL; i++) {
		const char *name;

		if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_SONAME)
			continue;
		if (!(name = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val)))
			continue;
		if (dyn.d_tag == DT_NEEDED)
			rc = push_name(out, name);
		else if (!out->soname && !(out->soname = strdup(name)))
			rc = -ENOMEM;
	}
	return rc;
}

int elf_dyn_names(const char *path, struct elf_dyn_names *out, char *err, size_t errlen)
{
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = open_elf(path, &ef, err, errlen)))
		return rc;
	while (!rc && (scn = elf_file_next(&ef, scn, SHT_DYNAMIC, &sh)))
		rc = read_dyn_names(ef.elf, scn, &sh, out);
	elf_file_close(&ef);
	if (rc)
		elf_dyn_names_free(out);
	return rc;
}

void elf_dyn_names_free(struct elf_dyn_names *names)
{
	for (size_t i = 0; i < names->nneeded; i++)
		free(names->needed[i]);
	free(names->needed);
	free(names->soname);
	memset(names, 0, sizeof(*names));
}

/* ---- every function name, aliases included ---------------------------------------------- */

static void each_func(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
		      void (*fn)(const char *name, void *ctx), void *ctx)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	char buf[512];

	for (size_t i = 1; d && i < n; i++) {
		const char *name, *at;
		GElf_Sym sym;
		int type;

		if (!gelf_getsym(d, i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    !(name = elf_strptr(elf, sh->sh_link, sym.st_name)) || !*name)
			continue;
		if ((at = strchr(name, '@'))) {
			snprintf(buf, sizeof(buf), "%.*s", (int)(at - name), name);
			name = buf;
		}
		fn(name, ctx);
	}
}

int elf_func_names(const char *path, void (*fn)(const char *name, void *ctx), void *ctx,
		   char *err, size_t errlen)
{
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int rc;

	if ((rc = open_elf(path, &ef, err, errlen)))
		return rc;
	while ((scn = elf_nextscn(ef.elf, scn)))
		if (gelf_getshdr(scn, &sh) && (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB))
			each_func(ef.elf, scn, &sh, fn, ctx);
	elf_file_close(&ef);
	return 0;
}
