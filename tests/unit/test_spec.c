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

#include "spec.h"
#include "unit.h"

/* Parses text and checks it succeeds with the given kind, lib and func. */
static void check_ok(int line, const char *text, enum spec_kind kind, const char *lib,
		     const char *func, struct spec *s)
{
	int before = unit_failed;
	char err[256] = "";

	CHECK_EQ_INT(spec_parse(text, s, err, sizeof(err)), 0);
	CHECK_EQ_INT(s->kind, kind);
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
		enum spec_kind kind;
	} kinds[] = {
		{ "uprobe", SPEC_UPROBE }, { "u", SPEC_UPROBE },   { "uretprobe", SPEC_URETPROBE },
		{ "ur", SPEC_URETPROBE },  { "call", SPEC_CALL },
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
	OK("uprobe:/bin/bash:readline", SPEC_UPROBE, "/bin/bash", "readline", &s);
	OK("call:/usr/lib/x86_64-linux-gnu/libc.so.6:free", SPEC_CALL,
	   "/usr/lib/x86_64-linux-gnu/libc.so.6", "free", &s);
	/* With a kind, LIB may contain ':': FUNC is what follows the last one. */
	OK("uprobe:/opt/a:b/lib.so:func", SPEC_UPROBE, "/opt/a:b/lib.so", "func", &s);
	OK("ur:./rel/path:f", SPEC_URETPROBE, "./rel/path", "f", &s);
}

static void test_bare(void)
{
	struct spec s;

	OK("libc:malloc", SPEC_UPROBE, "libc", "malloc", &s);
	OK("/usr/lib/x86_64-linux-gnu/libc.so.6:malloc", SPEC_UPROBE,
	   "/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc", &s);
	OK("libc:str*", SPEC_UPROBE, "libc", "str*", &s);
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
	OK(text, SPEC_UPROBE, lib, "f", &s);
	CHECK_EQ_INT(strlen(s.lib), SPEC_FIELD_MAX - 1);
	snprintf(text, SPEC_FIELD_MAX + 64, "uprobe:%s:f", lib);
	OK(text, SPEC_UPROBE, lib, "f", &s);

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
	OK(text, SPEC_UPROBE, "libc", func, &s);
	snprintf(text, sizeof(text), "libc:%s+8", func);
	OK(text, SPEC_UPROBE, "libc", func, &s);
	CHECK(s.has_offset && s.offset == 8);
	snprintf(text, sizeof(text), "kprobe:%s", func);
	OK(text, SPEC_KPROBE, "", func, &s);

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
	OK(text, SPEC_TRACEPOINT, "sched", name, &s);
	free(name);
	free(text);
}

