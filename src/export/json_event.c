/* A record as {"type":"event", ...} (json_enc.h; the fields: docs/json.md). Decoded with
 * the probe's formats and the kind's field hooks, as the Lua event view decodes it
 * (src/lua/l_event.c), so a line holds what a callback could read, by the same names. */
#include <string.h>
#include <json-c/json.h>
#include "fetch.h"
#include "json_enc.h"
#include "probe.h"
#include "probe_value.h"
#include "provider.h"

static const char *const rec_types[] = { [LT_REC_ENTRY] = "entry", [LT_REC_RETURN] = "return",
					 [LT_REC_CALL] = "call", [LT_REC_TP] = "tracepoint",
					 [LT_REC_SYSCALL] = "syscall" };

static bool unsigned_type(enum value_type t)
{
	return t == VT_UINT || t == VT_PTR;
}

/* A value by its format: a register, or a capture (string, bytes, a word read). */
static struct json_object *value_of(const struct probe *p, const struct value_fmt *f,
				    const struct lt_rec *rec, uint64_t raw)
{
	const uint8_t *data = (const uint8_t *)(rec + 1), *bytes;
	struct lt_cap cap;
	uint64_t word = 0;

	if (f->capture >= 0) {
		if (capture_value(&p->cfg, f->capture, data, rec->data_len, &cap, &bytes) ||
		    (cap.flags & LT_CAP_FAULT))
			return NULL;	/* null: a read that faulted */
		if (f->type == VT_STR || f->type == VT_BYTES)
			return json_enc_bytes(bytes, cap.len);
		memcpy(&word, bytes, cap.len < 8 ? cap.len : 8);
		raw = word;
	}
	if (unsigned_type(f->type))
		return json_object_new_uint64(raw);
	if (f->type == VT_BOOL)
		return json_object_new_boolean(raw != 0);
	return json_object_new_int64(value_extend(f->type, raw));
}

static int nargs_of(const struct probe *p)
{
	int n = LT_MAX_CALL_ARGS;

	while (n > LT_MAX_ARGS && p->args[n - 1].capture < 0)
		n--;
	return n;
}

static struct json_object *args_of(const struct probe *p, const struct lt_rec *rec)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < nargs_of(p); i++)
		json_object_array_add(a, value_of(p, &p->args[i], rec,
						  i < LT_MAX_ARGS ? rec->args[i] : 0));
	return a;
}

static struct json_object *pv_json(struct probe *p, const struct lt_rec *rec,
				   const struct probe_value *v);

/* PV_FIELDS: every named field, by name. */
static struct json_object *fields_of(struct probe *p, const struct lt_rec *rec)
{
	const uint8_t *data = (const uint8_t *)(rec + 1);
	struct json_object *o = json_object_new_object();
	struct probe_value v;
	const char *name;

	for (size_t i = 0; p->provider->field_at &&
	     p->provider->field_at(p, rec, data, i, &name, &v); i++)
		json_object_object_add(o, name, pv_json(p, rec, &v));
	return o;
}

static struct json_object *pv_json(struct probe *p, const struct lt_rec *rec,
				   const struct probe_value *v)
{
	struct json_object *a;
	int64_t x;

	switch (v->kind) {
	case PV_INT: return json_object_new_int64(v->i);
	case PV_BOOL: return json_object_new_boolean(v->i != 0);
	case PV_STR: return json_enc_bytes(v->bytes, v->len);
	case PV_INTS:
		a = json_object_new_array();
		for (size_t i = 0; i < v->n && !v->elem(v, i, &x); i++)
			json_object_array_add(a, json_object_new_int64(x));
		return a;
	case PV_FIELDS: return fields_of(p, rec);
	default: return NULL;
	}
}

/* The kind's own fields a callback reads by name (e.syscall, e.fields ...): the names
 * docs/json.md lists, asked of every kind, kept where the kind has them. */
static void kind_fields(struct probe *p, const struct lt_rec *rec, struct json_object *o)
{
	/* a syscall's own; other kinds may have fields by these names (a tracepoint's errno):
	 * those are in "fields" */
	static const char *const names[] = { "syscall", "nr", "errno", "fields", NULL };
	const uint8_t *data = (const uint8_t *)(rec + 1);
	struct probe_value v;

	for (const char *const *k = rec->type == LT_REC_SYSCALL ? names : &names[3];
	     *k && p->provider->field; k++)
		if (p->provider->field(p, rec, data, *k, &v) && v.kind != PV_NIL)
			json_object_object_add(o, *k, pv_json(p, rec, &v));
}

struct json_object *json_enc_event(struct probe *p, const struct lt_rec *rec)
{
	struct json_object *o = json_object_new_object();
	const char *type = rec->type <= LT_REC_SYSCALL ? rec_types[rec->type] : NULL;

	json_object_object_add(o, "type", json_object_new_string("event"));
	json_object_object_add(o, "ts_ns", json_object_new_uint64(rec->ts));
	json_object_object_add(o, "probe", json_object_new_string(p->text));
	json_object_object_add(o, "probe_id", json_object_new_int64(p->id));
	json_object_object_add(o, "kind", json_object_new_string(p->provider->name));
	json_object_object_add(o, "rec", json_object_new_string(type ? type : "?"));
	json_object_object_add(o, "func", json_object_new_string(rec->site < p->nsites ?
								 p->sites[rec->site].name : "?"));
	json_object_object_add(o, "pid", json_object_new_int64(rec->pid));
	json_object_object_add(o, "tid", json_object_new_int64(rec->tid));
	json_object_object_add(o, "cpu", json_object_new_int64(rec->cpu));
	json_object_object_add(o, "comm", json_enc_bytes(rec->comm, strnlen(rec->comm,
									     sizeof(rec->comm))));
	json_object_object_add(o, "held", json_object_new_boolean(rec->flags & LT_RF_HELD));
	if (rec->type == LT_REC_CALL || rec->type == LT_REC_SYSCALL)
		json_object_object_add(o, "duration_ns", json_object_new_uint64(rec->duration));
	if (rec->type != LT_REC_RETURN && rec->type != LT_REC_TP)
		json_object_object_add(o, "args", args_of(p, rec));
	if (rec->type != LT_REC_ENTRY && rec->type != LT_REC_TP)
		json_object_object_add(o, "ret", value_of(p, &p->ret, rec, rec->ret));
	kind_fields(p, rec, o);
	return o;
}
