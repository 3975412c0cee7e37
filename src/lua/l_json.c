/* Lua values and aggregates into the one JSON encoder (l_json.h). A Lua value: nil null,
 * booleans, integers, floats (NaN and infinities null: JSON has none), strings as
 * json_enc_bytes (UTF-8 text, else {"hex": ...}), a table whose keys are exactly 1..n an
 * array, any other table an object (keys as strings), nesting at most 64 deep. */
#include <math.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include <json-c/json.h>
#include "json_enc.h"
#include "json_out.h"
#include "l_json.h"
#include "script_call.h"

#define MAX_DEPTH 64

static const char OUT_KEY = 0;

static struct json_object *encode(lua_State *L, int idx, int depth);

static bool is_array(lua_State *L, int idx, lua_Integer *n)
{
	lua_Integer count = 0;

	*n = (lua_Integer)lua_rawlen(L, idx);
	if (*n == 0)
		return false;
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1))
		if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 ||
		    lua_tointeger(L, -2) > *n || ++count > *n) {
			lua_pop(L, 2);
			return false;
		}
	return count == *n;
}

static struct json_object *table(lua_State *L, int idx, int depth)
{
	struct json_object *o;
	lua_Integer n;

	if (depth >= MAX_DEPTH)
		luaL_error(L, "json: nesting deeper than %d (a cycle?)", MAX_DEPTH);
	luaL_checkstack(L, 4, "json");
	if (is_array(L, idx, &n)) {
		o = json_object_new_array_ext((int)n);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, idx, i);
			json_object_array_add(o, encode(L, lua_gettop(L), depth + 1));
			lua_pop(L, 1);
		}
		return o;
	}
	/* keys sorted: a Lua table's order changes from run to run, a line's should not.
	 * byname maps each key as a string to its value (1 and "1" are then one key). */
	lua_newtable(L);					/* keys */
	lua_newtable(L);					/* keys byname */
	n = 0;
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {	/* keys byname k v */
		lua_pushvalue(L, -2);
		luaL_tolstring(L, -1, NULL);			/* keys byname k v k ks */
		lua_remove(L, -2);				/* keys byname k v ks */
		lua_pushvalue(L, -1);
		lua_rawseti(L, -6, ++n);			/* keys byname k v ks */
		lua_pushvalue(L, -2);
		lua_rawset(L, -5);				/* keys byname k v */
	}
	lua_getglobal(L, "table");
	lua_getfield(L, -1, "sort");
	lua_pushvalue(L, -4);
	lua_call(L, 1, 0);
	lua_pop(L, 1);						/* keys byname */
	o = json_object_new_object();
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -2, i);				/* keys byname ks */
		lua_pushvalue(L, -1);
		lua_rawget(L, -3);				/* keys byname ks v */
		json_object_object_add(o, lua_tostring(L, -2), encode(L, lua_gettop(L), depth + 1));
		lua_pop(L, 2);
	}
	lua_pop(L, 2);
	return o;
}

static struct json_object *encode(lua_State *L, int idx, int depth)
{
	size_t len;
	const char *s;
	double d;

	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN: return json_object_new_boolean(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return json_object_new_int64(lua_tointeger(L, idx));
		d = lua_tonumber(L, idx);
		return isfinite(d) ? json_object_new_double(d) : NULL;
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &len);
		return json_enc_bytes(s, len);
	case LUA_TTABLE: return table(L, idx, depth);
	case LUA_TNIL: return NULL;
	default:
		luaL_error(L, "json: cannot encode a %s", luaL_typename(L, idx));
		return NULL;
	}
}

/* A value that cannot be encoded raises; what was built before it is then lost (json-c
 * objects are not Lua's to collect), a leak bounded by the bad value's size. */
static struct json_object *encode_arg(lua_State *L, int idx)
{
	return encode(L, lua_absindex(L, idx), 0);
}

/* core.json_encode(v) -> one line of JSON text (no newline). */
static int l_json_encode(lua_State *L)
{
	struct json_object *o;
	const char *text;
	size_t len;

	luaL_checkany(L, 1);
	o = encode_arg(L, 1);
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	lua_pushlstring(L, text, len);
	json_object_put(o);
	return 1;
}

