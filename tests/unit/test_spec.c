// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of spec.c: every probe kind and its alias, bare LIB:FUNC, paths with '/' and
 * ':', FUNC+OFFSET and 0xADDR, globs, durations, and each error with the message it gives.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "spec.h"
#include "unit.h"

/* Parses text and checks it succeeds with the given kind, lib and func. */
static void check_ok(int line, const char *text, const char *kind, const char *lib,
		     const char *func, struct spec *s)
{
	int before = unit_failed;
	char err[256] = "";

	CHECK_EQ_INT(spec_parse(text, s, err, sizeof(err)), 0);
	CHECK_EQ_STR(s->kind ? s->kind->name : "(none)", kind);
	CHECK_EQ_STR(s->lib, lib);
	CHECK_EQ_STR(s->func, func);
	if (unit_failed != before)
		fprintf(stderr, "  (line %d: spec '%.80s', err '%s')\n", line, text, err);
}

/* Parses text and checks it fails with -EINVAL and a message starting with msg. */
static void check_bad(int line, const char *text, const char *msg)
{
	int before = unit_failed;
	struct spec s;
	char err[256] = "";

	CHECK_EQ_INT(spec_parse(text, &s, err, sizeof(err)), -EINVAL);
	if (msg && strncmp(err, msg, strlen(msg)))
		CHECK_EQ_STR(err, msg);
	else
		CHECK(err[0] != 0);
	if (unit_failed != before)
		fprintf(stderr, "  (line %d: spec '%.80s')\n", line, text);
}

#define OK(text, kind, lib, func, s) check_ok(__LINE__, text, kind, lib, func, s)
#define BAD(text, msg) check_bad(__LINE__, text, msg)

static void test_user_kinds(void)
{
	static const struct {
		const char *prefix;
		const char *kind;
	} kinds[] = {
		{ "uprobe", "uprobe" }, { "u", "uprobe" },   { "uretprobe", "uretprobe" },
		{ "ur", "uretprobe" },  { "call", "call" },
	};
	struct spec s;
	char text[64];

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(text, sizeof(text), "%s:libc:malloc", kinds[i].prefix);
		OK(text, kinds[i].kind, "libc", "malloc", &s);
		CHECK(!s.has_offset && !s.is_addr && s.offset == 0);
		CHECK_EQ_STR(s.provider, "");
		CHECK(spec_is_user(s.kind));
	}
	OK("uprobe:/bin/bash:readline", "uprobe", "/bin/bash", "readline", &s);
	OK("call:/usr/lib/x86_64-linux-gnu/libc.so.6:free", "call",
	   "/usr/lib/x86_64-linux-gnu/libc.so.6", "free", &s);
	/* With a kind, LIB may contain ':': FUNC is what follows the last one. */
	OK("uprobe:/opt/a:b/lib.so:func", "uprobe", "/opt/a:b/lib.so", "func", &s);
	OK("ur:./rel/path:f", "uretprobe", "./rel/path", "f", &s);
}

static void test_bare(void)
{
	struct spec s;

	OK("libc:malloc", "uprobe", "libc", "malloc", &s);
	OK("/usr/lib/x86_64-linux-gnu/libc.so.6:malloc", "uprobe",
	   "/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc", &s);
	OK("libc:str*", "uprobe", "libc", "str*", &s);
	CHECK(spec_is_glob(s.func));
	/* A bare spec with a second ':' is read as an unknown kind. */
	BAD("/opt/a:b/lib.so:func", "unknown probe kind in '/opt/a:b/lib.so:func'");
	BAD("libc", "unknown probe kind in 'libc'");
	BAD("", "unknown probe kind in ''");
	BAD("uprobes:libc:malloc", "unknown probe kind in 'uprobes:libc:malloc'");
	BAD("Uprobe:libc:malloc", "unknown probe kind in 'Uprobe:libc:malloc'");
	BAD("libc:", "missing function name");
	BAD(":malloc", "expected LIB:FUNC");
}

