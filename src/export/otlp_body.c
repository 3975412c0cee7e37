/* OTLP JSON bodies with json-c (otlp_body.h). Runs on the sender's thread only. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "otlp_body.h"
#include "trace_ids.h"

/* {"key": K, "value": {"stringValue": ...}} and friends (common.proto's KeyValue). */
static json_object *key_value(const char *key, const char *kind, json_object *v)
{
	json_object *kv = json_object_new_object(), *any = json_object_new_object();

	json_object_object_add(any, kind, v);
	json_object_object_add(kv, "key", json_object_new_string(key));
	json_object_object_add(kv, "value", any);
	return kv;
}

/* int64 is a JSON string in the proto3 mapping (JavaScript loses bits past 2^53). */
static json_object *int64_string(int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return json_object_new_string(buf);
}

static json_object *uint64_string(uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_object_new_string(buf);
}

/* json-c objects are reference counted and may sit in several parents: a batch's spans
 * share one KeyValue for a string attribute they all have (the probe, the function, the
 * thread's name), which saves most of a span's allocations (each json-c object carries a
 * hash table of its own). */
#define SHARED 64

struct shared {
	const struct otlp_attr *a[SHARED];
	json_object *kv[SHARED];
	int n;
};

static json_object *attr(const struct otlp_attr *a, struct shared *sh)
{
	int i;

	if (a->type == OTLP_STR) {
		for (i = 0; i < sh->n; i++)
			if (!strcmp(sh->a[i]->key, a->key) && !strcmp(sh->a[i]->s, a->s))
				return json_object_get(sh->kv[i]);
		json_object *kv = key_value(a->key, "stringValue", json_object_new_string(a->s));

		if (sh->n < SHARED) {	/* the batch's first SHARED distinct ones */
			sh->a[sh->n] = a;
			sh->kv[sh->n++] = json_object_get(kv);
		}
		return kv;
	}
	switch (a->type) {
	case OTLP_INT: return key_value(a->key, "intValue", int64_string(a->i));
	case OTLP_DOUBLE: return key_value(a->key, "doubleValue", json_object_new_double(a->d));
	default: return key_value(a->key, "boolValue", json_object_new_boolean(a->b));
	}
}

static json_object *hex(const uint8_t *id, size_t n)
{
	char buf[33];

	trace_hex(buf, id, n);
	return json_object_new_string(buf);
}

static json_object *span_json(const struct otlp_span *sp, struct shared *sh)
{
	json_object *o = json_object_new_object(), *attrs = json_object_new_array();

	json_object_object_add(o, "traceId", hex(sp->trace_id, 16));
	json_object_object_add(o, "spanId", hex(sp->span_id, 8));
	if (sp->trace_state)
		json_object_object_add(o, "traceState", json_object_new_string(sp->trace_state));
	if (sp->has_parent)
		json_object_object_add(o, "parentSpanId", hex(sp->parent_id, 8));
	json_object_object_add(o, "name", json_object_new_string(sp->name));
	json_object_object_add(o, "kind", json_object_new_int(sp->kind));
	json_object_object_add(o, "startTimeUnixNano", uint64_string(sp->start_ns));
	json_object_object_add(o, "endTimeUnixNano", uint64_string(sp->end_ns));
	for (size_t i = 0; i < sp->nattrs; i++)
		json_object_array_add(attrs, attr(&sp->attrs[i], sh));
	json_object_object_add(o, "attributes", attrs);
	if (sp->status != OTLP_STATUS_UNSET || sp->status_msg) {
		json_object *st = json_object_new_object();

		json_object_object_add(st, "code", json_object_new_int(sp->status));
		if (sp->status_msg)
			json_object_object_add(st, "message", json_object_new_string(sp->status_msg));
		json_object_object_add(o, "status", st);
	}
	return o;
}

static bool same_resource(const struct otlp_span *a, const struct otlp_span *b)
{
	return a->pid == b->pid && !strcmp(a->service ? a->service : "", b->service ? b->service : "");
}

/* One resourceSpans: the resource of spans[first] and every span of the batch that shares
 * it (marked in done[]). */
static json_object *resource_spans(struct otlp_span *const *spans, size_t n, size_t first,
				   bool *done, const char *host, struct shared *sh)
{
	json_object *rs = json_object_new_object(), *res = json_object_new_object();
	json_object *rattrs = json_object_new_array(), *scope_spans = json_object_new_array();
	json_object *ss = json_object_new_object(), *scope = json_object_new_object();
	json_object *list = json_object_new_array();
	const struct otlp_span *r = spans[first];

	json_object_array_add(rattrs, key_value("service.name", "stringValue",
				json_object_new_string(r->service ? r->service : "unknown_service")));
	json_object_array_add(rattrs, key_value("host.name", "stringValue",
						json_object_new_string(host)));
	if (r->pid)
		json_object_array_add(rattrs, key_value("process.pid", "intValue",
							int64_string(r->pid)));
	json_object_object_add(res, "attributes", rattrs);
	json_object_object_add(rs, "resource", res);
	json_object_object_add(scope, "name", json_object_new_string("ltrace-ebpf"));
	json_object_object_add(ss, "scope", scope);
	for (size_t i = first; i < n; i++) {
		if (done[i] || !same_resource(r, spans[i]))
			continue;
		done[i] = true;
		json_object_array_add(list, span_json(spans[i], sh));
	}
	json_object_object_add(ss, "spans", list);
	json_object_array_add(scope_spans, ss);
	json_object_object_add(rs, "scopeSpans", scope_spans);
	return rs;
}

char *otlp_body(struct otlp_span *const *spans, size_t n, const char *host, size_t *len)
{
	json_object *req = json_object_new_object(), *all = json_object_new_array();
	bool *done = calloc(n ? n : 1, sizeof(*done));
	struct shared sh = { .n = 0 };
	const char *text;
	char *out = NULL;

	if (!req || !all || !done) {
		json_object_put(req);
		json_object_put(all);
		free(done);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!done[i])
			json_object_array_add(all, resource_spans(spans, n, i, done, host, &sh));
	json_object_object_add(req, "resourceSpans", all);
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text && (out = strdup(text)))
		*len = strlen(out);
	json_object_put(req);
	for (int i = 0; i < sh.n; i++)
		json_object_put(sh.kv[i]);
	free(done);
	return out;
}
