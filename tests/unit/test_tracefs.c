// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of tp_format.c and tracefs.c against format files copied from a 6.18 kernel's
 * /sys/kernel/tracing/events (tests/unit/fixtures-tracefs/events/{sched,syscalls,...}),
 * one hand-written __rel_loc format (no event of that kernel has one) and malformed files
 * (events/broken/NAME): every field kind, decoding of records built here, glob matching over
 * the fixture tree, and each error with the line it names.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracefs.h"
#include "unit.h"

static struct tp_format load(const char *cat, const char *name)
{
	struct tp_format f;
	char err[512] = "";
	int rc = tracefs_format(cat, name, &f, err, sizeof(err));

	CHECK_EQ_INT(rc, 0);
	if (rc) {
		fprintf(stderr, "  (%s:%s: %s)\n", cat, name, err);
		memset(&f, 0, sizeof(f));
	}
	return f;
}

static const struct tp_field *field(const struct tp_format *f, const char *name)
{
	const struct tp_field *x = tp_format_field(f, name);

	CHECK(x != NULL);
	if (!x)
		fprintf(stderr, "  (no field %s)\n", name);
	return x;
}

static void check_field(const struct tp_format *f, const char *name, enum tp_field_kind kind,
			int offset, int size, int is_signed, const char *decl)
{
	const struct tp_field *x = field(f, name);

	if (!x)
		return;
	CHECK_EQ_INT(x->kind, kind);
	CHECK_EQ_INT(x->offset, offset);
	CHECK_EQ_INT(x->size, size);
	CHECK_EQ_INT(x->is_signed, is_signed);
	CHECK_EQ_STR(x->decl, decl);
}

static void test_sched_switch(void)
{
	struct tp_format f = load("sched", "sched_switch");

	CHECK_EQ_STR(f.name, "sched_switch");
	CHECK_EQ_INT(f.id, 372);
	CHECK_EQ_INT(f.nfields, 11);
	CHECK_EQ_INT(f.ncommon, 4);
	CHECK_EQ_INT(f.size, 64);
	check_field(&f, "common_type", TPF_INT, 0, 2, 0, "unsigned short common_type");
	check_field(&f, "prev_comm", TPF_CHARS, 8, 16, 0, "char prev_comm[16]");
	check_field(&f, "prev_pid", TPF_INT, 24, 4, 1, "pid_t prev_pid");
	check_field(&f, "prev_state", TPF_INT, 32, 8, 1, "long prev_state");
	check_field(&f, "next_pid", TPF_INT, 56, 4, 1, "pid_t next_pid");
	CHECK(tp_format_field(&f, "nope") == NULL);
	CHECK_EQ_STR(tp_format_arg(&f, 1)->name, "prev_comm");
	CHECK_EQ_STR(tp_format_arg(&f, 7)->name, "next_prio");
	CHECK(tp_format_arg(&f, 8) == NULL);
	tp_format_free(&f);
}

/* Syscall formats: every argument is stored as 8 bytes; __syscall_nr is not an argument. */
static void test_syscalls(void)
{
	struct tp_format f = load("syscalls", "sys_enter_openat");
	const struct tp_field *x;

	check_field(&f, "__syscall_nr", TPF_INT, 8, 4, 1, "int __syscall_nr");
	check_field(&f, "dfd", TPF_INT, 16, 8, 0, "int dfd");
	check_field(&f, "filename", TPF_PTR, 24, 8, 0, "const char * filename");
	check_field(&f, "mode", TPF_INT, 40, 8, 0, "umode_t mode");
	CHECK_EQ_STR(tp_format_arg(&f, 1)->name, "dfd");
	CHECK_EQ_STR(tp_format_arg(&f, 2)->name, "filename");
	CHECK_EQ_STR(tp_format_arg(&f, 4)->name, "mode");
	CHECK(tp_format_arg(&f, 5) == NULL);
	CHECK(tp_field_is_scalar(tp_format_field(&f, "filename")));
	tp_format_free(&f);

	f = load("syscalls", "sys_exit_openat");
	check_field(&f, "ret", TPF_INT, 16, 8, 1, "long ret");
	tp_format_free(&f);

	f = load("raw_syscalls", "sys_enter");
	check_field(&f, "id", TPF_INT, 8, 8, 1, "long id");
	check_field(&f, "args", TPF_ARRAY, 16, 48, 0, "unsigned long args[6]");
	if ((x = tp_format_field(&f, "args")))
		CHECK_EQ_INT(x->elem_size, 8);
	tp_format_free(&f);
}