static void test_long_paths(void)
{
	char *text = malloc(SPEC_FIELD_MAX + 64);
	struct spec s;
	char *lib;

	/* A ':'-free path of SPEC_FIELD_MAX - 1 bytes fits exactly. */
	lib = malloc(SPEC_FIELD_MAX);
	lib[0] = '/';
	memset(lib + 1, 'a', SPEC_FIELD_MAX - 2);
	for (int i = 100; i < SPEC_FIELD_MAX - 1; i += 100)
		lib[i] = '/';
	lib[SPEC_FIELD_MAX - 1] = 0;
	snprintf(text, SPEC_FIELD_MAX + 64, "%s:f", lib);
	OK(text, "uprobe", lib, "f", &s);
	CHECK_EQ_INT(strlen(s.lib), SPEC_FIELD_MAX - 1);
	snprintf(text, SPEC_FIELD_MAX + 64, "uprobe:%s:f", lib);
	OK(text, "uprobe", lib, "f", &s);

	/* One more byte does not. */
	snprintf(text, SPEC_FIELD_MAX + 64, "%sb:f", lib);
	BAD(text, "library path too long");
	snprintf(text, SPEC_FIELD_MAX + 64, "call:%sb:f", lib);
	BAD(text, "library path too long");
	free(lib);
	free(text);
}

static void test_long_funcs(void)
{
	char func[sizeof(((struct spec *)0)->func) + 2];
	char text[sizeof(func) + 32];
	size_t max = sizeof(func) - 3;	/* longest name that fits */
	struct spec s;

	memset(func, 'f', max);
	func[max] = 0;
	snprintf(text, sizeof(text), "libc:%s", func);
	OK(text, "uprobe", "libc", func, &s);
	snprintf(text, sizeof(text), "libc:%s+8", func);
	OK(text, "uprobe", "libc", func, &s);
	CHECK(s.has_offset && s.offset == 8);
	snprintf(text, sizeof(text), "kprobe:%s", func);
	OK(text, "kprobe", "", func, &s);

	func[max] = 'f';
	func[max + 1] = 0;
	snprintf(text, sizeof(text), "libc:%s", func);
	BAD(text, "function name too long");
	snprintf(text, sizeof(text), "libc:%s+8", func);
	BAD(text, "function name too long");
	snprintf(text, sizeof(text), "kprobe:%s", func);
	BAD(text, "function name too long");
}

/*
 * Names the other kinds keep must not be cut short silently either: a truncated tracepoint
 * or USDT name attaches to (or fails to find) something other than what was written.
 */
static void test_long_named(void)
{
	size_t fmax = sizeof(((struct spec *)0)->func), pmax = sizeof(((struct spec *)0)->provider);
	char *name = malloc(SPEC_FIELD_MAX + 1), *text = malloc(2 * SPEC_FIELD_MAX + 64);
	size_t tlen = 2 * SPEC_FIELD_MAX + 64;
	struct spec s;

	memset(name, 'n', fmax);
	name[fmax] = 0;	/* one byte over func's room */
	snprintf(text, tlen, "tracepoint:sched:%s", name);
	BAD(text, NULL);
	snprintf(text, tlen, "usdt:/bin/x:prov:%s", name);
	BAD(text, NULL);
	snprintf(text, tlen, "usdt:/bin/x:%s", name);
	BAD(text, NULL);

	memset(name, 'p', pmax);
	name[pmax] = 0;	/* one byte over provider's room */
	snprintf(text, tlen, "usdt:/bin/x:%s:probe", name);
	BAD(text, NULL);

	memset(name, 'c', SPEC_FIELD_MAX);
	name[SPEC_FIELD_MAX] = 0;	/* one byte over lib's room */
	snprintf(text, tlen, "tracepoint:%s:x", name);
	BAD(text, NULL);
	snprintf(text, tlen, "usdt:/%s:prov:probe", name);
	BAD(text, NULL);

	/* The longest that fit are kept whole. */
	name[fmax - 1] = 0;
	snprintf(text, tlen, "t:sched:%s", name);
	OK(text, "tracepoint", "sched", name, &s);
	free(name);
	free(text);
}

