/* SPDX-License-Identifier: GPL-2.0 */
/* The symbolizer on real processes: the stk_chain fixture in every build (frame pointers or
 * not, PIE or not, stripped with a debug file found by build-id or .gnu_debuglink,
 * MiniDebugInfo, by clang without .debug_aranges) prints its functions' addresses; each
 * must come back as its name, with file:line where DWARF exists, also after the process is
 * gone. Plus this process's own functions, demangling, JIT maps, alias folding and the
 * kernel. No root needed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "symbolize.h"
#include "symbolize_int.h"
#include "unit.h"

static const char *fixture_dir;

struct child {
	pid_t pid;
	FILE *out;
	int in;
	unsigned long long addr[6];	/* stk_leaf stk_c stk_b stk_a cxx rust */
};

static int child_start(struct child *c, const char *prog)
{
	int to[2], from[2];
	char path[4096], line[256];

	snprintf(path, sizeof(path), "%s/%s", fixture_dir, prog);
	if (pipe(to) || pipe(from))
		return -errno;
	c->pid = fork();
	if (c->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[1]);	/* else its stdin never ends */
		close(from[0]);
		execl(path, prog, "addrs", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	c->in = to[1];
	c->out = fdopen(from[0], "r");
	for (int i = 0; i < 6 && fgets(line, sizeof(line), c->out); i++)
		if (sscanf(line, "%*s %llx", &c->addr[i]) != 1)
			return -EINVAL;
	return fgets(line, sizeof(line), c->out) && !strcmp(line, "ready\n") ? 0 : -EINVAL;
}

static void child_stop(struct child *c)
{
	close(c->in);		/* its getchar() returns: it exits */
	fclose(c->out);
	waitpid(c->pid, NULL, 0);
}

static const char *const want_names[6] = { "stk_leaf", "stk_c", "stk_b", "stk_a",
					   "stk::inner::func(int)", "stk::rust::func" };

static void check_names(struct symbolizer *sy, const struct child *c, const char *prog,
			bool lines)
{
	for (int i = 0; i < 6; i++) {
		struct sym_info si;
		int rc = symbolize_user(sy, c->pid, c->addr[i], SYM_LINES, &si);

		CHECK_EQ_INT(rc, 0);
		CHECK(si.name && !strcmp(si.name, want_names[i]));
		CHECK_EQ_INT(si.offset, 0);
		CHECK(si.module && strstr(si.module, prog));
		if (lines) {
			CHECK(si.file && strstr(si.file, "stk_chain.c"));
			CHECK(si.line > 20);
		} else {
			CHECK(!si.file);
		}
		if (!si.name || strcmp(si.name, want_names[i]) || (lines && !si.file))
			fprintf(stderr, "  %s: %s -> %s+%llu (%s:%d)\n", prog, want_names[i],
				si.name ? si.name : "?", (unsigned long long)si.offset,
				si.file ? si.file : "-", si.line);
	}
}

/* Each build of stk_chain, while it runs and after it exited (cached maps). */
static void test_fixture(const char *prog, bool lines)
{
	struct symbolizer *sy = symbolizer_new();
	struct child c = {};

	if (child_start(&c, prog)) {
		fprintf(stderr, "cannot run %s\n", prog);
		CHECK(0);
		return;
	}
	check_names(sy, &c, prog, lines);
	child_stop(&c);
	check_names(sy, &c, prog, lines);
	symbolizer_free(sy);
}

static __attribute__((noinline)) int own_function(int x)
{
	return x * 3 + 1;
}

static void test_self(void)
{
	struct symbolizer *sy = symbolizer_new();
	struct sym_info si;
	uint64_t addr = (uint64_t)(uintptr_t)own_function;

	CHECK_EQ_INT(symbolize_user(sy, getpid(), addr + 2, SYM_LINES, &si), 0);
	CHECK(si.name && !strcmp(si.name, "own_function"));
	CHECK_EQ_INT(si.offset, 2);
	CHECK(si.file && strstr(si.file, "test_symbolize.c"));
	/* A return address is the call's: addr + 1 as a return address is still inside. */
	CHECK_EQ_INT(symbolize_user(sy, getpid(), addr + 1, SYM_RETADDR, &si), 0);
	CHECK(si.name && !strcmp(si.name, "own_function"));
	/* libc's functions through its .dynsym (or its debug file). */
	CHECK_EQ_INT(symbolize_user(sy, getpid(), (uint64_t)(uintptr_t)getpid, 0, &si), 0);
	CHECK(si.name && strstr(si.name, "getpid"));
	CHECK(si.module && strstr(si.module, "libc"));
	/* Nothing is mapped at page 1. */
	CHECK(symbolize_user(sy, getpid(), 0x1000, 0, &si) < 0);
	CHECK(!si.name);
	CHECK(!strcmp(symbolizer_comm(sy, getpid()), "test_symbolize"));
	symbolizer_free(sy);
}

static void test_jit(void)
{
	struct symbolizer *sy = symbolizer_new();
	struct sym_info si;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	f = fopen(path, "w");
	if (!f) {
		CHECK(0);
		return;
	}
	fprintf(f, "1000 100 jitted_one\n1100 80 _ZN3jit3twoEv\n");
	fclose(f);
	CHECK_EQ_INT(symbolize_user(sy, getpid(), 0x1010, 0, &si), 0);
	CHECK(si.name && !strcmp(si.name, "jitted_one"));
	CHECK_EQ_INT(si.offset, 0x10);
	CHECK(si.module && !strcmp(si.module, "[jit]"));
	CHECK_EQ_INT(symbolize_user(sy, getpid(), 0x1104, 0, &si), 0);
	CHECK(si.name && !strcmp(si.name, "jit::two()"));
	CHECK(symbolize_user(sy, getpid(), 0x1180, 0, &si) < 0);
	unlink(path);
	symbolizer_free(sy);
}

static void test_demangle(void)
{
	char *d;

	CHECK(!sym_demangle("main"));
	d = sym_demangle("_ZN3foo3barEi");
	CHECK(d && !strcmp(d, "foo::bar(int)"));
	free(d);
	d = sym_demangle("_ZN4core3fmt5write17h0123456789abcdefE");
	CHECK(d && !strcmp(d, "core::fmt::write"));
	free(d);
	d = sym_demangle("_RNvCs1234_7mycrate4main");
	CHECK(d && !strcmp(d, "mycrate::main"));
	free(d);
}

static void test_table(void)
{
	struct sym_table t = {};
	const struct sym_entry *e;

	sym_table_add(&t, 0x100, 0x10, "__alias", 2);	/* STB_WEAK */
	sym_table_add(&t, 0x100, 0x10, "alias", 1);	/* STB_GLOBAL */
	sym_table_add(&t, 0x200, 0, "unsized", 1);
	sym_table_add(&t, 0x300, 0x8, "last", 0);
	sym_table_finish(&t);
	CHECK_EQ_INT(t.n, 3);
	e = sym_table_find(&t, 0x10f);
	CHECK(e && !strcmp(sym_table_name(&t, e, true), "alias"));
	CHECK(!sym_table_find(&t, 0x110));	/* past a sized symbol */
	e = sym_table_find(&t, 0x2ff);		/* an unsized one reaches the next */
	CHECK(e && !strcmp(sym_table_name(&t, e, true), "unsized"));
	CHECK(!sym_table_find(&t, 0x99));
	CHECK(!sym_table_find(&t, 0x308));
	sym_table_free(&t);
}

static void test_kernel(void)
{
	struct symbolizer *sy = symbolizer_new();
	unsigned long long addr = 0;
	char line[256], name[128], type;
	struct sym_info si;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) == 3 &&
		    !strcmp(name, "schedule"))
			break;
	if (f)
		fclose(f);
	if (!addr) {	/* kptr_restrict hides addresses from this user */
		symbolizer_free(sy);
		return;
	}
	CHECK_EQ_INT(symbolize_kernel(sy, addr + 4, 0, &si), 0);
	CHECK(si.name && !strcmp(si.name, "schedule"));
	CHECK_EQ_INT(si.offset, 4);
	CHECK(!strcmp(si.module, "[kernel]"));
	symbolizer_free(sy);
}

int main(void)
{
	char root[4096];

	fixture_dir = getenv("FIXTURE_DIR");
	if (!fixture_dir) {
		fprintf(stderr, "FIXTURE_DIR must name the fixture directory\n");
		return 1;
	}
	snprintf(root, sizeof(root), "%s/stkdebug", fixture_dir);
	setenv("LTRACE_EBPF_DEBUG_DIRS", root, 1);
	signal(SIGPIPE, SIG_IGN);
	test_table();
	test_demangle();
	test_self();
	test_jit();
	test_kernel();
	test_fixture("stk_fp", true);
	test_fixture("stk_nofp", true);
	test_fixture("stk_fp_nopie", true);
	test_fixture("stk_nofp_nopie", true);
	test_fixture("stk_stripped", true);
	test_fixture("stk_debuglink", true);
	test_fixture("stk_minidebug", false);
	test_fixture("stk_clang", true);	/* no .debug_aranges */
	return unit_summary();
}
