// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of elf_symbols.c: globs, alias folding, local symbols and vaddr <-> offset on the
 * fixtures (cross-checked against nm and readelf, tools independent of our code), IFUNCs on the
 * fixture library before and after it is loaded, and IFUNCs of the real libc. The fixture
 * library must not be loaded before test_fixture_ifunc_loaded(): the order of main() matters.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_symbols.h"
#include "libpath.h"

#include "unit.h"

static char lib_path[PATH_MAX], pie_path[PATH_MAX], nopie_path[PATH_MAX];

static void fixture(char *out, const char *name)
{
	const char *dir = getenv("FIXTURE_DIR");

	snprintf(out, PATH_MAX, "%s/%s", dir ? dir : "tests/fixtures", name);
}

/* ---- independent answers from binutils ------------------------------------------------- */

/* st_value of `sym` as `nm <opts>` prints it, versions ("@@GLIBC_2.2.5") ignored. */
static uint64_t nm_addr_opts(const char *path, const char *sym, const char *opts)
{
	char cmd[PATH_MAX + 64], name[256], type;
	uint64_t addr = 0, a;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm %s --defined-only '%s' 2>/dev/null", opts, path);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fscanf(p, "%" SCNx64 " %c %255s", &a, &type, name) == 3) {
		name[strcspn(name, "@")] = '\0';
		if (!strcmp(name, sym))
			addr = a;
	}
	pclose(p);
	return addr;
}

/* From .symtab (local symbols too), else from .dynsym for stripped files. */
static uint64_t nm_addr(const char *path, const char *sym)
{
	uint64_t addr = nm_addr_opts(path, sym, "");

	return addr ? addr : nm_addr_opts(path, sym, "-D");
}

/* The PT_LOAD math from `readelf -lW`: offset = vaddr - p_vaddr + p_offset. */
static int readelf_offset(const char *path, uint64_t vaddr, uint64_t *off)
{
	char cmd[PATH_MAX + 64], line[512];
	uint64_t o, v, pa, fsz;
	int found = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -lW '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, " LOAD 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64, &o,
			   &v, &pa, &fsz) != 4)
			continue;
		if (vaddr >= v && vaddr < v + fsz && !found) {
			*off = vaddr - v + o;
			found = 1;
		}
	}
	pclose(p);
	return found ? 0 : -1;
}

static const struct elf_func *find(const struct elf_func_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

/* Every entry's address is nm's and its offset readelf's; the offset maps back to the address. */
static void check_against_binutils(const char *path, const struct elf_func_list *l)
{
	uint64_t off, vaddr;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!l->v[i].ifunc_resolved)
			CHECK(nm_addr(path, l->v[i].name) == l->v[i].addr);
		CHECK(readelf_offset(path, l->v[i].addr, &off) == 0);
		CHECK(off == l->v[i].offset);
		CHECK(elf_vaddr_to_offset(path, l->v[i].addr, &off, NULL, 0) == 0 &&
		      off == l->v[i].offset);
		CHECK(elf_offset_to_vaddr(path, l->v[i].offset, &vaddr, NULL, 0) == 0 &&
		      vaddr == l->v[i].addr);
	}
}

/* ---- the fixture library --------------------------------------------------------------- */

static void test_fixture_glob(void)
{
	static const char *const want[] = {
		"elffix_add",	 "elffix_ifunc_fast", "elffix_ifunc_generic",
		"elffix_local",	 "elffix_mul",	      "elffix_sub",
		"elffix_target", "elffix_uses_local", "elffix_verbose_name",
	};
	struct elf_func_list l;
	size_t i, skipped = 99;

	/* Not loaded: the glob skips the IFUNC (and its resolver) and counts it. */
	CHECK(elf_funcs_match(lib_path, "elffix_*", &l, &skipped, NULL, 0) == 0);
	CHECK(skipped == 1);
	CHECK(l.n == sizeof(want) / sizeof(want[0]));
	for (i = 0; i < l.n && i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK(!strcmp(l.v[i].name, want[i]));
		CHECK(!l.v[i].ifunc_resolved);
	}
	check_against_binutils(lib_path, &l);
	elf_func_list_free(&l);
}

/* Expects `pattern` to fold to the single entry `name`, at the address of `at`. */
static void check_fold(const char *pattern, const char *name, const char *at)
{
	struct elf_func_list l;

	CHECK(elf_funcs_match(lib_path, pattern, &l, NULL, NULL, 0) == 0);
	CHECK(l.n == 1);
	if (l.n == 1) {
		CHECK(!strcmp(l.v[0].name, name));
		CHECK(l.v[0].addr == nm_addr(lib_path, at));
	}
	elf_func_list_free(&l);
}

static void test_alias_folding(void)
{
	check_fold("elffix_target", "elffix_target", "elffix_target");
	check_fold("elffix_weak_alias", "elffix_weak_alias", "elffix_target");
	/* GLOBAL over WEAK. */
	check_fold("elffix_*_alias", "elffix_strong_alias", "elffix_target");
	/* Shorter among equals. */
	check_fold("elffix_[ts][at]*", "elffix_target", "elffix_target");
	/* The leading-underscore name loses. */
	check_fold("*elffix_t*", "elffix_target", "elffix_target");
	/* No leading underscores beats shorter. */
	check_fold("*elffix_v*", "elffix_verbose_name", "elffix_verbose_name");
}

