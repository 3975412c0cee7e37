// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the OTLP exporter's parts that need no receiver: parent/child of calls from
 * their nesting on a thread (src/export/otlp_nest.c: children return first, threads do not
 * mix, a tree is one trace, aging, a script's traceparent), traceparent parsing
 * (trace_ids.c) and the JSON body (otlp_body.c: hex ids, integer enums, times and int64 as
 * strings, one resource per process).
 */
#include <stdlib.h>
#include <string.h>

#include "otlp_body.h"
#include "trace_ids.h"
#include "otlp_nest.h"
#include "unit.h"

static struct otlp_span *out[16];
static int nout;

static void collect(void *ctx, struct otlp_span *sp)
{
	if (nout < 16)
		out[nout++] = sp;
}

static struct otlp_span *call(const char *name, uint64_t start, uint64_t end)
{
	struct otlp_span *sp = otlp_span_new(name);

	trace_random_id(sp->span_id, 8);
	sp->start_ns = start;
	sp->end_ns = end;
	return sp;
}

static struct otlp_span *find(const char *name)
{
	for (int i = 0; i < nout; i++)
		if (!strcmp(out[i]->name, name))
			return out[i];
	return NULL;
}

static bool parent_is(const char *child, const char *parent)
{
	struct otlp_span *c = find(child), *p = find(parent);

	return c && p && c->has_parent && !memcmp(c->parent_id, p->span_id, 8) &&
	       !memcmp(c->trace_id, p->trace_id, 16);
}

static void reset(void)
{
	for (int i = 0; i < nout; i++)
		otlp_span_free(out[i]);
	nout = 0;
}

/* A [0,100] holds B [10,50] (which holds C [20,30]) and D [60,90]; E [200,210] follows;
 * thread 2's X [15,25] returns in the middle. Records come at returns: C X B D A E. */
static void test_nesting(void)
{
	struct otlp_nest *n = otlp_nest_new(collect, NULL);

	otlp_nest_add(n, 1, call("C", 20, 30));
	otlp_nest_add(n, 2, call("X", 15, 25));
	otlp_nest_add(n, 1, call("B", 10, 50));
	otlp_nest_add(n, 1, call("D", 60, 90));
	otlp_nest_add(n, 1, call("A", 0, 100));
	CHECK_EQ_INT(nout, 0);	/* all wait for a parent that may still come */
	otlp_nest_add(n, 1, call("E", 200, 210));
	otlp_nest_age(n, 100 + 1000000 * 5, 5);	/* A's tree has waited 5 ms: it goes */
	CHECK_EQ_INT(nout, 5);	/* A B C D, and X (ended at 25) */
	CHECK(!find("E"));
	CHECK(parent_is("C", "B"));
	CHECK(parent_is("B", "A"));
	CHECK(parent_is("D", "A"));
	CHECK(find("A") && !find("A")->has_parent);
	CHECK(find("X") && !find("X")->has_parent);	/* another thread: not A's child */
	CHECK(memcmp(find("X")->trace_id, find("A")->trace_id, 16));
	otlp_nest_free(n);	/* E goes at the end, in a trace of its own */
	CHECK_EQ_INT(nout, 6);
	CHECK(find("E") && !find("E")->has_parent);
	CHECK(memcmp(find("E")->trace_id, find("A")->trace_id, 16));
	reset();
}

static void test_script_parent(void)
{
	struct otlp_nest *n = otlp_nest_new(collect, NULL);
	uint8_t trace[16], span[8];

	CHECK(traceparent_ids_parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
				     trace, span));
	otlp_nest_set_parent(n, trace, span);
	otlp_nest_add(n, 1, call("in", 5, 6));
	otlp_nest_add(n, 1, call("out", 1, 9));
	otlp_nest_free(n);
	CHECK_EQ_INT(nout, 2);
	CHECK(find("out") && find("out")->has_parent && !memcmp(find("out")->parent_id, span, 8));
	CHECK(find("out") && !memcmp(find("out")->trace_id, trace, 16));
	CHECK(parent_is("in", "out"));
	reset();
}

static void test_traceparent(void)
{
	uint8_t t[16], s[8];
	char text[TRACEPARENT_LEN + 1];
	const char *good = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

	CHECK(traceparent_ids_parse(good, t, s));
	CHECK_EQ_INT(t[0], 0x0a);
	CHECK_EQ_INT(s[7], 0x31);
	traceparent_format(text, t, s);
	CHECK_EQ_STR(text, good);
	CHECK(!traceparent_ids_parse("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", t, s));
	CHECK(!traceparent_ids_parse("00-00000000000000000000000000000000-b7ad6b7169203331-01", t, s));
	CHECK(!traceparent_ids_parse("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", t, s));
	CHECK(!traceparent_ids_parse("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", t, s));
	CHECK(!traceparent_ids_parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331", t, s));
	CHECK(!traceparent_ids_parse("", t, s));
}

#define CHECK_HAS(text, needle)                                                          \
	do {                                                                              \
		if (text && strstr(text, needle)) {                                       \
			unit_passed++;                                                    \
		} else {                                                                  \
			fprintf(stderr, "%s:%d: missing '%s' in:\n%s\n", __FILE__, __LINE__, \
				needle, text ? text : "(null)");                          \
			unit_failed++;                                                    \
		}                                                                         \
	} while (0)

static void test_body(void)
{
	struct otlp_span *a = otlp_span_new("f\"x"), *b = otlp_span_new("g"), *spans[2] = { a, b };
	size_t len;
	char *body;

	memset(a->trace_id, 0xab, 16);
	memset(a->span_id, 0x01, 8);
	memset(a->parent_id, 0xcd, 8);
	a->has_parent = true;
	a->start_ns = 1700000000000000001ull;
	a->end_ns = 1700000000000000002ull;
	a->pid = 42;
	a->status = OTLP_STATUS_ERROR;
	otlp_span_service(a, "svc");
	otlp_span_int(a, "n", -5);
	otlp_span_bool(a, "ok", true);
	b->pid = 43;
	otlp_span_service(b, "svc");
	body = otlp_body(spans, 2, "host1", &len);
	CHECK_HAS(body, "\"traceId\":\"abababababababababababababababab\"");
	CHECK_HAS(body, "\"spanId\":\"0101010101010101\"");
	CHECK_HAS(body, "\"parentSpanId\":\"cdcdcdcdcdcdcdcd\"");
	CHECK_HAS(body, "\"name\":\"f\\\"x\"");
	CHECK_HAS(body, "\"kind\":1");
	CHECK_HAS(body, "\"startTimeUnixNano\":\"1700000000000000001\"");
	CHECK_HAS(body, "{\"key\":\"n\",\"value\":{\"intValue\":\"-5\"}}");
	CHECK_HAS(body, "{\"key\":\"ok\",\"value\":{\"boolValue\":true}}");
	CHECK_HAS(body, "\"status\":{\"code\":2}");
	CHECK_HAS(body, "{\"key\":\"process.pid\",\"value\":{\"intValue\":\"42\"}}");
	CHECK_HAS(body, "{\"key\":\"process.pid\",\"value\":{\"intValue\":\"43\"}}");
	CHECK_HAS(body, "{\"key\":\"host.name\",\"value\":{\"stringValue\":\"host1\"}}");
	CHECK(body && !strstr(strstr(body, "\"g\""), "parentSpanId"));	/* a root has none */
	free(body);
	otlp_span_free(a);
	otlp_span_free(b);
}

int main(void)
{
	test_nesting();
	test_script_parent();
	test_traceparent();
	test_body();
	return unit_summary();
}
