// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of fetch.c: each type word and its lt_fetch encoding (register-only types need
 * no fetch), "@OFF", "out:", "/argN" and their errors; value_extend per width; src_parse;
 * pred_parse per operator and constant; capture_get walking a hand-built data area.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "unit.h"

#define STRSIZE 200	/* default string length passed to fetch_parse */
#define ARG2 (LT_SRC_ARG1 + 1)

static const char bad_type_fmt[] =
	"bad type '%s' (int, uint, ptr, str, bytes:N, iov:N, i32, char, ...; @OFF, out:, /argN)";

/* The expected result of one fetch_parse. */
struct want {
	const char *text;
	int src;
	enum value_type type;
	int needs_fetch;
	/* the op, when needs_fetch */
	int kind, deref, at_return, len_src, len, off;
};

static void check_fetch(int line, const struct want *w)
{
	int before = unit_failed, needs_fetch = -1;
	enum value_type type = (enum value_type)-1;
	struct lt_fetch op, zero = { 0 };
	char err[256] = "";

	memset(&op, 0xa5, sizeof(op));
	CHECK_EQ_INT(fetch_parse(w->text, w->src, STRSIZE, &op, &needs_fetch, &type, err,
				 sizeof(err)), 0);
	CHECK_EQ_INT(type, w->type);
	CHECK_EQ_INT(needs_fetch, w->needs_fetch);
	if (!w->needs_fetch) {
		CHECK(!memcmp(&op, &zero, sizeof(op)));
	} else {
		CHECK_EQ_INT(op.src, w->src);
		CHECK_EQ_INT(op.kind, w->kind);
		CHECK_EQ_INT(op.deref, w->deref);
		CHECK_EQ_INT(op.at_return, w->at_return);
		CHECK_EQ_INT(op.len_src, w->len_src);
		CHECK_EQ_INT(op.len, w->len);
		CHECK_EQ_INT(op.off, w->off);
		CHECK_EQ_INT(op.off2, 0);
		CHECK_EQ_INT(op.space, LT_SPACE_USER);
	}
	if (unit_failed != before)
		fprintf(stderr, "  (line %d: type '%s', err '%s')\n", line, w->text, err);
}

/* fetch_parse fails with -EINVAL; msg_kind 't': "bad type", 'l': "bad length", 0: any. */
static void check_fetch_bad(int line, const char *text, int msg_kind)
{
	int before = unit_failed, needs_fetch = -1;
	struct lt_fetch op, zero = { 0 };
	enum value_type type;
	char err[256] = "", want[256];

	memset(&op, 0xa5, sizeof(op));
	CHECK_EQ_INT(fetch_parse(text, ARG2, STRSIZE, &op, &needs_fetch, &type, err, sizeof(err)),
		     -EINVAL);
	CHECK_EQ_INT(needs_fetch, 0);
	CHECK(!memcmp(&op, &zero, sizeof(op)));
	if (msg_kind == 't') {
		snprintf(want, sizeof(want), bad_type_fmt, text);
		CHECK_EQ_STR(err, want);
	} else if (msg_kind == 'l') {
		snprintf(want, sizeof(want), "bad length in '%s' (bytes need :N, at most %d)", text,
			 LT_FETCH_MAX_LEN);
		CHECK_EQ_STR(err, want);
	} else {
		CHECK(err[0] != 0);
	}
	if (unit_failed != before)
		fprintf(stderr, "  (line %d: type '%s')\n", line, text);
}

#define BAD_FETCH(text, kind) check_fetch_bad(__LINE__, text, kind)

static void test_register_types(void)
{
	static const struct {
		const char *text;
		enum value_type type;
	} regs[] = {
		{ "int", VT_INT },	{ "long", VT_INT },	  { "i64", VT_INT },
		{ "s64", VT_INT },	{ "uint", VT_UINT },	  { "ulong", VT_UINT },
		{ "u64", VT_UINT },	{ "size_t", VT_UINT },	  { "ptr", VT_PTR },
		{ "addr", VT_PTR },	{ "i32", VT_I32 },	  { "int32", VT_I32 },
		{ "u32", VT_U32 },	{ "uint32", VT_U32 },	  { "i16", VT_I16 },
		{ "short", VT_I16 },	{ "u16", VT_U16 },	  { "ushort", VT_U16 },
		{ "i8", VT_I8 },	{ "u8", VT_U8 },	  { "char", VT_CHAR },
		{ "bool", VT_BOOL },	{ "out:int", VT_INT },	  { "out:ptr", VT_PTR },
	};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		struct want w = { .text = regs[i].text, .type = regs[i].type };

		w.src = ARG2;
		check_fetch(__LINE__, &w);
		w.src = LT_SRC_RET;
		check_fetch(__LINE__, &w);
	}
}