static void test_offsets(void)
{
	struct spec s;

	OK("libc:malloc+16", "uprobe", "libc", "malloc", &s);
	CHECK(s.has_offset && !s.is_addr);
	CHECK_EQ_INT(s.offset, 16);
	OK("uprobe:/bin/bash:readline+0x1f", "uprobe", "/bin/bash", "readline", &s);
	CHECK(s.has_offset);
	CHECK_EQ_INT(s.offset, 0x1f);
	OK("libc:malloc+0", "uprobe", "libc", "malloc", &s);
	CHECK(s.has_offset && s.offset == 0);
	OK("k:do_sys_open+4", "kprobe", "", "do_sys_open", &s);
	CHECK(s.has_offset && s.offset == 4);

	OK("libc:0x1234", "uprobe", "libc", "0x1234", &s);
	CHECK(s.is_addr && !s.has_offset);
	CHECK_EQ_INT(s.offset, 0x1234);
	OK("call:/bin/x:0xffffffffffffffff", "call", "/bin/x", "0xffffffffffffffff", &s);
	CHECK(s.is_addr && s.offset == UINT64_MAX);
	OK("libc:0xAbC", "uprobe", "libc", "0xAbC", &s);
	CHECK_EQ_INT(s.offset, 0xabc);

	BAD("libc:malloc+", "bad offset ''");
	BAD("libc:malloc+x", "bad offset 'x'");
	BAD("libc:malloc+4x", "bad offset '4x'");
	BAD("libc:malloc+0xg", "bad offset '0xg'");
	BAD("libc:malloc+99999999999999999999", "bad offset '99999999999999999999'");
	BAD("libc:0x12zz", "bad address '0x12zz'");
	BAD("libc:0x", "bad address '0x'");
	BAD("libc:0x10+4", "bad address '0x10+4'");
	BAD("libc:str*+4", "an offset cannot follow a glob ('str*+4')");
	BAD("libc:mall?c+0x8", "an offset cannot follow a glob ('mall?c+0x8')");
	BAD("uprobe:libc:[ab]c+1", "an offset cannot follow a glob ('[ab]c+1')");

	/* Bugs at the time of writing: each of these is accepted. */
	BAD("libc:+4", "missing function name");	/* empty FUNC before the offset */
	BAD("libc:malloc+-4", "bad offset '-4'");	/* strtoull wraps to 2^64 - 4 */
	BAD("libc:0x1ffffffffffffffff", "bad address '0x1ffffffffffffffff'"); /* ERANGE */
}

static void test_globs(void)
{
	CHECK(spec_is_glob("str*"));
	CHECK(spec_is_glob("*"));
	CHECK(spec_is_glob("mall?c"));
	CHECK(spec_is_glob("[mc]alloc"));
	CHECK(spec_is_glob("a*b?c"));
	CHECK(!spec_is_glob("malloc"));
	CHECK(!spec_is_glob(""));
	CHECK(!spec_is_glob("_ZN3foo3barEv"));
	CHECK(!spec_is_glob("0x1234"));
	CHECK(!spec_is_glob("malloc+4"));
}

static void test_usdt(void)
{
	struct spec s;

	OK("usdt:/usr/lib/libpython3.so:python:function__entry", "usdt",
	   "/usr/lib/libpython3.so", "function__entry", &s);
	CHECK_EQ_STR(s.provider, "python");
	OK("usdt:/bin/x:probe", "usdt", "/bin/x", "probe", &s);
	CHECK_EQ_STR(s.provider, "");
	OK("usdt:x:prov:probe", "usdt", "x", "probe", &s);
	CHECK_EQ_STR(s.provider, "prov");
	CHECK(!spec_is_user(s.kind));

	BAD("usdt", "expected usdt:BIN:PROVIDER:NAME");
	BAD("usdt:", "expected usdt:BIN:PROVIDER:NAME");
	BAD("usdt:probe", "expected usdt:BIN:PROVIDER:NAME");
	BAD("usdt::probe", "expected usdt:BIN:PROVIDER:NAME");
	BAD("usdt:/bin/x:", "expected usdt:BIN:PROVIDER:NAME");
	BAD("usdt:/bin/x:prov:", "expected usdt:BIN:PROVIDER:NAME");
	/* Bug at the time of writing: accepted as BIN ":prov", NAME "probe". */
	BAD("usdt::prov:probe", "expected usdt:BIN:PROVIDER:NAME");
}