struct json_out *l_json_out(lua_State *L)
{
	return script_registry_ptr(L, &OUT_KEY);
}

void l_json_start(lua_State *L, struct json_out *jo, const char *script, int target_pid,
		  char *const *command)
{
	lua_pushlightuserdata(L, jo);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &OUT_KEY);
	json_out_attach(jo, script_session(L));
	json_out_begin(jo, script, target_pid, command);
	if (script_call_phase(L, "json") != LUA_OK)
		script_report(L, "json", "setup");
}

/* core.json_start([path [, {script=, target_pid=}]]) -> true, or nil and a message: a
 * tool's -j (path: its -o FILE, else stdout). Already on (--json): true, nothing changes. */
static int l_json_start_lua(lua_State *L)
{
	const char *path = luaL_optstring(L, 1, NULL);
	const char *script = NULL;
	struct json_out *jo;
	int pid = 0;

	if (l_json_out(L)) {
		lua_pushboolean(L, 1);
		return 1;
	}
	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "script");
		lua_getfield(L, 2, "target_pid");
		script = lua_tostring(L, -2);
		pid = (int)lua_tointeger(L, -1);
	}
	if (!(jo = json_out_open(path))) {
		luaL_pushfail(L);
		lua_pushfstring(L, "cannot write JSON to %s", path);
		return 2;
	}
	l_json_start(L, jo, script, pid, NULL);
	lua_pushboolean(L, 1);
	return 1;
}

/* core.json_active() -> on, on stdout */
static int l_json_active(lua_State *L)
{
	struct json_out *jo = l_json_out(L);

	lua_pushboolean(L, jo != NULL);
	lua_pushboolean(L, json_out_is_stdout(jo));
	return 2;
}

/* o with "type" ("record" unless o has one) and "ts_ns" (now unless o has one) first. */
static struct json_object *with_head(struct json_object *o)
{
	struct json_object *line = json_object_new_object(), *v;

	if (!json_object_object_get_ex(o, "type", &v))
		v = json_object_new_string("record");
	json_object_object_add(line, "type", json_object_get(v));
	if (!json_object_object_get_ex(o, "ts_ns", &v))
		v = json_object_new_int64(json_now_ns());
	json_object_object_add(line, "ts_ns", json_object_get(v));
	json_object_object_foreach(o, k, val)
		if (strcmp(k, "type") && strcmp(k, "ts_ns"))
			json_object_object_add(line, k, json_object_get(val));
	json_object_put(o);
	return line;
}

/* core.json_emit(t) -> true when written (t with "type":"record" unless it has a type, and
 * "ts_ns" now unless it has one), false without --json. */
static int l_json_emit(lua_State *L)
{
	struct json_out *jo = l_json_out(L);
	struct json_object *o;

	luaL_checktype(L, 1, LUA_TTABLE);
	if (!jo) {
		lua_pushboolean(L, 0);
		return 1;
	}
	if (!json_object_is_type(o = encode_arg(L, 1), json_type_object)) {
		json_object_put(o);
		return luaL_error(L, "export.json: a record is a table of named fields, not an array");
	}
	o = with_head(o);
	lua_pushboolean(L, json_out_write(jo, o) == 0);
	return 1;
}

static const char *opt_str(lua_State *L, int t, const char *k)
{
	const char *s;

	lua_getfield(L, t, k);
	s = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);		/* still referenced by t: the pointer stays valid */
	return s;
}

static double opt_num(lua_State *L, int t, const char *k)
{
	double v;

	lua_getfield(L, t, k);
	v = lua_tonumber(L, -1);
	lua_pop(L, 1);
	return v;
}

static struct json_num lua_num(lua_State *L, int t, const char *k)
{
	struct json_num n = { JSON_NUM_NONE };