static void test_local_symbol(void)
{
	struct elf_func_list l;

	/* Only .symtab has it; FUNC+0 is st_value itself. */
	CHECK(elf_funcs_match(lib_path, "elffix_local", &l, NULL, NULL, 0) == 0);
	CHECK(l.n == 1);
	if (l.n == 1) {
		CHECK(l.v[0].addr == nm_addr(lib_path, "elffix_local"));
		CHECK(l.v[0].size > 0);
	}
	check_against_binutils(lib_path, &l);
	elf_func_list_free(&l);
}

static void test_errors(void)
{
	char tmp[] = "/tmp/test_elf_symbols.XXXXXX";
	struct elf_func_list l;
	uint64_t off;
	int fd;

	CHECK(elf_funcs_match(lib_path, "nothing_matches_*", &l, NULL, NULL, 0) == 0);
	CHECK(l.n == 0);
	elf_func_list_free(&l);
	CHECK(elf_funcs_match("/nonexistent/libx.so", "*", &l, NULL, NULL, 0) == -ENOENT);
	CHECK(l.n == 0 && l.v == NULL);
	fd = mkstemp(tmp);
	CHECK(fd >= 0);
	CHECK(write(fd, "not an ELF file\n", 16) == 16);
	close(fd);
	CHECK(elf_funcs_match(tmp, "*", &l, NULL, NULL, 0) == -ENOEXEC);
	unlink(tmp);
	CHECK(elf_vaddr_to_offset(lib_path, UINT64_C(0x7fffffff0000), &off, NULL, 0) == -ERANGE);
	CHECK(elf_offset_to_vaddr(lib_path, UINT64_C(0x7fffffff0000), &off, NULL, 0) == -ERANGE);
}

static void test_program(const char *path, int pie)
{
	struct elf_func_list l;

	CHECK(elf_funcs_match(path, "elffix_prog_*", &l, NULL, NULL, 0) == 0);
	CHECK(l.n == 2);
	if (l.n == 2) {
		CHECK(!strcmp(l.v[0].name, "elffix_prog_local"));
		CHECK(!strcmp(l.v[1].name, "elffix_prog_work"));
		/* Non-PIE links at 0x400000, so vaddr and offset differ by the segment base. */
		CHECK(pie ? l.v[1].addr < 0x400000 : l.v[1].addr > 0x400000);
		CHECK(pie || l.v[1].offset < l.v[1].addr);
	}
	check_against_binutils(path, &l);
	elf_func_list_free(&l);
	CHECK(elf_funcs_match(path, "main", &l, NULL, NULL, 0) == 0 && l.n == 1);
	check_against_binutils(path, &l);
	elf_func_list_free(&l);
}

static void test_fixture_ifunc_unloaded(void)
{
	struct elf_func_list l;
	char err[512] = "";

	CHECK(elf_funcs_match(lib_path, "elffix_ifunc", &l, NULL, err, sizeof(err)) == -ENOTSUP);
	CHECK(strstr(err, "elffix_ifunc") != NULL);
	CHECK(l.n == 0);
}

static void test_fixture_ifunc_loaded(void)
{
	struct elf_func_list l;
	size_t skipped = 99;
	void *h;

	h = dlopen(lib_path, RTLD_NOW);
	CHECK(h != NULL);
	CHECK(elf_funcs_match(lib_path, "elffix_ifunc", &l, NULL, NULL, 0) == 0);
	CHECK(l.n == 1);
	if (l.n == 1) {
		CHECK(l.v[0].ifunc_resolved == 1);
		CHECK(!strcmp(l.v[0].name, "elffix_ifunc"));
		CHECK(l.v[0].addr == nm_addr(lib_path, "elffix_ifunc_fast"));
		CHECK(l.v[0].addr != nm_addr(lib_path, "elffix_ifunc"));
		CHECK(l.v[0].size > 0);
	}
	check_against_binutils(lib_path, &l);
	elf_func_list_free(&l);
	/* The picked implementation folds into the IFUNC's name; the resolver is gone. */
	CHECK(elf_funcs_match(lib_path, "elffix_ifunc*", &l, &skipped, NULL, 0) == 0);
	CHECK(skipped == 0 && l.n == 2);
	if (l.n == 2) {
		CHECK(!strcmp(l.v[0].name, "elffix_ifunc") && l.v[0].ifunc_resolved);
		CHECK(!strcmp(l.v[1].name, "elffix_ifunc_generic"));
	}
	elf_func_list_free(&l);
	if (h)
		dlclose(h);
}

/* ---- the real libc ------------------------------------------------------------------------ */

