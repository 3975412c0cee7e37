/* SPDX-License-Identifier: GPL-2.0 */
/* The symbolizer's fast paths give the answers of the slow ones: file:line from the cached
 * CU ranges and line addresses equals libdw's dwarf_addrdie + dwarf_getsrc_die at every CU
 * boundary and at random addresses (this test's own binary, and libc through its debug file
 * when libc6-dbg is installed); the per-address cache answers warm exactly as cold, across
 * modules and flags, at symbol boundaries, past evictions, and forgets a process's answers
 * when its maps are re-read. No root needed. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "symbolize.h"
#include "symbolize_int.h"
#include "unit.h"

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* libdw's own answer for vaddr: 0 and file/line, or -1. */
static int libdw_line(Dwarf *dw, uint64_t vaddr, const char **file, int *line)
{
	Dwarf_Die cu;
	Dwarf_Line *ln;

	if (!dwarf_addrdie(dw, vaddr, &cu) || !(ln = dwarf_getsrc_die(&cu, vaddr)) ||
	    !(*file = dwarf_linesrc(ln, NULL, NULL)) || dwarf_lineno(ln, line))
		return -1;
	return 0;
}

/* Compares one address; returns 1 when the two disagree. */
static int compare_line(struct sym_module *m, Dwarf *dw, uint64_t vaddr, size_t *found)
{
	const char *f1 = NULL, *f2 = NULL;
	int l1 = 0, l2 = 0;
	int r1 = sym_lines_lookup(m, vaddr, &f1, &l1) ? -1 : 0;
	int r2 = libdw_line(dw, vaddr, &f2, &l2);

	*found += !r1;
	if (r1 == r2 && (r1 || (!strcmp(f1, f2) && l1 == l2)))
		return 0;
	fprintf(stderr, "  %s 0x%llx: ours %s:%d (%d), libdw's %s:%d (%d)\n", m->path,
		(unsigned long long)vaddr, f1 ? f1 : "-", l1, r1, f2 ? f2 : "-", l2, r2);
	return 1;
}

static void test_lines_match_libdw(const char *path, bool need_debug_file)
{
	struct sym_module *m = calloc(1, sizeof(*m));
	Dwarf_Aranges *ar;
	size_t n = 0, found = 0, asked = 0;
	int fd, wrong = 0;
	Dwarf *dw;

	m->path = strdup(path);
	sym_module_load(m);
	if (need_debug_file && !m->debug_path) {
		fprintf(stderr, "note: no debug file for %s, its line check skipped\n", path);
		sym_module_free(m);
		return;
	}
	fd = open(m->debug_path ? m->debug_path : path, O_RDONLY);
	dw = fd >= 0 ? dwarf_begin(fd, DWARF_C_READ) : NULL;
	CHECK(dw && !dwarf_getaranges(dw, &ar, &n) && n > 0);
	for (size_t i = 0; dw && i < n && wrong < 10; i++) {
		Dwarf_Addr a;
		Dwarf_Word len;
		Dwarf_Off die;

		if (dwarf_getarangeinfo(dwarf_onearange(ar, i), &a, &len, &die) || !len)
			continue;
		/* Both edges of every CU range, and a few addresses inside. */
		uint64_t probe[] = { a - 1, a, a + 1, a + len - 1, a + len, a + rnd() % len,
				     a + rnd() % len };

		for (size_t k = 0; k < sizeof(probe) / sizeof(probe[0]); k++, asked++)
			wrong += compare_line(m, dw, probe[k], &found);
	}
	CHECK_EQ_INT(wrong, 0);
	CHECK(found > asked / 2);	/* not a vacuous match of two failures */
	if (dw)
		dwarf_end(dw);
	if (fd >= 0)
		close(fd);
	sym_module_free(m);
}

static __attribute__((noinline)) int cache_first(int x)
{
	return x * 7 + 3;
}