static void test_kernel_kinds(void)
{
	struct spec s;

	OK("tracepoint:sched:sched_switch", "tracepoint", "sched", "sched_switch", &s);
	OK("t:syscalls:sys_enter_openat", "tracepoint", "syscalls", "sys_enter_openat", &s);
	CHECK(!s.has_offset);
	OK("syscall:openat", "syscall", "", "openat", &s);
	OK("kprobe:vfs_read", "kprobe", "", "vfs_read", &s);
	OK("k:vfs_*", "kprobe", "", "vfs_*", &s);
	CHECK(spec_is_glob(s.func));
	OK("kretprobe:vfs_read", "kretprobe", "", "vfs_read", &s);
	OK("kr:vfs_write", "kretprobe", "", "vfs_write", &s);
	OK("kcall:vfs_read", "kcall", "", "vfs_read", &s);
	CHECK(!spec_is_user(s.kind));

	BAD("tracepoint", "expected tracepoint:CATEGORY:NAME");
	BAD("t:sched", "expected tracepoint:CATEGORY:NAME");
	BAD("t:sched:", "expected tracepoint:CATEGORY:NAME");
	BAD("t::sched_switch", "expected tracepoint:CATEGORY:NAME");
	BAD("t:a:b:c", "expected tracepoint:CATEGORY:NAME");
	BAD("syscall", "expected one name after the kind");
	BAD("syscall:", "expected one name after the kind");
	BAD("syscall:a:b", "expected one name after the kind");
	BAD("kprobe:", "expected one name after the kind");
	BAD("kretprobe:mod:func", "expected one name after the kind");
	BAD("kcall:vfs_read+", "bad offset ''");
	BAD("k:vfs_*+4", "an offset cannot follow a glob ('vfs_*+4')");
}

static void test_timed_kinds(void)
{
	struct spec s;

	OK("profile:hz:99", "profile", "", "", &s);
	CHECK_EQ_INT(s.interval_ns, 1000000000ULL / 99);
	OK("profile:hz:1", "profile", "", "", &s);
	CHECK_EQ_INT(s.interval_ns, 1000000000ULL);
	OK("profile:hz:100000", "profile", "", "", &s);	/* the kernel's most */
	CHECK_EQ_INT(s.interval_ns, 10000);
	OK("offcpu", "offcpu", "", "", &s);

	BAD("profile", "expected profile:hz:N");
	BAD("profile:99", "expected profile:hz:N");
	BAD("profile:hz", "expected profile:hz:N");
	BAD("profile:hz:", "expected profile:hz:N");
	BAD("profile:hz:0", "expected profile:hz:N");
	BAD("profile:hz:99x", "expected profile:hz:N");
	BAD("profile:hz:0x10", "expected profile:hz:N");
	/* Bugs at the time of writing: both are accepted with interval_ns == 0. */
	BAD("profile:hz:-5", "expected profile:hz:N");
	BAD("profile:hz:2000000000", "expected profile:hz:N");
	BAD("profile:hz:100001", "expected profile:hz:N (1 to 100000)");
	BAD("profile:hz:999999999", "expected profile:hz:N (1 to 100000)");

	/* begin, end and interval: are the prelude's (lua/prelude.lua), not a provider's: to
	 * spec strings they are a library's name like any other. */
	OK("begin:x", "uprobe", "begin", "x", &s);
	BAD("begin:x:y", "unknown probe kind in 'begin:x:y'");
	BAD("offcpu:1ms", "'offcpu' takes no arguments");
	BAD("offcpu:", "'offcpu' takes no arguments");
}

