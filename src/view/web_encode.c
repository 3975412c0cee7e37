/* Record -> JSON with json-c (web_encode.h). Values above 2^53 would lose digits in
 * JavaScript, so arguments, which are often addresses, are hex strings; the return value is
 * a signed number (what a call returns: a count, -1 ...). */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "lt_abi.h"
#include "probe.h"
#include "session.h"
#include "web_encode.h"

static const char *type_name(unsigned type)
{
	static const char *const names[] = { "?", "entry", "return", "call", "tracepoint",
					     "syscall" };

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

int web_encode_rec(struct session *s, const struct lt_rec *rec, char *buf, size_t len)
{
	struct json_object *o = json_object_new_object(), *args;
	struct probe *p = session_probe(s, rec->probe);
	char comm[LT_COMM_LEN + 1], hex[24];
	const char *text;
	size_t n;

	if (!o)
		return -1;
	snprintf(comm, sizeof(comm), "%.*s", LT_COMM_LEN, rec->comm);
	add(o, "probe", json_object_new_int(rec->probe));
	add(o, "name", json_object_new_string(p ? (p->name ? p->name : p->text) : "?"));
	add(o, "type", json_object_new_string(type_name(rec->type)));
	add(o, "pid", json_object_new_int64(rec->pid));
	add(o, "tid", json_object_new_int64(rec->tid));
	add(o, "comm", json_object_new_string(comm));
	add(o, "ts_ns", json_object_new_uint64(rec->ts));
	if (rec->type != LT_REC_ENTRY && rec->type != LT_REC_TP) {
		add(o, "dur_ns", json_object_new_uint64(rec->duration));
		add(o, "ret", json_object_new_int64((int64_t)rec->ret));
	}
	if (rec->type != LT_REC_RETURN && rec->type != LT_REC_TP &&
	    (args = json_object_new_array())) {
		for (int i = 0; i < LT_MAX_ARGS; i++) {
			snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)rec->args[i]);
			json_object_array_add(args, json_object_new_string(hex));
		}
		add(o, "args", args);
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	n = text ? strlen(text) : 0;
	if (text && n < len)
		memcpy(buf, text, n + 1);
	json_object_put(o);
	return text ? (int)n : -1;
}