static void test_memory_types(void)
{
	const int none = LT_SRC_NONE, str = LT_FETCH_STR, bytes = LT_FETCH_BYTES;
	const int u64 = LT_FETCH_U64, ret = LT_SRC_RET, iov = LT_FETCH_IOV;
	const struct want mem[] = {
		/* text, src, type, needs_fetch, kind, deref, at_return, len_src, len, off */
		{ "str", ARG2, VT_STR, 1, str, 0, 0, none, STRSIZE, 0 },
		{ "string", ARG2, VT_STR, 1, str, 0, 0, none, STRSIZE, 0 },
		{ "str:64", ARG2, VT_STR, 1, str, 0, 0, none, 64, 0 },
		{ "string[32]", ARG2, VT_STR, 1, str, 0, 0, none, 32, 0 },
		{ "str:1024", ARG2, VT_STR, 1, str, 0, 0, none, LT_FETCH_MAX_LEN, 0 },
		{ "bytes:16", ARG2, VT_BYTES, 1, bytes, 0, 0, none, 16, 0 },
		{ "buf:8", ARG2, VT_BYTES, 1, bytes, 0, 0, none, 8, 0 },
		{ "buf[0x10]", ARG2, VT_BYTES, 1, bytes, 0, 0, none, 16, 0 },
		{ "bytes:1", LT_SRC_ARG1, VT_BYTES, 1, bytes, 0, 0, none, 1, 0 },
		/* @OFF on a scalar reads the word at value + OFF */
		{ "int@8", ARG2, VT_INT, 1, u64, 0, 0, none, 8, 8 },
		{ "u32@0", ARG2, VT_U32, 1, u64, 0, 0, none, 8, 0 },
		{ "i16@-4", ARG2, VT_I16, 1, u64, 0, 0, none, 8, -4 },
		{ "ptr@0x18", ARG2, VT_PTR, 1, u64, 0, 0, none, 8, 0x18 },
		/* @OFF on a string or buffer follows the pointer stored at value + OFF */
		{ "str@16", ARG2, VT_STR, 1, str, 1, 0, none, STRSIZE, 16 },
		{ "str@0", ARG2, VT_STR, 1, str, 1, 0, none, STRSIZE, 0 },
		{ "str:32@8", ARG2, VT_STR, 1, str, 1, 0, none, 32, 8 },
		{ "bytes:16/arg1@8", ARG2, VT_BYTES, 1, bytes, 1, 0, LT_SRC_ARG1, 16, 8 },
		/* out: and /LIMIT */
		{ "out:bytes:64/ret", ARG2, VT_BYTES, 1, bytes, 0, 1, ret, 64, 0 },
		{ "bytes:32/arg3", ARG2, VT_BYTES, 1, bytes, 0, 0, LT_SRC_ARG1 + 2, 32, 0 },
		{ "buf:8/retval", ARG2, VT_BYTES, 1, bytes, 0, 0, ret, 8, 0 },
		{ "out:str", ARG2, VT_STR, 1, str, 0, 1, none, STRSIZE, 0 },
		{ "out:int@4", ARG2, VT_INT, 1, u64, 0, 1, none, 8, 4 },
		{ "str/arg6", ARG2, VT_STR, 1, str, 0, 0, LT_SRC_ARG1 + 5, STRSIZE, 0 },
		/* iov: the buffers of an iovec array (the argument, or the one whose pointer is
		 * stored at @OFF: a msghdr's msg_iov), read as bytes */
		{ "out:iov:1024/ret", ARG2, VT_BYTES, 1, iov, 0, 1, ret, 1024, 0 },
		{ "out:iov:512/ret@16", ARG2, VT_BYTES, 1, iov, 1, 1, ret, 512, 16 },
		{ "iov:64/arg3", ARG2, VT_BYTES, 1, iov, 0, 0, LT_SRC_ARG1 + 2, 64, 0 },
		/* the return value is only there at return */
		{ "str", ret, VT_STR, 1, str, 0, 1, none, STRSIZE, 0 },
		{ "bytes:4", ret, VT_BYTES, 1, bytes, 0, 1, none, 4, 0 },
		{ "u8@1", ret, VT_U8, 1, u64, 0, 1, none, 8, 1 },
	};

	for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++)
		check_fetch(__LINE__, &mem[i]);
}