static void test_durations(void)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} good[] = {
		{ "100ns", 100ULL },
		{ "10us", 10000ULL },
		{ "250ms", 250000000ULL },
		{ "1s", 1000000000ULL },
		{ "2m", 120000000000ULL },
		{ "1h", 3600000000000ULL },
		{ "24h", 86400000000000ULL },
		{ "10", 10000000000ULL },
		{ "0", 0 },
		{ "0ns", 0 },
		{ "1.5ms", 1500000ULL },
		{ "0.5", 500000000ULL },
		{ "2.5us", 2500ULL },
		{ "1.5ns", 2ULL },	/* rounded to the nearest ns */
		{ "1e3ms", 1000000000ULL },
	};
	static const char *const bad[] = {
		"", "ms", "s", "-1s", "-1", "1x", "1 s", "1sec", "1S", "1ms ", "5d", "1.2.3s",
		"abc",
		/* Bugs at the time of writing: accepted (non-finite or overflowing uint64_t). */
		"nan", "inf", "1e30s", "1e30",
	};
	uint64_t ns;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int before = unit_failed;

		ns = 12345;
		CHECK_EQ_INT(spec_parse_duration(good[i].text, &ns), 0);
		CHECK_EQ_INT(ns, good[i].ns);
		if (unit_failed != before)
			fprintf(stderr, "  (duration '%s')\n", good[i].text);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int before = unit_failed;

		ns = 12345;
		CHECK_EQ_INT(spec_parse_duration(bad[i], &ns), -EINVAL);
		if (unit_failed != before)
			fprintf(stderr, "  (duration '%s' gave %llu ns)\n", bad[i],
				(unsigned long long)ns);
	}
}

/* The kinds are the providers' (provider.c): every name and alias is found, printed by
 * its long name, and only the function kinds are user probes. */
static void test_kind_names(void)
{
	static const struct {
		const char *spelling, *name;
		bool user;
	} want[] = {
		{ "uprobe", "uprobe", true },	   { "u", "uprobe", true },
		{ "uretprobe", "uretprobe", true }, { "ur", "uretprobe", true },
		{ "call", "call", true },	   { "usdt", "usdt", false },
		{ "tracepoint", "tracepoint", false }, { "t", "tracepoint", false },
		{ "syscall", "syscall", false },   { "kprobe", "kprobe", false },
		{ "k", "kprobe", false },	   { "kretprobe", "kretprobe", false },
		{ "kr", "kretprobe", false },	   { "kcall", "kcall", false },
		{ "profile", "profile", false },   { "offcpu", "offcpu", false },
		{ "rawtracepoint", "rawtracepoint", false }, { "rt", "rawtracepoint", false },
		{ "tp_btf", "rawtracepoint", false },
	};
	const struct spec_kind *k;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		k = provider_kind_named(want[i].spelling, strlen(want[i].spelling));
		CHECK(k != NULL);
		if (!k)
			continue;
		CHECK_EQ_STR(k->name, want[i].name);
		CHECK_EQ_INT(spec_is_user(k), want[i].user);
		CHECK(provider_for(k) != NULL);
	}
	CHECK(provider_kind_named("uprobes", 7) == NULL);
	CHECK(provider_kind_named("u", 0) == NULL);
	CHECK_EQ_STR(provider_kind_bare()->name, "uprobe");
	while (provider_kind_at(n))
		n++;
	CHECK_EQ_INT(n, 12);	/* the long names above: a new kind adds itself here */
}

/* A failed parse leaves no stale fields from an earlier one. */
static void test_reset(void)
{
	struct spec s;
	char err[64];

	OK("usdt:/bin/x:prov:probe", "usdt", "/bin/x", "probe", &s);
	OK("libc:malloc", "uprobe", "libc", "malloc", &s);
	CHECK_EQ_STR(s.provider, "");
	OK("libc:malloc+8", "uprobe", "libc", "malloc", &s);
	OK("libc:free", "uprobe", "libc", "free", &s);
	CHECK(!s.has_offset && s.offset == 0 && !s.is_addr && s.interval_ns == 0);

	/* A short error buffer gets a truncated, terminated message. */
	CHECK_EQ_INT(spec_parse("libc:malloc+x", &s, err, 8), -EINVAL);
	CHECK_EQ_STR(err, "bad off");
}

int main(void)
{
	test_user_kinds();
	test_bare();
	test_long_paths();
	test_long_funcs();
	test_long_named();
	test_offsets();
	test_globs();
	test_usdt();
	test_kernel_kinds();
	test_timed_kinds();
	test_durations();
	test_kind_names();
	test_reset();
	return unit_summary();
}