static void test_offsets(void)
{
	struct spec s;

	OK("libc:malloc+16", SPEC_UPROBE, "libc", "malloc", &s);
	CHECK(s.has_offset && !s.is_addr);
	CHECK_EQ_INT(s.offset, 16);
	OK("uprobe:/bin/bash:readline+0x1f", SPEC_UPROBE, "/bin/bash", "readline", &s);
	CHECK(s.has_offset);
	CHECK_EQ_INT(s.offset, 0x1f);
	OK("libc:malloc+0", SPEC_UPROBE, "libc", "malloc", &s);
	CHECK(s.has_offset && s.offset == 0);
	OK("k:do_sys_open+4", SPEC_KPROBE, "", "do_sys_open", &s);
	CHECK(s.has_offset && s.offset == 4);

	OK("libc:0x1234", SPEC_UPROBE, "libc", "0x1234", &s);
	CHECK(s.is_addr && !s.has_offset);
	CHECK_EQ_INT(s.offset, 0x1234);
	OK("call:/bin/x:0xffffffffffffffff", SPEC_CALL, "/bin/x", "0xffffffffffffffff", &s);
	CHECK(s.is_addr && s.offset == UINT64_MAX);
	OK("libc:0xAbC", SPEC_UPROBE, "libc", "0xAbC", &s);
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

	OK("usdt:/usr/lib/libpython3.so:python:function__entry", SPEC_USDT,
	   "/usr/lib/libpython3.so", "function__entry", &s);
	CHECK_EQ_STR(s.provider, "python");
	OK("usdt:/bin/x:probe", SPEC_USDT, "/bin/x", "probe", &s);
	CHECK_EQ_STR(s.provider, "");
	OK("usdt:x:prov:probe", SPEC_USDT, "x", "probe", &s);
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

	OK("tracepoint:sched:sched_switch", SPEC_TRACEPOINT, "sched", "sched_switch", &s);
	OK("t:syscalls:sys_enter_openat", SPEC_TRACEPOINT, "syscalls", "sys_enter_openat", &s);
	CHECK(!s.has_offset);
	OK("syscall:openat", SPEC_SYSCALL, "", "openat", &s);
	OK("kprobe:vfs_read", SPEC_KPROBE, "", "vfs_read", &s);
	OK("k:vfs_*", SPEC_KPROBE, "", "vfs_*", &s);
	CHECK(spec_is_glob(s.func));
	OK("kretprobe:vfs_read", SPEC_KRETPROBE, "", "vfs_read", &s);
	OK("kr:vfs_write", SPEC_KRETPROBE, "", "vfs_write", &s);
	OK("kcall:vfs_read", SPEC_KCALL, "", "vfs_read", &s);
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

	OK("profile:hz:99", SPEC_PROFILE, "", "", &s);
	CHECK_EQ_INT(s.interval_ns, 1000000000ULL / 99);
	OK("profile:hz:1", SPEC_PROFILE, "", "", &s);
	CHECK_EQ_INT(s.interval_ns, 1000000000ULL);
	OK("profile:hz:100000", SPEC_PROFILE, "", "", &s);	/* the kernel's most */
	CHECK_EQ_INT(s.interval_ns, 10000);
	OK("begin", SPEC_BEGIN, "", "", &s);
	OK("BEGIN", SPEC_BEGIN, "", "", &s);
	OK("end", SPEC_END, "", "", &s);
	OK("END", SPEC_END, "", "", &s);
	OK("offcpu", SPEC_OFFCPU, "", "", &s);
	CHECK(!strcmp(spec_kind_name(SPEC_OFFCPU), "offcpu"));
	OK("interval:500ms", SPEC_INTERVAL, "", "", &s);
	CHECK_EQ_INT(s.interval_ns, 500000000ULL);
	OK("i:1s", SPEC_INTERVAL, "", "", &s);
	CHECK_EQ_INT(s.interval_ns, 1000000000ULL);
	OK("interval:2", SPEC_INTERVAL, "", "", &s);
	CHECK_EQ_INT(s.interval_ns, 2000000000ULL);
	OK("i:1.5ms", SPEC_INTERVAL, "", "", &s);
	CHECK_EQ_INT(s.interval_ns, 1500000ULL);

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

	BAD("begin:x", "'begin' takes no arguments");
	BAD("BEGIN:", "'begin' takes no arguments");
	BAD("end:1s", "'end' takes no arguments");
	BAD("offcpu:1ms", "'offcpu' takes no arguments");
	BAD("offcpu:", "'offcpu' takes no arguments");
	BAD("interval", "bad interval '' (e.g. 500ms, 1s)");
	BAD("interval:", "bad interval '' (e.g. 500ms, 1s)");
	BAD("interval:0", "bad interval '0' (e.g. 500ms, 1s)");
	BAD("i:0ms", "bad interval '0ms' (e.g. 500ms, 1s)");
	BAD("i:0.1ns", "bad interval '0.1ns' (e.g. 500ms, 1s)");
	BAD("interval:-1s", "bad interval '-1s' (e.g. 500ms, 1s)");
	BAD("interval:1x", "bad interval '1x' (e.g. 500ms, 1s)");
	BAD("interval:ms", "bad interval 'ms' (e.g. 500ms, 1s)");
	/* Bug at the time of writing: accepted, with interval_ns == 2^63. */
	BAD("interval:nan", "bad interval 'nan' (e.g. 500ms, 1s)");
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

static void test_kind_names(void)
{
	static const struct {
		enum spec_kind kind;
		const char *name;
		bool user;
	} want[] = {
		{ SPEC_UPROBE, "uprobe", true },	 { SPEC_URETPROBE, "uretprobe", true },
		{ SPEC_CALL, "call", true },		 { SPEC_USDT, "usdt", false },
		{ SPEC_TRACEPOINT, "tracepoint", false }, { SPEC_SYSCALL, "syscall", false },
		{ SPEC_KPROBE, "kprobe", false },	 { SPEC_KRETPROBE, "kretprobe", false },
		{ SPEC_KCALL, "kcall", false },		 { SPEC_PROFILE, "profile", false },
		{ SPEC_BEGIN, "begin", false },		 { SPEC_END, "end", false },
		{ SPEC_INTERVAL, "interval", false },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_EQ_STR(spec_kind_name(want[i].kind), want[i].name);
		CHECK_EQ_INT(spec_is_user(want[i].kind), want[i].user);
	}
	CHECK_EQ_STR(spec_kind_name((enum spec_kind)99), "?");
}

/* A failed parse leaves no stale fields from an earlier one. */
static void test_reset(void)
{
	struct spec s;
	char err[64];

	OK("usdt:/bin/x:prov:probe", SPEC_USDT, "/bin/x", "probe", &s);
	OK("libc:malloc", SPEC_UPROBE, "libc", "malloc", &s);
	CHECK_EQ_STR(s.provider, "");
	OK("libc:malloc+8", SPEC_UPROBE, "libc", "malloc", &s);
	OK("libc:free", SPEC_UPROBE, "libc", "free", &s);
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