static void test_fetch_errors(void)
{
	char name[40];

	BAD_FETCH("bytes", 'l');
	BAD_FETCH("buf", 'l');
	BAD_FETCH("out:bytes/ret", 'l');
	BAD_FETCH("bytes@8", 'l');
	BAD_FETCH("str:99999", 'l');
	BAD_FETCH("str:1025", 'l');
	BAD_FETCH("bytes:1025", 'l');
	BAD_FETCH("out:iov/ret", 'l');
	BAD_FETCH("out:iov:1025/ret", 'l');
	BAD_FETCH("out:iov:64", 0);	/* no bound: past the bytes moved, iovecs may be stale */
	BAD_FETCH("int:4", 'l');
	BAD_FETCH("u8[1]", 'l');
	BAD_FETCH("int/arg1", 'l');
	BAD_FETCH("str:0", 't');
	BAD_FETCH("str:-1", 't');
	BAD_FETCH("str:", 't');
	BAD_FETCH("str:x", 't');
	BAD_FETCH("str:64x", 't');
	BAD_FETCH("string[32", 't');
	BAD_FETCH("string[32)", 't');
	BAD_FETCH("string[]", 't');
	BAD_FETCH("foo", 't');
	BAD_FETCH("Str", 't');
	BAD_FETCH("", 't');
	BAD_FETCH("str@", 't');
	BAD_FETCH("str@x", 't');
	BAD_FETCH("str@8x", 't');
	BAD_FETCH("@8", 't');
	BAD_FETCH("out:", 't');
	BAD_FETCH("out:out:str", 't');
	BAD_FETCH("in:str", 't');
	BAD_FETCH("str/", 't');
	BAD_FETCH("str/arg7", 't');
	BAD_FETCH("str/arg0", 't');
	BAD_FETCH("str/foo", 't');
	BAD_FETCH("str/argumentnumberone", 't');
	BAD_FETCH("str:64@8/arg1", 't');	/* LIMIT must come before @OFF */
	BAD_FETCH("str:64:32", 't');
	memset(name, 's', 32);
	name[32] = 0;
	BAD_FETCH(name, 't');
	/* Bug at the time of writing: the offset is cut to lt_fetch's 32-bit off. */
	BAD_FETCH("str@99999999999", 0);
	BAD_FETCH("int@0x80000000", 0);
}

static void test_value_types(void)
{
	static const char *const words[] = { "int", "uint", "ptr",  "i32",  "u32", "i16",  "u16",
					     "i8",  "u8",   "char", "bool", "str", "bytes" };
	static const enum value_type all[] = { VT_INT, VT_UINT, VT_PTR, VT_I32,	 VT_U32,
					       VT_I16, VT_U16,	VT_I8,	VT_U8,	 VT_CHAR,
					       VT_BOOL, VT_STR, VT_BYTES };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CHECK_EQ_STR(value_type_name(all[i]), words[i]);
	CHECK_EQ_STR(value_type_name((enum value_type)99), "?");
}

