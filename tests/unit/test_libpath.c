// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of libpath.c: short library names resolve to the files this process has loaded,
 * programs come from $PATH, a pid resolves through /proc/PID/maps, failures name their input,
 * a file this process cannot open for want of descriptors says so (not "not an ELF file",
 * not "not found"), and completion lists libc.
 */
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "libpath.h"

#include "unit.h"

static char loaded_libc[PATH_MAX];

static int loaded_libc_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *base = strrchr(info->dlpi_name, '/');

	(void)size;
	(void)data;
	if (!base || strncmp(base + 1, "libc.so", 7))
		return 0;
	return realpath(info->dlpi_name, loaded_libc) != NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Resolves `name` and checks the result equals `want`, or has basename prefix `want_base`. */
static void check_resolves(const char *name, int pid, const char *want, const char *want_base)
{
	char out[PATH_MAX] = "", why[512] = "";
	int err;

	err = libpath_resolve(name, pid, out, sizeof(out), why, sizeof(why));
	if (err)
		fprintf(stderr, "libpath_resolve(%s): %s\n", name, why);
	CHECK(err == 0);
	CHECK(out[0] == '/');
	if (want)
		CHECK(!strcmp(out, want));
	if (want_base)
		CHECK(!strncmp(base_name(out), want_base, strlen(want_base)));
}

static void check_fails(const char *name, int want_err)
{
	char out[PATH_MAX], err[512] = "";

	CHECK(libpath_resolve(name, 0, out, sizeof(out), err, sizeof(err)) == want_err);
	CHECK(strstr(err, name) != NULL);
}

static void test_resolve(void)
{
	char self[PATH_MAX];

	check_resolves("libc", 0, loaded_libc, NULL);
	check_resolves("c", 0, loaded_libc, NULL);
	check_resolves("libc.so.6", 0, loaded_libc, NULL);
	/* Debian's libc.so is a linker script: it must be skipped for the ELF soname file. */
	check_resolves("libc.so", 0, loaded_libc, NULL);
	check_resolves(loaded_libc, 0, loaded_libc, NULL);
	check_resolves("libm", 0, NULL, "libm.so");
	check_resolves("m", 0, NULL, "libm.so");
	check_resolves("bash", 0, NULL, "bash");
	check_fails("/nonexistent/libx.so", -ENOENT);
	check_fails("libdoesnotexist", -ENOENT);
	check_fails("/etc/passwd", -ENOEXEC);
	CHECK(realpath("/proc/self/exe", self) != NULL);
	check_resolves("libc", getpid(), loaded_libc, NULL);
	check_resolves(base_name(self), getpid(), self, NULL);
}

/* With every descriptor in use (the soft limit at the lowest free one), an explicit path
 * and a short name both fail with EMFILE and say "Too many open files". */
static void test_out_of_fds(void)
{
	char out[PATH_MAX], err[512] = "";
	struct rlimit old, low;
	int fd = dup(0);

	CHECK(fd >= 0 && !getrlimit(RLIMIT_NOFILE, &old));
	close(fd);
	low = old;
	low.rlim_cur = fd;	/* every descriptor below fd is open: the next open fails */
	CHECK(!setrlimit(RLIMIT_NOFILE, &low));
	CHECK_EQ_INT(libpath_resolve(loaded_libc, 0, out, sizeof(out), err, sizeof(err)), -EMFILE);
	CHECK(strstr(err, loaded_libc) && strstr(err, strerror(EMFILE)));
	CHECK(!strstr(err, "not an ELF file"));
	err[0] = 0;
	CHECK_EQ_INT(libpath_resolve("libc", 0, out, sizeof(out), err, sizeof(err)), -EMFILE);
	CHECK(strstr(err, strerror(EMFILE)) != NULL);
	CHECK(!setrlimit(RLIMIT_NOFILE, &old));
}

struct seen {
	int libc;
	int bad_prefix;
	int calls;
};

static void each_cb(const char *name, const char *path, void *ctx)
{
	struct seen *s = ctx;
	char real[PATH_MAX];

	s->calls++;
	if (strncmp(name, "libc", 4) || strcmp(name, base_name(path)))
		s->bad_prefix++;
	if (!strcmp(name, "libc.so.6") && realpath(path, real) && !strcmp(real, loaded_libc))
		s->libc++;
}

static void test_each(int pid)
{
	struct seen s = { 0 };

	CHECK(libpath_each("libc", pid, each_cb, &s) == 0);
	CHECK(s.libc == 1);
	CHECK(s.bad_prefix == 0);
	CHECK(s.calls >= 1);
}

int main(void)
{
	dl_iterate_phdr(loaded_libc_cb, NULL);
	CHECK(loaded_libc[0] == '/');
	test_resolve();
	test_out_of_fds();
	test_each(0);
	test_each(getpid());
	return unit_summary();
}