static __attribute__((noinline)) int cache_second(int x)
{
	return x * 5 + cache_first(x);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_info(const struct sym_info *a, const struct sym_info *b)
{
	return same_str(a->name, b->name) && a->offset == b->offset &&
	       same_str(a->module, b->module) && a->module_off == b->module_off &&
	       same_str(a->file, b->file) && a->line == b->line;
}

/* Addresses of this process in two modules (this binary and libc), with symbol edges. */
static size_t sample_addresses(uint64_t *v, size_t max)
{
	uint64_t own = (uint64_t)(uintptr_t)cache_second, libc = (uint64_t)(uintptr_t)getpid;
	size_t n = 0;

	v[n++] = own;		/* a symbol's first byte: as a return address, the one before */
	v[n++] = own - 1;
	v[n++] = own + 1;
	v[n++] = (uint64_t)(uintptr_t)cache_first;
	v[n++] = libc;
	v[n++] = libc + 3;
	while (n < max)		/* 3x the slots: evictions and collisions */
		v[n] = (n & 1 ? own : libc) + (rnd() % 0x4000) - 0x2000, n++;
	return n;
}

static const unsigned flag_sets[] = { 0, SYM_LINES, SYM_RETADDR, SYM_LINES | SYM_RETADDR };

static void test_cache_warm_equals_cold(void)
{
	enum { N = 3 * 4096 };
	static uint64_t addr[N];
	static struct sym_info cold[4][N];
	struct symbolizer *sy = symbolizer_new(), *ref = symbolizer_new();
	size_t n = sample_addresses(addr, N), hits, misses, hits_before;
	int rc_cold[4][6], wrong = 0;
	struct sym_info si;

	/* Cold: every answer from a fresh symbolizer, each address asked once per flag set. */
	for (int f = 0; f < 4; f++)
		for (size_t i = 0; i < n; i++) {
			int rc = symbolize_user(ref, getpid(), addr[i], flag_sets[f], &cold[f][i]);

			if (i < 6)
				rc_cold[f][i] = rc;
		}
	/* Warm: asked twice in a row; the second is a hit and must match the cold answer. */
	for (int f = 0; f < 4; f++)
		for (size_t i = 0; i < n; i++) {
			symbolize_user(sy, getpid(), addr[i], flag_sets[f], &si);
			symbolizer_cache_stats(sy, &hits_before, &misses);
			int rc = symbolize_user(sy, getpid(), addr[i], flag_sets[f], &si);

			symbolizer_cache_stats(sy, &hits, &misses);
			wrong += hits != hits_before + 1 || !same_info(&si, &cold[f][i]) ||
				 (i < 6 && rc != rc_cold[f][i]);
		}
	CHECK_EQ_INT(wrong, 0);
	/* The edges themselves: a return address at a symbol's start is the previous call's. */
	CHECK(cold[0][0].name && !strcmp(cold[0][0].name, "cache_second"));
	CHECK_EQ_INT(cold[0][0].offset, 0);
	CHECK(!cold[2][0].name || strcmp(cold[2][0].name, "cache_second"));
	CHECK(cold[1][0].file && strstr(cold[1][0].file, "test_symbolize_cache.c"));
	CHECK(cold[0][3].name && !strcmp(cold[0][3].name, "cache_first"));
	CHECK(cold[0][4].module && strstr(cold[0][4].module, "libc"));
	/* Re-read maps: the process's earlier answers are not served again. */
	symbolize_user(sy, getpid(), addr[0], 0, &si);
	symbolizer_cache_stats(sy, &hits_before, &misses);
	symbolize_user(sy, getpid(), addr[0], 0, &si);
	symbolizer_cache_stats(sy, &hits, &misses);
	CHECK_EQ_INT(hits, hits_before + 1);
	symbolizer_refresh_all(sy);
	symbolizer_cache_stats(sy, &hits_before, &misses);
	CHECK_EQ_INT(symbolize_user(sy, getpid(), addr[0], 0, &si), 0);
	symbolizer_cache_stats(sy, &hits, &misses);
	CHECK_EQ_INT(hits, hits_before);
	CHECK(same_info(&si, &cold[0][0]));
	symbolizer_free(ref);
	symbolizer_free(sy);
}

int main(void)
{
	test_lines_match_libdw("/proc/self/exe", false);
	test_lines_match_libdw("/usr/lib/x86_64-linux-gnu/libc.so.6", true);
	test_cache_warm_equals_cold();
	(void)cache_second(1);
	return unit_summary();
}