static void test_value_extend(void)
{
	static const struct {
		enum value_type type;
		uint64_t raw;
		int64_t want;
	} cases[] = {
		{ VT_INT, 0xffffffffffffffffULL, -1 },
		{ VT_INT, 0xffffffffULL, 0xffffffffLL },
		{ VT_INT, 0x8000000000000000ULL, INT64_MIN },
		{ VT_UINT, 0xffffffffULL, 0xffffffffLL },
		{ VT_UINT, 0xffffffffffffffffULL, -1 },	/* same bits; callers read uint64_t */
		{ VT_PTR, 0x7fff12345678ULL, 0x7fff12345678LL },
		{ VT_I32, 0xffffffffULL, -1 },
		{ VT_I32, 0x80000000ULL, INT32_MIN },
		{ VT_I32, 0x7fffffffULL, INT32_MAX },
		{ VT_I32, 0xdeadbeef00000005ULL, 5 },	/* upper half of the register: junk */
		{ VT_I32, 0x12345678ffffffffULL, -1 },
		{ VT_U32, 0xffffffffULL, 0xffffffffLL },
		{ VT_U32, 0x1ffffffffULL, 0xffffffffLL },
		{ VT_U32, 0x80000000ULL, 0x80000000LL },
		{ VT_I16, 0xffffULL, -1 },
		{ VT_I16, 0x8000ULL, INT16_MIN },
		{ VT_I16, 0x7fffULL, INT16_MAX },
		{ VT_I16, 0xffffffff0001ULL, 1 },
		{ VT_U16, 0xffffULL, 0xffff },
		{ VT_U16, 0xffffffffULL, 0xffff },
		{ VT_U16, 0x8000ULL, 0x8000 },
		{ VT_I8, 0x80ULL, -128 },
		{ VT_I8, 0xffULL, -1 },
		{ VT_I8, 0x7fULL, 127 },
		{ VT_I8, 0xffffff00ULL, 0 },
		{ VT_U8, 0x80ULL, 0x80 },
		{ VT_U8, 0xffffffffULL, 0xff },
		{ VT_U8, 0x180ULL, 0x80 },
		{ VT_CHAR, 0x41ULL, 'A' },
		{ VT_CHAR, 0xffffff41ULL, 'A' },
		{ VT_CHAR, 0xffULL, 0xff },
		{ VT_BOOL, 0, 0 },
		{ VT_BOOL, 1, 1 },
		{ VT_BOOL, 0xffULL, 1 },
		{ VT_BOOL, 0xffffffff00000001ULL, 1 },
		/*
		 * A bool lives in the low 8 bits of its register (x86-64 and arm64 ABIs leave
		 * the rest unspecified), as u8 and char do. Bug at the time of writing: these
		 * read as true.
		 */
		{ VT_BOOL, 0x100ULL, 0 },
		{ VT_BOOL, 0x7fffdeadbe00ULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = unit_failed;

		CHECK_EQ_INT(value_extend(cases[i].type, cases[i].raw), cases[i].want);
		if (unit_failed != before)
			fprintf(stderr, "  (value_extend(%s, 0x%llx))\n",
				value_type_name(cases[i].type), (unsigned long long)cases[i].raw);
	}
}

static void test_src_parse(void)
{
	static const char *const bad[] = { "arg0", "arg7", "arg",     "arg10", "arg1 ",    "ARG1",
					   "",	   "rets", "retvals", "re",    "durations", "dur" };
	char name[8];

	for (int i = 0; i < LT_MAX_ARGS; i++) {
		snprintf(name, sizeof(name), "arg%d", i + 1);
		CHECK_EQ_INT(src_parse(name), LT_SRC_ARG1 + i);
	}
	CHECK_EQ_INT(src_parse("ret"), LT_SRC_RET);
	CHECK_EQ_INT(src_parse("retval"), LT_SRC_RET);
	CHECK_EQ_INT(src_parse("duration"), LT_SRC_DURATION);
	CHECK_EQ_INT(src_parse("caller"), LT_SRC_CALLER);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int before = unit_failed;

		CHECK_EQ_INT(src_parse(bad[i]), -EINVAL);
		if (unit_failed != before)
			fprintf(stderr, "  (src_parse('%s'))\n", bad[i]);
	}
}

static void check_pred(int line, const char *text, int src, int op, uint64_t val, int is_signed)
{
	int before = unit_failed;
	struct lt_pred p;
	char err[256] = "";

	memset(&p, 0xa5, sizeof(p));
	CHECK_EQ_INT(pred_parse(text, &p, err, sizeof(err)), 0);
	CHECK_EQ_INT(p.src, src);
	CHECK_EQ_INT(p.op, op);
	CHECK_EQ_INT(p.val, val);
	CHECK_EQ_INT(p.is_signed, is_signed);
	for (size_t i = 0; i < sizeof(p.pad); i++)
		CHECK_EQ_INT(p.pad[i], 0);
	if (unit_failed != before)
		fprintf(stderr, "  (line %d: filter '%s', err '%s')\n", line, text, err);
}