	lua_getfield(L, t, k);
	if (lua_isinteger(L, -1))
		n = (struct json_num){ .kind = JSON_NUM_INT, .i = lua_tointeger(L, -1) };
	else if (lua_type(L, -1) == LUA_TNUMBER && isfinite(lua_tonumber(L, -1)))
		n = (struct json_num){ .kind = JSON_NUM_REAL, .d = lua_tonumber(L, -1) };
	lua_pop(L, 1);
	return n;
}

static int cmp_bucket(const void *a, const void *b)
{
	const struct json_bucket *x = a, *y = b;
	double lx = x->has_lo ? x->lo : -INFINITY, ly = y->has_lo ? y->lo : -INFINITY;

	return lx < ly ? -1 : lx > ly;
}

/* Row r (a record of agg.rows) into *row; its buckets in a userdata left on the stack. */
static void read_row(lua_State *L, int r, const struct json_agg_info *info,
		     struct json_agg_row *row)
{
	struct json_bucket *b;
	size_t n = 0;

	row->key = opt_str(L, r, "key");
	row->count = (uint64_t)opt_num(L, r, "count");
	row->sum = lua_num(L, r, "sum");
	row->min = lua_num(L, r, "min");
	row->max = lua_num(L, r, "max");
	if (lua_getfield(L, r, "buckets") != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newuserdatauv(L, 0, 0);	/* one userdata per row, always */
		return;
	}
	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
		n++;
	b = lua_newuserdatauv(L, (n + 1) * sizeof(*b), 0);
	lua_insert(L, -2);			/* ud buckets */
	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
		int slot = (int)lua_tointeger(L, -2);
		uint64_t cnt = (uint64_t)lua_tointeger(L, -1);

		b[row->nbuckets++] = !strcmp(info->agg, "lhist") ?
			json_linear_bucket(info, slot, cnt) : json_log2_bucket(slot, cnt);
	}
	lua_pop(L, 1);				/* ud */
	qsort(b, row->nbuckets, sizeof(*b), cmp_bucket);
	row->buckets = b;
}

/* core.json_agg(info, rows) -> true when written: info {name, probe, agg, unit, by, min,
 * max, step} (agg.info's and the probe's), rows as agg.rows gives them. */
static int l_json_agg(lua_State *L)
{
	struct json_out *jo = l_json_out(L);
	struct json_agg_info info;
	struct json_agg_row *rows;
	lua_Integer n;

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TTABLE);
	if (!jo) {
		lua_pushboolean(L, 0);
		return 1;
	}
	info = (struct json_agg_info){ .name = opt_str(L, 1, "name"), .probe = opt_str(L, 1, "probe"),
				       .agg = opt_str(L, 1, "agg"), .unit = opt_str(L, 1, "unit"),
				       .by = opt_str(L, 1, "by"), .lmin = opt_num(L, 1, "min"),
				       .lmax = opt_num(L, 1, "max"), .lstep = opt_num(L, 1, "step") };
	luaL_argcheck(L, info.agg, 1, "needs agg (the kind)");
	if (!strcmp(info.agg, "lhist"))
		luaL_argcheck(L, info.lstep > 0, 1, "an lhist needs step > 0");
	n = luaL_len(L, 2);
	rows = lua_newuserdatauv(L, (n + 1) * sizeof(*rows), 0);
	memset(rows, 0, (n + 1) * sizeof(*rows));
	luaL_checkstack(L, (int)n + 8, "json_agg");
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, 2, i);
		luaL_argcheck(L, lua_istable(L, -1), 2, "rows must be tables");
		read_row(L, lua_gettop(L), &info, &rows[i - 1]);	/* row ud */
		lua_remove(L, -2);				/* ud (kept to the end) */
	}
	lua_pushboolean(L, json_out_write(jo, json_enc_agg(&info, rows, n)) == 0);
	return 1;
}

void l_json_open(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "json_encode", l_json_encode }, { "json_active", l_json_active },
		{ "json_start", l_json_start_lua },
		{ "json_emit", l_json_emit },	   { "json_agg", l_json_agg },
		{ NULL, NULL },
	};

	luaL_setfuncs(L, fns, 0);
}