static void test_kinds(void)
{
	struct tp_format f = load("dma", "dma_map_sg");
	const struct tp_field *x;

	check_field(&f, "device", TPF_STR_LOC, 8, 4, 0, "__data_loc char[] device");
	check_field(&f, "truncated", TPF_BOOL, 20, 1, 0, "bool truncated");
	check_field(&f, "phys_addrs", TPF_ARRAY_LOC, 24, 4, 0, "__data_loc u64[] phys_addrs");
	check_field(&f, "lengths", TPF_ARRAY_LOC, 32, 4, 0, "__data_loc unsigned int[] lengths");
	check_field(&f, "dir", TPF_INT, 36, 4, 0, "enum dma_data_direction dir");
	if ((x = tp_format_field(&f, "phys_addrs")))
		CHECK_EQ_INT(x->elem_size, 8);
	if ((x = tp_format_field(&f, "lengths")))
		CHECK_EQ_INT(x->elem_size, 4);
	tp_format_free(&f);

	f = load("bridge", "br_fdb_add");
	check_field(&f, "ndm_flags", TPF_INT, 8, 1, 0, "u8 ndm_flags");
	check_field(&f, "addr", TPF_ARRAY, 16, 6, 0, "unsigned char addr[6]");
	check_field(&f, "vid", TPF_INT, 22, 2, 0, "u16 vid");
	if ((x = tp_format_field(&f, "addr")))
		CHECK_EQ_INT(x->elem_size, 1);
	tp_format_free(&f);

	f = load("ftrace", "print");
	check_field(&f, "buf", TPF_FLEX_STR, 16, 0, 0, "char buf[]");
	CHECK_EQ_INT(f.size, 16);
	tp_format_free(&f);

	f = load("synthetic", "rel_loc");
	check_field(&f, "msg", TPF_STR_LOC, 8, 4, 0, "__rel_loc char[] msg");
	if ((x = tp_format_field(&f, "msg")))
		CHECK(x->rel);
	tp_format_free(&f);
}

static void put32(uint8_t *rec, int off, uint32_t v)
{
	memcpy(rec + off, &v, 4);
}

/* sched_process_exec: __data_loc filename, then pid and old_pid, then the string. */
static void test_decode_loc(void)
{
	struct tp_format f = load("sched", "sched_process_exec");
	const struct tp_field *fn = field(&f, "filename"), *pid = field(&f, "pid");
	uint8_t rec[64] = { 0 };
	const uint8_t *p;
	int64_t v;
	size_t n;

	if (!fn || !pid)
		goto out;
	put32(rec, 8, 10u << 16 | 20);	/* 10 bytes at offset 20 */
	put32(rec, 12, (uint32_t)-7);
	memcpy(rec + 20, "/bin/true", 10);
	CHECK_EQ_INT(tp_field_bytes(fn, rec, 30, &p, &n), 0);
	CHECK_EQ_INT(n, 9);
	CHECK(!memcmp(p, "/bin/true", 9));
	CHECK_EQ_INT(tp_field_int(pid, rec, 30, &v), 0);
	CHECK_EQ_INT(v, -7);
	/* The string runs past the record: refused, not read. */
	CHECK_EQ_INT(tp_field_bytes(fn, rec, 25, &p, &n), -ERANGE);
	CHECK_EQ_INT(tp_field_int(pid, rec, 14, &v), -ERANGE);
	CHECK_EQ_INT(tp_field_int(fn, rec, 30, &v), -EINVAL);
	CHECK_EQ_INT(tp_field_bytes(pid, rec, 30, &p, &n), -EINVAL);
out:
	tp_format_free(&f);
}

static void test_decode_arrays(void)
{
	struct tp_format f = load("dma", "dma_map_sg");
	const struct tp_field *lens = field(&f, "lengths"), *tr = field(&f, "truncated");
	uint8_t rec[96] = { 0 };
	int64_t v;

	if (!lens || !tr)
		goto out;
	put32(rec, 32, 12u << 16 | 48);	/* three unsigned ints at 48 */
	put32(rec, 48, 1);
	put32(rec, 52, 0xffffffff);
	put32(rec, 56, 3);
	rec[20] = 1;
	CHECK_EQ_INT(tp_field_nelem(lens, rec, 60), 3);
	CHECK_EQ_INT(tp_field_elem(lens, rec, 60, 1, &v), 0);
	CHECK_EQ_INT(v, 0xffffffffLL);
	CHECK_EQ_INT(tp_field_elem(lens, rec, 60, 3, &v), -ERANGE);
	CHECK_EQ_INT(tp_field_int(tr, rec, 60, &v), 0);
	CHECK_EQ_INT(v, 1);
out:
	tp_format_free(&f);
}