/* pred_parse fails; bad_lhs names the lhs for that message, else the generic one. */
static void check_pred_bad(int line, const char *text, const char *bad_lhs)
{
	int before = unit_failed;
	char err[256] = "", want[256];
	struct lt_pred p;

	CHECK_EQ_INT(pred_parse(text, &p, err, sizeof(err)), -EINVAL);
	if (bad_lhs)
		snprintf(want, sizeof(want),
			 "bad filter '%s': '%s' is not arg1..arg6, ret, duration or caller", text, bad_lhs);
	else
		snprintf(want, sizeof(want),
			 "bad filter '%s' (expected e.g. 'arg1 > 5', 'ret != 0')", text);
	CHECK_EQ_STR(err, want);
	if (unit_failed != before)
		fprintf(stderr, "  (line %d: filter '%s')\n", line, text);
}

#define PRED(text, src, op, val, sgn) check_pred(__LINE__, text, src, op, val, sgn)
#define PRED_BAD(text, lhs) check_pred_bad(__LINE__, text, lhs)

static void test_pred_parse(void)
{
	const int a1 = LT_SRC_ARG1, ret = LT_SRC_RET, dur = LT_SRC_DURATION;

	PRED("arg1 > 5", a1, LT_OP_GT, 5, 1);
	PRED("arg1 < 5", a1, LT_OP_LT, 5, 1);
	PRED("arg3 >= 7", a1 + 2, LT_OP_GE, 7, 1);
	PRED("arg4 <= 0", a1 + 3, LT_OP_LE, 0, 1);
	PRED("ret == -1", ret, LT_OP_EQ, UINT64_MAX, 1);
	PRED("ret != 0", ret, LT_OP_NE, 0, 1);
	PRED("arg2 & 0x4", a1 + 1, LT_OP_MASK, 4, 1);
	PRED("duration >= 1000", dur, LT_OP_GE, 1000, 0);
	PRED("duration < 0x10", dur, LT_OP_LT, 16, 0);
	PRED("duration > -1", dur, LT_OP_GT, UINT64_MAX, 1);
	PRED("retval == 0", ret, LT_OP_EQ, 0, 1);
	/* spacing is free */
	PRED("arg1!=0", a1, LT_OP_NE, 0, 1);
	PRED("arg6<-1", a1 + 5, LT_OP_LT, (uint64_t)-1, 1);
	PRED("arg5>=0xff", a1 + 4, LT_OP_GE, 0xff, 1);
	PRED("  arg1   ==   7  ", a1, LT_OP_EQ, 7, 1);
	PRED("ret&1", ret, LT_OP_MASK, 1, 1);
	/* constants: decimal, hex, negative decimal and hex, the extremes */
	PRED("arg1 == 0x7fffffffffffffff", a1, LT_OP_EQ, INT64_MAX, 1);
	PRED("arg1 == -0x10", a1, LT_OP_EQ, (uint64_t)-16, 1);
	PRED("ret == -9223372036854775808", ret, LT_OP_EQ, (uint64_t)INT64_MIN, 1);
	/* Above INT64_MAX a constant can only mean an unsigned comparison. */
	PRED("ret == 18446744073709551615", ret, LT_OP_EQ, UINT64_MAX, 0);
	PRED("duration >= 18446744073709551615", dur, LT_OP_GE, UINT64_MAX, 0);

	PRED_BAD("foo > 5", "foo");
	PRED_BAD("arg0 == 0", "arg0");
	PRED_BAD("arg7 > 1", "arg7");
	PRED_BAD("arg10 > 1", "arg10");
	PRED_BAD("args > 1", "args");
	PRED_BAD("return != 0", "return");
	PRED_BAD("", NULL);
	PRED_BAD("arg1", NULL);
	PRED_BAD("arg1 >", NULL);
	PRED_BAD("arg1 = 5", NULL);
	PRED_BAD("arg1 >> 5", NULL);
	PRED_BAD("arg1 =< 5", NULL);
	PRED_BAD("arg1 <> 5", NULL);
	PRED_BAD("arg1 && 5", NULL);
	PRED_BAD("arg1 ! 5", NULL);
	PRED_BAD("arg1 > x", NULL);
	PRED_BAD("arg1 > 5x", NULL);
	PRED_BAD("arg1 > 0x", NULL);
	PRED_BAD("arg1 > 99999999999999999999", NULL);
	PRED_BAD("ret == -99999999999999999999", NULL);
	PRED_BAD("ARG1 > 5", NULL);
	PRED_BAD("> 5", NULL);
	/* Bugs at the time of writing: whatever follows the constant is ignored. */
	PRED_BAD("arg1 > 5 junk", NULL);
	PRED_BAD("arg1 > 5 && arg2 < 3", NULL);
}