/* The resolvers: st_value of every IFUNC in .dynsym, read without our code. */
static size_t dynsym_ifuncs(const char *path, uint64_t *v, size_t max)
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Sym sym;
	size_t i, n = 0;
	Elf *elf;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && (scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM)
			continue;
		data = elf_getdata(scn, NULL);
		for (i = 0; i < sh.sh_size / sh.sh_entsize && n < max; i++)
			if (gelf_getsym(data, i, &sym) && GELF_ST_TYPE(sym.st_info) == STT_GNU_IFUNC)
				v[n++] = sym.st_value;
	}
	elf_end(elf);
	close(fd);
	return n;
}

static int loaded_libc_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *base = strrchr(info->dlpi_name, '/');

	(void)size;
	if (!base || strncmp(base + 1, "libc.so", 7))
		return 0;
	*(uintptr_t *)data = info->dlpi_addr;
	return 1;
}

/*
 * What the loader binds "strlen" to, as a libc vaddr. Under ASan RTLD_DEFAULT finds the
 * sanitizer's interceptor, so fall back to libc's own handle when dladdr says it is not libc.
 */
static uint64_t loader_strlen_vaddr(const char *libc)
{
	uintptr_t base = 0;
	char real[PATH_MAX];
	void *h, *addr;
	Dl_info info;

	dl_iterate_phdr(loaded_libc_cb, &base);
	addr = dlsym(RTLD_DEFAULT, "strlen");
	if (!dladdr(addr, &info) || !realpath(info.dli_fname, real) || strcmp(real, libc)) {
		h = dlopen(libc, RTLD_NOW | RTLD_NOLOAD);
		addr = h ? dlsym(h, "strlen") : NULL;
		if (h)
			dlclose(h);
	}
	return addr ? (uintptr_t)addr - base : 0;
}

/* With libc6-dbg installed, the implementation must lie inside one of __strlen_*. */
static void check_inside_strlen_impl(const char *libc, uint64_t addr)
{
	char dbg[PATH_MAX], err[512] = "";
	struct elf_func_list l;
	size_t i, inside = 0;

	if (elf_debug_file(libc, dbg, sizeof(dbg), err, sizeof(err))) {
		printf("note: %s; skipping the __strlen_* containment check\n", err);
		return;
	}
	CHECK(elf_funcs_match_in(libc, dbg, "__strlen_*", &l, NULL, NULL, 0) == 0);
	CHECK(l.n > 1);
	for (i = 0; i < l.n; i++)
		if (addr >= l.v[i].addr && addr < l.v[i].addr + l.v[i].size)
			inside++;
	CHECK(inside == 1);
	elf_func_list_free(&l);
}

static void test_libc_strlen(const char *libc)
{
	uint64_t resolver = nm_addr(libc, "strlen");
	struct elf_func_list l;

	CHECK(resolver != 0);
	CHECK(elf_funcs_match(libc, "strlen", &l, NULL, NULL, 0) == 0);
	CHECK(l.n == 1);
	if (l.n == 1) {
		CHECK(!strcmp(l.v[0].name, "strlen"));
		CHECK(l.v[0].ifunc_resolved == 1);
		CHECK(l.v[0].addr != resolver);
		CHECK(l.v[0].addr == loader_strlen_vaddr(libc));
		check_inside_strlen_impl(libc, l.v[0].addr);
	}
	check_against_binutils(libc, &l);
	elf_func_list_free(&l);
}

static void test_libc_glob(const char *libc)
{
	uint64_t resolvers[512];
	size_t i, j, nres, skipped = 99, resolved = 0;
	struct elf_func_list l;

	nres = dynsym_ifuncs(libc, resolvers, 512);
	CHECK(nres > 10);
	CHECK(elf_funcs_match(libc, "str*", &l, &skipped, NULL, 0) == 0);
	CHECK(l.n > 20);
	CHECK(skipped == 0);
	for (i = 0; i < l.n; i++) {
		CHECK(!strncmp(l.v[i].name, "str", 3));
		resolved += l.v[i].ifunc_resolved;
		for (j = 0; j < nres; j++)
			CHECK(l.v[i].addr != resolvers[j]);
	}
	CHECK(resolved > 5);
	CHECK(find(&l, "strlen") && find(&l, "strlen")->ifunc_resolved);
	check_against_binutils(libc, &l);
	elf_func_list_free(&l);
}

int main(void)
{
	char libc[PATH_MAX];

	fixture(lib_path, "libelffix.so");
	fixture(pie_path, "elffix_pie");
	fixture(nopie_path, "elffix_nopie");
	if (access(lib_path, R_OK)) {
		fprintf(stderr, "missing fixture %s (build target elf_fixtures)\n", lib_path);
		return 1;
	}
	test_fixture_glob();
	test_alias_folding();
	test_local_symbol();
	test_errors();
	test_program(pie_path, 1);
	test_program(nopie_path, 0);
	test_fixture_ifunc_unloaded();
	test_fixture_ifunc_loaded();
	CHECK(libpath_resolve("libc", 0, libc, sizeof(libc), NULL, 0) == 0);
	test_libc_strlen(libc);
	test_libc_glob(libc);
	return unit_summary();
}
