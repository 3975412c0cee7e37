// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the JSON encoder (src/export/json_enc.h) with no kernel: bytes as strings
 * only when they are valid UTF-8 without NUL (else hex), log2 and linear buckets' bounds, an
 * aggregate of a catalog built by hand (keys by site and argument, a signed histogram's
 * negative bucket first, durations in ns), the end line's drop counters by name.
 */
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "agg_snapshot.h"
#include "json_enc.h"
#include "unit.h"

static char *text(struct json_object *o)
{
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return s;
}

static void check_bytes(const char *in, size_t len, const char *want)
{
	char *got = text(json_enc_bytes(in, len));

	CHECK_EQ_STR(got, want);
	free(got);
}

static void test_bytes(void)
{
	check_bytes("plain \"q\" \\ \n", 13, "\"plain \\\"q\\\" \\\\ \\n\"");
	check_bytes("\xc3\xa9t\xc3\xa9", 5, "\"\xc3\xa9t\xc3\xa9\"");	/* été */
	check_bytes("\xf0\x9f\x99\x82", 4, "\"\xf0\x9f\x99\x82\"");	/* U+1F642 */
	check_bytes("a\xff" "b", 3, "{\"hex\":\"61ff62\"}");
	check_bytes("x\0y", 3, "{\"hex\":\"780079\"}");
	check_bytes("\xc0\xaf", 2, "{\"hex\":\"c0af\"}");		/* overlong '/' */
	check_bytes("\xed\xa0\x80", 3, "{\"hex\":\"eda080\"}");	/* a surrogate */
	check_bytes("\xe2\x82", 2, "{\"hex\":\"e282\"}");		/* cut short */
	check_bytes("\xf4\x90\x80\x80", 4, "{\"hex\":\"f4908080\"}");	/* past U+10FFFF */
	check_bytes("", 0, "\"\"");
}

static void test_buckets(void)
{
	struct json_agg_info lin = { .agg = "lhist", .lmin = 0, .lmax = 10, .lstep = 3 };
	struct json_bucket b;

	b = json_log2_bucket(0, 1);
	CHECK(b.has_lo && b.has_hi && b.lo == 0 && b.hi == 1);
	b = json_log2_bucket(14, 1);
	CHECK(b.lo == 8192 && b.hi == 16384);
	b = json_log2_bucket(-1, 2);
	CHECK(!b.has_lo && b.has_hi && b.hi == 0 && b.count == 2);
	b = json_log2_bucket(LT_HIST_SLOTS - 1, 2);	/* the kernel's negatives */
	CHECK(!b.has_lo && b.hi == 0);
	b = json_linear_bucket(&lin, 0, 1);
	CHECK(!b.has_lo && b.hi == 0);
	b = json_linear_bucket(&lin, 4, 1);		/* [9, 12) cut at max */
	CHECK(b.lo == 9 && b.hi == 10);
	b = json_linear_bucket(&lin, 5, 1);
	CHECK(b.has_lo && !b.has_hi && b.lo == 10);
}

static void test_catalog(void)
{
	char *sites[] = { "f\"1", "g" };
	struct agg_desc d[2] = {
		{ .id = 0, .text = "call:x:f*", .name = "lat", .kind = "uprobe",
		  .agg_kind = LT_AGG_HIST, .agg_by = LT_BY_SITE, .agg_src = LT_SRC_DURATION,
		  .sites = sites, .nsites = 2 },
		{ .id = 2, .text = "x:h", .name = "x:h", .kind = "uprobe", .agg_kind = LT_AGG_HIST,
		  .agg_by = LT_BY_NONE, .agg_src = LT_SRC_RET, .is_signed = true },
	};
	struct agg_catalog cat = { .d = d, .n = 2 };
	uint64_t s0[LT_HIST_SLOTS] = { [22] = 3, [23] = 1 };
	uint64_t s2[LT_HIST_SLOTS] = { [0] = 1, [LT_HIST_SLOTS - 1] = 2 };
	struct agg_entry e0[] = { { .desc = 0, .key = 0, .total = { 4, 12000001, 2100000, 5000000 },
				    .slot = s0 } };
	struct agg_entry e2[] = { { .desc = 1, .total = { 3, (uint64_t)-4, (uint64_t)-3, 0 },
				    .slot = s2 } };
	struct json_object *o = json_enc_catalog_agg(&cat, 0, e0, 1), *ts;
	char *got;

	json_object_object_del(o, "ts_ns");
	got = text(o);
	CHECK_EQ_STR(got, "{\"type\":\"agg\",\"name\":\"lat\",\"probe\":\"call:x:f*\",\"agg\":\"hist\","
		     "\"unit\":\"ns\",\"by\":\"func\",\"rows\":[{\"key\":\"f\\\"1\",\"count\":4,"
		     "\"sum\":12000001,\"min\":2100000,\"max\":5000000,\"buckets\":["
		     "{\"lo\":2097152,\"hi\":4194304,\"count\":3},"
		     "{\"lo\":4194304,\"hi\":8388608,\"count\":1}]}]}");
	free(got);
	o = json_enc_catalog_agg(&cat, 1, e2, 1);
	CHECK(json_object_object_get_ex(o, "ts_ns", &ts) && json_object_get_int64(ts) > 0);
	json_object_object_del(o, "ts_ns");
	got = text(o);
	/* signed: the negatives' bucket first, values as signed integers */
	CHECK_EQ_STR(got, "{\"type\":\"agg\",\"name\":\"x:h\",\"probe\":\"x:h\",\"agg\":\"hist\","
		     "\"unit\":null,\"by\":null,\"rows\":[{\"key\":null,\"count\":3,\"sum\":-4,"
		     "\"min\":-3,\"max\":0,\"buckets\":[{\"hi\":0,\"count\":2},"
		     "{\"lo\":0,\"hi\":1,\"count\":1}]}]}");
	free(got);
}

static void test_by_name(void)
{
	char buf[16];

	CHECK_EQ_STR(json_by_name(LT_BY_SITE, buf, sizeof(buf)), "func");
	CHECK_EQ_STR(json_by_name(LT_BY_ARG1 + 2, buf, sizeof(buf)), "arg3");
	CHECK(json_by_name(LT_BY_NONE, buf, sizeof(buf)) == NULL);
}

int main(void)
{
	test_bytes();
	test_buckets();
	test_catalog();
	test_by_name();
	return unit_summary();
}