/* Appends a capture header and n bytes at *pos; returns where the bytes start. */
static size_t put_cap(uint8_t *buf, size_t *pos, uint16_t len, uint8_t flags, const char *bytes,
		      size_t n)
{
	struct lt_cap cap = { .len = len, .flags = flags };
	size_t at;

	memcpy(buf + *pos, &cap, sizeof(cap));
	at = *pos + sizeof(cap);
	memcpy(buf + at, bytes, n);
	*pos = at + n;
	return at;
}

static void test_capture_get(void)
{
	/* One spare byte in front so the area itself starts unaligned. */
	uint8_t *mem = malloc(1 + 27), *data = mem + 1;
	const uint8_t *bytes;
	struct lt_cap cap;
	size_t pos = 0, at[3];
	uint32_t len;

	/* Headers land at 0, 7 and 11 (unaligned), then a final capture claiming 10 bytes
	 * with only 3 present. The allocation ends there, so ASan sees any overread. */
	at[0] = put_cap(data, &pos, 3, 0, "abc", 3);
	at[1] = put_cap(data, &pos, 0, LT_CAP_FAULT, "", 0);
	at[2] = put_cap(data, &pos, 5, LT_CAP_TRUNC, "hello", 5);
	put_cap(data, &pos, 10, 0, "xyz", 3);
	len = pos;
	CHECK_EQ_INT(len, 27);
	CHECK_EQ_INT(at[1], 11);

	CHECK_EQ_INT(capture_get(data, len, 0, &cap, &bytes), 0);
	CHECK_EQ_INT(cap.len, 3);
	CHECK_EQ_INT(cap.flags, 0);
	CHECK(bytes == data + at[0] && !memcmp(bytes, "abc", 3));

	CHECK_EQ_INT(capture_get(data, len, 1, &cap, &bytes), 0);
	CHECK_EQ_INT(cap.len, 0);
	CHECK_EQ_INT(cap.flags, LT_CAP_FAULT);
	CHECK(bytes == data + at[1]);

	CHECK_EQ_INT(capture_get(data, len, 2, &cap, &bytes), 0);
	CHECK_EQ_INT(cap.len, 5);
	CHECK_EQ_INT(cap.flags, LT_CAP_TRUNC);
	CHECK(bytes == data + at[2] && !memcmp(bytes, "hello", 5));

	bytes = NULL;
	CHECK_EQ_INT(capture_get(data, len, 3, &cap, &bytes), -ENOENT);	/* truncated */
	CHECK_EQ_INT(capture_get(data, len, 4, &cap, &bytes), -ENOENT);
	CHECK_EQ_INT(capture_get(data, len, 1000, &cap, &bytes), -ENOENT);
	CHECK_EQ_INT(capture_get(data, len, -1, &cap, &bytes), -ENOENT);
	CHECK(bytes == NULL);

	/* The walk honours len, not what lies beyond it. */
	CHECK_EQ_INT(capture_get(data, 20, 2, &cap, &bytes), 0);
	CHECK_EQ_INT(capture_get(data, 19, 2, &cap, &bytes), -ENOENT);	/* short by a byte */
	CHECK_EQ_INT(capture_get(data, 20, 3, &cap, &bytes), -ENOENT);
	CHECK_EQ_INT(capture_get(data, 22, 3, &cap, &bytes), -ENOENT);	/* half a header */
	CHECK_EQ_INT(capture_get(data, 24, 3, &cap, &bytes), -ENOENT);	/* header, no bytes */
	CHECK_EQ_INT(capture_get(data, 11, 1, &cap, &bytes), 0);	/* empty capture at end */
	CHECK_EQ_INT(capture_get(data, 10, 1, &cap, &bytes), -ENOENT);
	CHECK_EQ_INT(capture_get(data, 0, 0, &cap, &bytes), -ENOENT);
	CHECK_EQ_INT(capture_get(data, 3, 0, &cap, &bytes), -ENOENT);
	free(mem);
}

