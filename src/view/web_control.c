/* Probe list and live filters for the page (web_control.h). The filters are those of
 * probe:filter{} and probe:enable() (src/lua/l_probe.c) that the kernel applies before any
 * record is made: enabled, process (every thread of it), thread, comm, minimum duration,
 * 1-in-N sampling. */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "probe.h"
#include "session.h"
#include "web_control.h"

static char *take(struct json_object *o)
{
	const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = t ? strdup(t) : NULL;

	json_object_put(o);
	return out;
}

static char *error(int *status, int code, const char *what)
{
	struct json_object *o = json_object_new_object();

	*status = code;
	json_object_object_add(o, "error", json_object_new_string(what));
	return take(o);
}

static struct json_object *probe_json(struct probe *p)
{
	struct json_object *o = json_object_new_object();
	struct lt_probe_stats st = {};
	char comm[LT_COMM_LEN + 1];

	probe_stats(p, &st);
	snprintf(comm, sizeof(comm), "%.*s", LT_COMM_LEN, p->cfg.comm);
	json_object_object_add(o, "id", json_object_new_int(p->id));
	json_object_object_add(o, "spec", json_object_new_string(p->text ? p->text : ""));
	json_object_object_add(o, "name", json_object_new_string(p->name ? p->name :
								  p->text ? p->text : ""));
	json_object_object_add(o, "attached", json_object_new_boolean(p->attached));
	json_object_object_add(o, "enabled",
			       json_object_new_boolean(p->cfg.flags & LT_CFG_ENABLED));
	json_object_object_add(o, "comm", json_object_new_string(comm));
	json_object_object_add(o, "pid", json_object_new_int64(p->cfg.pid));
	json_object_object_add(o, "tid", json_object_new_int64(p->cfg.tid));
	json_object_object_add(o, "min_duration_ns",
			       json_object_new_uint64(p->cfg.min_duration));
	json_object_object_add(o, "sample", json_object_new_int64(p->cfg.sample));
	json_object_object_add(o, "hits", json_object_new_uint64(st.hits));
	json_object_object_add(o, "filtered", json_object_new_uint64(st.filtered));
	json_object_object_add(o, "emitted", json_object_new_uint64(st.emitted));
	json_object_object_add(o, "dropped", json_object_new_uint64(st.dropped));
	json_object_object_add(o, "sites", json_object_new_uint64(p->nsites));
	return o;
}

char *web_probes_json(struct session *s, const char *arg, int *status)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i])
			json_object_array_add(a, probe_json(s->probes[i]));
	return take(a);
}

/* A number member of o in 0..max: 1, absent 0, out of range -1. */
static int number(struct json_object *o, const char *k, int64_t max, int64_t *v)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, k, &m))
		return 0;
	if (!json_object_is_type(m, json_type_int))
		return -1;
	*v = json_object_get_int64(m);
	return *v >= 0 && *v <= max ? 1 : -1;
}

char *web_filter(struct session *s, const char *arg, int *status)
{
	struct json_object *o = json_tokener_parse(arg), *m;
	struct lt_probe_cfg cfg;
	struct probe *p;
	int64_t id = -1, v;
	int rc;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return error(status, 400, "expected a JSON object");
	}
	if (number(o, "id", LT_MAX_PROBES - 1, &id) != 1 || !(p = session_probe(s, id))) {
		json_object_put(o);
		return error(status, 404, "no probe with that id");
	}
	cfg = p->cfg;
	/* members given replace their filter; members absent keep theirs */
	if (json_object_object_get_ex(o, "enabled", &m)) {
		if (!json_object_is_type(m, json_type_boolean))
			goto bad;
		if (json_object_get_boolean(m))
			cfg.flags |= LT_CFG_ENABLED;
		else
			cfg.flags &= ~LT_CFG_ENABLED;
	}
	if (json_object_object_get_ex(o, "comm", &m)) {
		if (!json_object_is_type(m, json_type_string) ||
		    json_object_get_string_len(m) >= LT_COMM_LEN)
			goto bad;
		memset(cfg.comm, 0, sizeof(cfg.comm));
		memcpy(cfg.comm, json_object_get_string(m), json_object_get_string_len(m));
	}
	if ((rc = number(o, "pid", 1 << 22, &v)) < 0)
		goto bad;
	if (rc)
		cfg.pid = v;
	if ((rc = number(o, "tid", 1 << 22, &v)) < 0)
		goto bad;
	if (rc)
		cfg.tid = v;
	if ((rc = number(o, "min_duration_ns", INT64_MAX, &v)) < 0)
		goto bad;
	if (rc)
		cfg.min_duration = v;
	if ((rc = number(o, "sample", UINT32_MAX, &v)) < 0)
		goto bad;
	if (rc)
		cfg.sample = v;
	json_object_put(o);
	p->cfg = cfg;
	if (probe_write_cfg(p))
		return error(status, 500, "the config map did not take it");
	return take(probe_json(p));
bad:
	json_object_put(o);
	return error(status, 400, "enabled: a boolean; comm: a string of at most 15 bytes; "
		     "pid, tid, min_duration_ns, sample: numbers >= 0");
}
