// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of elf_plt.c on the ltrace fixtures: every PLT stub found, with its import and
 * address, is the one binutils' objdump labels "<name@plt>" (an independent decoder), for
 * lazy .plt, BIND_NOW, CET's .plt.sec and non-PIE builds; -fno-plt builds call through
 * the GOT and have no stubs for their imports; the executable's facts (PIE, BIND_NOW, code
 * range); symbol versions name the library (GLIBC_2.2.5 -> libc.so.6).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_plt.h"
#include "unit.h"

static void fixture(char *out, const char *name)
{
	const char *dir = getenv("FIXTURE_DIR");

	snprintf(out, PATH_MAX, "%s/%s", dir ? dir : "tests/fixtures", name);
}

/* How many "<name@plt>" stubs objdump labels, and whether (addr, name) is one of them. */
static int objdump_stubs(const char *path, uint64_t want_addr, const char *want_name,
			 int *found)
{
	char cmd[PATH_MAX + 96], line[512], name[256];
	uint64_t addr;
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "objdump -d -j .plt -j .plt.sec -j .plt.got '%s' 2>/dev/null",
		 path);
	if (!(p = popen(cmd, "r")))
		return -1;
	*found = 0;
	while (fgets(line, sizeof(line), p)) {
		/* sscanf counts conversions only: PLT0's "<getenv@plt-0x10>:" must not pass. */
		if (!strstr(line, "@plt>:\n") ||
		    sscanf(line, "%" SCNx64 " <%255[^@>]@plt>:", &addr, name) != 2)
			continue;
		n++;
		if (addr == want_addr && !strcmp(name, want_name))
			*found = 1;
	}
	pclose(p);
	return n;
}

static void check_stubs(const char *fixture_name, const char *section)
{
	char path[PATH_MAX];
	struct plt_list l;
	int nstubs = 0, agree = 0, total = -1, found;

	fixture(path, fixture_name);
	CHECK_EQ_INT(elf_plt_imports(path, &l, NULL, 0), 0);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].kind != PLT_STUB)
			continue;
		nstubs++;
		total = objdump_stubs(path, l.v[i].addr, l.v[i].name, &found);
		agree += found;
		if (!found)
			fprintf(stderr, "%s: %s at 0x%" PRIx64 " not labelled by objdump\n",
				fixture_name, l.v[i].name, l.v[i].addr);
		if (!strcmp(l.v[i].name, "malloc")) {
			CHECK_EQ_STR(l.v[i].section, section);
			CHECK_EQ_STR(l.v[i].lib, "libc.so.6");
		}
	}
	CHECK(nstubs > 20);
	CHECK_EQ_INT(agree, nstubs);
	CHECK_EQ_INT(total, nstubs);
	elf_plt_list_free(&l);
}

static void check_noplt(const char *fixture_name)
{
	char path[PATH_MAX];
	struct plt_list l;
	int got_malloc = 0, stub_malloc = 0;

	fixture(path, fixture_name);
	CHECK_EQ_INT(elf_plt_imports(path, &l, NULL, 0), 0);
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.v[i].name, "malloc"))
			continue;
		got_malloc += l.v[i].kind == PLT_GOT;
		stub_malloc += l.v[i].kind == PLT_STUB;
	}
	CHECK_EQ_INT(got_malloc, 1);
	CHECK_EQ_INT(stub_malloc, 0);
	elf_plt_list_free(&l);
}

static void check_info(const char *fixture_name, int pie, int bind_now)
{
	char path[PATH_MAX];
	struct elf_exe_info info;

	fixture(path, fixture_name);
	CHECK_EQ_INT(elf_exe_info(path, &info, NULL, 0), 0);
	CHECK_EQ_INT(info.pie, pie);
	CHECK_EQ_INT(info.bind_now, bind_now);
	CHECK(info.code_lo < info.code_hi);
	CHECK(info.entry >= info.code_lo && info.entry < info.code_hi);
	CHECK_EQ_INT(info.load_lo, pie ? 0 : 0x400000);
}

static void names_cb(const char *name, void *ctx)
{
	int *n = ctx;

	*n += !strcmp(name, "ltfx_depth") || !strcmp(name, "main");
}

int main(void)
{
	char path[PATH_MAX];
	struct elf_dyn_names dn;
	int n = 0;

	check_stubs("ltfx_basic", ".plt");
	check_stubs("ltfx_basic_now", ".plt");
	check_stubs("ltfx_basic_nopie", ".plt");
	check_stubs("ltfx_basic_cet", ".plt.sec");
	check_noplt("ltfx_basic_noplt");
	check_noplt("ltfx_basic_noplt_nopie");
	check_info("ltfx_basic", 1, 0);
	check_info("ltfx_basic_now", 1, 1);
	check_info("ltfx_basic_nopie", 0, 0);

	fixture(path, "ltfx_basic");
	CHECK_EQ_INT(elf_dyn_names(path, &dn, NULL, 0), 0);
	CHECK(dn.soname == NULL);
	CHECK(dn.nneeded >= 1);
	CHECK_EQ_STR(dn.needed[dn.nneeded - 1], "libc.so.6");
	elf_dyn_names_free(&dn);

	fixture(path, "ltfx_recurse");
	CHECK_EQ_INT(elf_func_names(path, names_cb, &n, NULL, 0), 0);
	CHECK(n >= 2);

	CHECK(elf_plt_imports("/nonexistent", &(struct plt_list){}, NULL, 0) == -ENOENT);
	CHECK(elf_plt_imports("/etc/hostname", &(struct plt_list){}, NULL, 0) == -ENOEXEC);
	return unit_summary();
}