/* The largest capture a header can describe, read from an exactly sized area. */
static void test_capture_max(void)
{
	uint32_t len = sizeof(struct lt_cap) + UINT16_MAX;
	uint8_t *data = malloc(len);
	struct lt_cap cap = { .len = UINT16_MAX }, got;
	const uint8_t *bytes = NULL;

	memcpy(data, &cap, sizeof(cap));
	memset(data + sizeof(cap), 'x', UINT16_MAX);
	CHECK_EQ_INT(capture_get(data, len, 0, &got, &bytes), 0);
	CHECK_EQ_INT(got.len, UINT16_MAX);
	CHECK(bytes == data + sizeof(cap));
	CHECK_EQ_INT(capture_get(data, len - 1, 0, &got, &bytes), -ENOENT);
	CHECK_EQ_INT(capture_get(data, len, 1, &got, &bytes), -ENOENT);
	free(data);
}

/* A stack argument's captures: a kept pointer before the string (a readable one, an
 * unreadable one: pointer only, FAULT), an integer slot, and a slot never read. */
static void test_capture_kept_pointer(void)
{
	struct lt_probe_cfg cfg = { .nfetch = 3 };
	uint64_t p1 = 0x7fff00001234, p2 = 0xdead, word;
	uint8_t data[64], kept[16];
	const uint8_t *bytes;
	struct lt_cap cap;
	size_t pos = 0;

	cfg.fetch[0] = (struct lt_fetch){ .kind = LT_FETCH_STR, .deref = LT_DEREF_KEEP };
	cfg.fetch[1] = (struct lt_fetch){ .kind = LT_FETCH_STR, .deref = LT_DEREF_KEEP };
	cfg.fetch[2] = (struct lt_fetch){ .kind = LT_FETCH_U64 };
	memcpy(kept, &p1, 8);
	memcpy(kept + 8, "str", 3);
	put_cap(data, &pos, 11, 0, (const char *)kept, 11);
	put_cap(data, &pos, 8, LT_CAP_FAULT, (const char *)&p2, 8);
	put_cap(data, &pos, 8, 0, (const char *)&p1, 8);

	CHECK_EQ_INT(capture_value(&cfg, 0, data, pos, &cap, &bytes), 0);
	CHECK(cap.len == 3 && !memcmp(bytes, "str", 3));
	CHECK_EQ_INT(capture_word(&cfg, 0, data, pos, &word), 0);
	CHECK(word == p1);
	CHECK_EQ_INT(capture_value(&cfg, 1, data, pos, &cap, &bytes), 0);
	CHECK(cap.len == 0 && (cap.flags & LT_CAP_FAULT));
	CHECK_EQ_INT(capture_word(&cfg, 1, data, pos, &word), 0);
	CHECK(word == p2);
	CHECK_EQ_INT(capture_word(&cfg, 2, data, pos, &word), 0);
	CHECK(word == p1);
	CHECK_EQ_INT(capture_value(&cfg, 2, data, pos, &cap, &bytes), 0);
	CHECK(cap.len == 8 && bytes == data + pos - 8);
	CHECK_EQ_INT(capture_word(&cfg, -1, data, pos, &word), -ENOENT);
	CHECK_EQ_INT(capture_word(&cfg, 3, data, pos, &word), -ENOENT);
	/* A capture past the fetch ops (a template's own: BTF paths, raw records) as it is. */
	put_cap(data, &pos, 2, 0, "ok", 2);
	CHECK_EQ_INT(capture_value(&cfg, 3, data, pos, &cap, &bytes), 0);
	CHECK(cap.len == 2 && !memcmp(bytes, "ok", 2));
	CHECK_EQ_INT(capture_value(&cfg, -1, data, pos, &cap, &bytes), -ENOENT);
	/* The slot itself unreadable: no pointer to give. */
	pos = 0;
	put_cap(data, &pos, 0, LT_CAP_FAULT, "", 0);
	CHECK_EQ_INT(capture_word(&cfg, 0, data, pos, &word), -ENOENT);
	CHECK_EQ_INT(capture_value(&cfg, 0, data, pos, &cap, &bytes), -ENOENT);
}

int main(void)
{
	test_register_types();
	test_memory_types();
	test_fetch_errors();
	test_value_types();
	test_value_extend();
	test_src_parse();
	test_pred_parse();
	test_capture_get();
	test_capture_max();
	test_capture_kept_pointer();
	return unit_summary();
}
