// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the Prometheus text encoder (src/export/prom_text.c) and the naming rule
 * (src/export/prom_names.c) on a catalog built by hand: no kernel. Label escaping and
 * invalid UTF-8, durations as exact decimal seconds, log2 slots as cumulative le buckets
 * (a signed histogram's le="-1"), family names by kind and unit, the series cap.
 */
#include <stdlib.h>
#include <string.h>

#include "agg_snapshot.h"
#include "prom_names.h"
#include "prom_text.h"
#include "unit.h"

static char *encode(struct agg_catalog *cat, struct prom_conf *meta, struct agg_entry *e,
		    size_t n, size_t cap, struct prom_counts *pc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	prom_write_aggs(f, cat, meta, e, n, cap, pc);
	fclose(f);
	return buf;
}

#define CHECK_HAS(text, needle)                                                          \
	do {                                                                              \
		if (strstr(text, needle)) {                                               \
			unit_passed++;                                                    \
		} else {                                                                  \
			fprintf(stderr, "%s:%d: missing '%s' in:\n%s\n", __FILE__, __LINE__, \
				needle, text);                                            \
			unit_failed++;                                                    \
		}                                                                         \
	} while (0)

static void test_escape(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	prom_escape(f, "a\"b\\c\nd\xff\xc3\xa9\xe2\x82", true);
	prom_escape(f, "|\"h\"", false);
	fclose(f);
	/* é kept, a lone 0xff and a cut 3-byte sequence each become U+FFFD */
	CHECK(!strcmp(buf, "a\\\"b\\\\c\\nd\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd|\"h\""));
	free(buf);
}

static void test_names(void)
{
	struct agg_desc d = { .name = "call:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc" };
	struct prom_conf conf = { .name = "req_seconds" };
	char stem[128];

	prom_stem(&d, NULL, stem, sizeof(stem));
	CHECK(!strcmp(stem, "ltrace_call_libc_malloc"));
	d.name = "syscall:read,write";
	prom_stem(&d, NULL, stem, sizeof(stem));
	CHECK(!strcmp(stem, "ltrace_syscall_read_write"));
	d.name = "call:libc:str*";
	prom_stem(&d, NULL, stem, sizeof(stem));
	CHECK(!strcmp(stem, "ltrace_call_libc_str"));
	prom_stem(&d, &conf, stem, sizeof(stem));
	CHECK(!strcmp(stem, "req"));	/* the unit is added back by kind */
	CHECK(prom_metric_name_ok("a_b1"));
	CHECK(!prom_metric_name_ok("1a"));
	CHECK(!prom_metric_name_ok("a-b"));
	CHECK(!prom_label_name_ok("le"));
	CHECK(!prom_label_name_ok("__x"));
	CHECK(prom_own_name("ltrace_session_x"));
}

static void test_hist_and_count(void)
{
	char *sites[] = { "f\"1", "g" };
	struct agg_desc d[3] = {
		{ .id = 0, .text = "call:x:f*", .name = "call:x:f*", .kind = "uprobe",
		  .agg_kind = LT_AGG_HIST, .agg_by = LT_BY_SITE, .agg_src = LT_SRC_DURATION,
		  .sites = sites, .nsites = 2 },
		{ .id = 1, .text = "x:g", .name = "x:g", .kind = "uprobe", .agg_kind = LT_AGG_COUNT,
		  .agg_by = LT_BY_ARG1, .agg_src = LT_SRC_ARG1, .key_type = VT_INT },
		{ .id = 2, .text = "x:h", .name = "x:h", .kind = "uprobe", .agg_kind = LT_AGG_HIST,
		  .agg_by = LT_BY_NONE, .agg_src = LT_SRC_RET, .is_signed = true },
	};
	struct agg_catalog cat = { .d = d, .n = 3 };
	struct prom_conf meta[3] = {
		{ .name = "lat", .help = "latency", .key_label = "function" },
		{ .name = "ltrace_x_g", .help = "g calls", .key_label = "arg1" },
		{ .name = "ret", .help = "h's return" },
	};
	uint64_t s0[LT_HIST_SLOTS] = { [22] = 3, [23] = 1 }, s1[LT_HIST_SLOTS] = { [1] = 2 };
	uint64_t s2[LT_HIST_SLOTS] = { [0] = 1, [LT_HIST_SLOTS - 1] = 2 };
	struct agg_entry e[] = {
		{ .desc = 0, .key = 0, .total = { 4, 4 * 3000000ull + 1, 2100000, 5000000 }, .slot = s0 },
		{ .desc = 0, .key = 1, .total = { 2, 3, 1, 2 }, .slot = s1 },
		{ .desc = 1, .key = (uint64_t)-5, .total = { 7, 7, 1, 1 } },
		{ .desc = 2, .total = { 3, (uint64_t)-4, (uint64_t)-3, 0 }, .slot = s2 },
	};
	struct prom_counts pc;
	char *out = encode(&cat, meta, e, 4, 100, &pc);

	CHECK_HAS(out, "# HELP lat_seconds latency\n# TYPE lat_seconds histogram\n");
	/* slot 22 holds [2^21, 2^22) ns: le = 2^22 - 1 ns, exact */
	CHECK_HAS(out, "lat_seconds_bucket{probe=\"call:x:f*\",function=\"f\\\"1\",le=\"0.004194303\"} 3\n");
	CHECK_HAS(out, "lat_seconds_bucket{probe=\"call:x:f*\",function=\"f\\\"1\",le=\"0.008388607\"} 4\n");
	CHECK_HAS(out, "lat_seconds_bucket{probe=\"call:x:f*\",function=\"f\\\"1\",le=\"+Inf\"} 4\n");
	CHECK_HAS(out, "lat_seconds_sum{probe=\"call:x:f*\",function=\"f\\\"1\"} 0.012000001\n");
	CHECK_HAS(out, "lat_seconds_count{probe=\"call:x:f*\",function=\"f\\\"1\"} 4\n");
	/* every series of an aggregate has the same buckets: g's too, up to slot 23 */
	CHECK_HAS(out, "lat_seconds_bucket{probe=\"call:x:f*\",function=\"g\",le=\"0.000000001\"} 2\n");
	CHECK_HAS(out, "lat_seconds_bucket{probe=\"call:x:f*\",function=\"g\",le=\"0.008388607\"} 2\n");
	CHECK_HAS(out, "# TYPE ltrace_x_g_total counter\nltrace_x_g_total{probe=\"x:g\",arg1=\"-5\"} 7\n");
	/* signed: negatives below every bucket, a signed sum */
	CHECK_HAS(out, "ret_bucket{probe=\"x:h\",le=\"-1\"} 2\nret_bucket{probe=\"x:h\",le=\"0\"} 3\n");
	CHECK_HAS(out, "ret_sum{probe=\"x:h\"} -4\n");
	CHECK_EQ_INT(pc.series, 4);
	CHECK_EQ_INT(pc.cut, 0);
	free(out);
	out = encode(&cat, meta, e, 4, 2, &pc);
	CHECK_EQ_INT(pc.series, 2);
	CHECK_EQ_INT(pc.cut, 2);
	CHECK(!strstr(out, "ret_count"));	/* families in name order: lat, ltrace_x_g, ret */
	free(out);
}

int main(void)
{
	test_escape();
	test_names();
	test_hist_and_count();
	return unit_summary();
}
