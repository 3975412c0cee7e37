// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of return_safety.c: which functions a return probe must stay off. glibc's
 * returns-twice functions under each of their names (the local aliases only its debug file
 * has too, when libc6-dbg is installed), nothing that merely resembles them (longjmp,
 * setcontext, makecontext), entry points by address, and the fixtures' savectx exported as
 * fx_checkpoint: judged by address in its library and through ltfx_alias's PLT import.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_plt.h"
#include "elf_symbols.h"
#include "return_safety.h"
#include "unit.h"

static void fixture(char *out, const char *name)
{
	const char *dir = getenv("FIXTURE_DIR");

	snprintf(out, PATH_MAX, "%s/%s", dir ? dir : "tests/fixtures", name);
}

static bool func_says(const char *path, const char *name, const char *needle)
{
	char why[200] = "";

	return return_unsafe_func(path, name, why, sizeof(why)) && strstr(why, needle);
}

static bool func_safe(const char *path, const char *name)
{
	char why[200];

	return !return_unsafe_func(path, name, why, sizeof(why));
}

/* The file offset of function `name` in path (0 when not found). */
static uint64_t offset_of(const char *path, const char *name)
{
	struct elf_func_list list = {};
	uint64_t off = 0;

	if (!elf_funcs_match(path, name, &list, NULL, NULL, 0) && list.n == 1)
		off = list.v[0].offset;
	elf_func_list_free(&list);
	return off;
}

static void test_libc(void)
{
	const char *names[] = { "setjmp", "_setjmp", "__sigsetjmp", "vfork", "__vfork",
				"getcontext", "swapcontext" };
	const char *safe[] = { "longjmp", "_longjmp", "siglongjmp", "setcontext", "makecontext",
			       "malloc", "exit" };
	char libc[PATH_MAX], debug[PATH_MAX], why[200];
	uint64_t off;

	CHECK(realpath("/lib/x86_64-linux-gnu/libc.so.6", libc) != NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(func_says(libc, names[i], "returns twice"));
	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		CHECK(func_safe(libc, safe[i]));
	/* Inside _setjmp, not only at its first byte: its jump to __sigsetjmp. */
	CHECK((off = offset_of(libc, "_setjmp")) != 0);
	CHECK(return_unsafe_site(libc, off, why, sizeof(why)));
	CHECK(return_unsafe_site(libc, off + 2, why, sizeof(why)));
	CHECK(!return_unsafe_site(libc, offset_of(libc, "malloc"), why, sizeof(why)));
	/* Local aliases: only in the debug file (libc6-dbg), which the name alone misses. */
	if (!elf_debug_file(libc, debug, sizeof(debug), NULL, 0)) {
		CHECK(func_says(libc, "__GI__setjmp", "returns twice"));
		CHECK(func_says(libc, "__GI___sigsetjmp", "returns twice"));
		CHECK(func_says(libc, "__libc_vfork", "returns twice"));
		CHECK(func_says(libc, "__restore_rt", "entered by a jump"));
	} else {
		fprintf(stderr, "no debug file for %s: local aliases not checked\n", libc);
	}
}

static void test_fixtures(void)
{
	char lib[PATH_MAX], exe[PATH_MAX], why[200];
	struct elf_exe_info info;
	uint64_t entry;

	fixture(lib, "libltfx_ctx.so");
	fixture(exe, "ltfx_alias");
	/* savectx's name is in the family; fx_checkpoint is the same address. */
	CHECK(func_says(lib, "savectx", "returns twice"));
	CHECK(func_says(lib, "fx_checkpoint", "returns twice"));
	CHECK(func_safe(lib, "fx_resume"));
	/* The program's PLT imports, judged in the libraries it needs. */
	CHECK(return_unsafe_import(exe, "fx_checkpoint", why, sizeof(why)));
	CHECK(return_unsafe_import(exe, "_setjmp", why, sizeof(why)));
	CHECK(!return_unsafe_import(exe, "fx_resume", why, sizeof(why)));
	CHECK(!return_unsafe_import(exe, "printf", why, sizeof(why)));
	/* The entry point, by address and by name. */
	CHECK(!elf_exe_info(exe, &info, NULL, 0) &&
	      !elf_vaddr_to_offset(exe, info.entry, &entry, NULL, 0));
	CHECK(return_unsafe_site(exe, entry, why, sizeof(why)) && strstr(why, "entry point"));
	CHECK(func_says(exe, "_start", "entry point"));
	CHECK(func_safe(exe, "main"));
}

static void test_missing_file(void)
{
	char why[200];

	CHECK(func_safe("/nonexistent/libx.so", "malloc"));
	CHECK(func_says("/nonexistent/libx.so", "__sigsetjmp", "returns twice"));
	CHECK(!return_unsafe_site("/nonexistent/libx.so", 0x1000, why, sizeof(why)));
	CHECK(!return_unsafe_import("/nonexistent/prog", "printf", why, sizeof(why)));
}

int main(void)
{
	test_libc();
	test_fixtures();
	test_missing_file();
	return unit_summary();
}