static void test_decode_rel_flex(void)
{
	struct tp_format f = load("synthetic", "rel_loc"), g;
	const struct tp_field *msg = field(&f, "msg"), *buf;
	uint8_t rec[64] = { 0 };
	const uint8_t *p;
	size_t n;

	if (msg) {
		put32(rec, 8, 3u << 16 | 4);	/* from the end of msg (12) + 4: offset 16 */
		memcpy(rec + 16, "hi", 3);
		CHECK_EQ_INT(tp_field_bytes(msg, rec, 19, &p, &n), 0);
		CHECK_EQ_INT(n, 2);
		CHECK(!memcmp(p, "hi", 2));
	}
	tp_format_free(&f);
	g = load("ftrace", "print");
	if ((buf = field(&g, "buf"))) {
		memcpy(rec + 16, "hello\0junk", 10);
		CHECK_EQ_INT(tp_field_bytes(buf, rec, 26, &p, &n), 0);
		CHECK_EQ_INT(n, 5);
	}
	tp_format_free(&g);
}

/* A malformed file fails with -EINVAL and a message starting with msg. */
static void check_broken(int line, const char *name, const char *msg)
{
	struct tp_format f;
	char err[512] = "";
	int rc = tracefs_format("broken", name, &f, err, sizeof(err));
	const char *tail = strstr(err, "format: ");

	CHECK_EQ_INT(rc, -EINVAL);
	CHECK(tail && !strncmp(tail + 8, msg, strlen(msg)));
	if (rc != -EINVAL || !tail || strncmp(tail + 8, msg, strlen(msg)))
		fprintf(stderr, "  (line %d: %s: got '%s', want '%s')\n", line, name, err, msg);
}

static void test_malformed(void)
{
	struct tp_format f;
	char err[512] = "";

	check_broken(__LINE__, "missing_offset", "line 9: bad or missing offset/size");
	check_broken(__LINE__, "no_semicolon", "line 9: bad or missing offset/size");
	check_broken(__LINE__, "bad_size", "line 9: bad or missing offset/size");
	check_broken(__LINE__, "huge_offset", "line 9: bad or missing offset/size");
	check_broken(__LINE__, "bad_signed", "line 9: bad signed");
	check_broken(__LINE__, "no_name", "line 9: cannot read declaration 'int '");
	check_broken(__LINE__, "loc_size", "line 9: cannot read declaration");
	check_broken(__LINE__, "dup_field", "line 10: field 'x' declared twice");
	check_broken(__LINE__, "no_fields", "no fields");
	check_broken(__LINE__, "empty", "no fields");
	CHECK_EQ_INT(tracefs_format("sched", "nope", &f, err, sizeof(err)), -ENOENT);
	CHECK_EQ_STR(err, "no tracepoint sched:nope");
	CHECK_EQ_INT(tp_format_parse("field:int x;\toffset:8;\tsize:4;", &f, err, sizeof(err)), 0);
	CHECK_EQ_INT(f.nfields, 1);	/* signed: may be missing (old kernels) */
	tp_format_free(&f);
}

static void check_match(int line, const char *cat, const char *name, const char *want)
{
	struct tp_names l;
	char got[512] = "", err[256] = "";

	CHECK_EQ_INT(tracefs_match(cat, name, &l, err, sizeof(err)), 0);
	for (size_t i = 0; i < l.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s", i ? " " : "",
			 l.v[i].category, l.v[i].name);
	CHECK_EQ_STR(got, want);
	if (strcmp(got, want))
		fprintf(stderr, "  (line %d)\n", line);
	tp_names_free(&l);
}

static void test_match(void)
{
	check_match(__LINE__, "sched", "sched_*", "sched:sched_process_exec "
		    "sched:sched_process_fork sched:sched_switch sched:sched_wakeup");
	check_match(__LINE__, "*", "sys_enter*", "raw_syscalls:sys_enter syscalls:sys_enter_openat "
		    "syscalls:sys_enter_read");
	check_match(__LINE__, "sched", "sched_switch", "sched:sched_switch");
	check_match(__LINE__, "sched", "enable", "");
	check_match(__LINE__, "nope", "*", "");
	check_match(__LINE__, "ftrace", "*", "ftrace:print");
}

int main(void)
{
	char dir[PATH_MAX], src[PATH_MAX];

	snprintf(src, sizeof(src), "%s", __FILE__);
	snprintf(dir, sizeof(dir), "%s/fixtures-tracefs", dirname(src));
	tracefs_set_root(dir);
	test_sched_switch();
	test_syscalls();
	test_kinds();
	test_decode_loc();
	test_decode_arrays();
	test_decode_rel_flex();
	test_malformed();
	test_match();
	return unit_summary();
}
