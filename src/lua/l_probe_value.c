/* Kind fields into Lua: integers, booleans, strings, sequences of integers (a tracepoint's
 * arrays), and a table of every named field (e.fields of tracepoints and syscalls). */
#include <lua.h>
#include "l_probe_value.h"
#include "probe.h"

static void push_value(lua_State *L, struct probe *p, const struct lt_rec *rec,
		       const uint8_t *data, const struct probe_value *v)
{
	struct probe_value field;
	const char *name;
	int64_t x;

	switch (v->kind) {
	case PV_NIL: lua_pushnil(L); break;
	case PV_INT: lua_pushinteger(L, v->i); break;
	case PV_BOOL: lua_pushboolean(L, v->i != 0); break;
	case PV_STR: lua_pushlstring(L, (const char *)v->bytes, v->len); break;
	case PV_INTS:
		lua_createtable(L, v->n, 0);					/* t */
		for (size_t i = 0; i < v->n && !v->elem(v, i, &x); i++) {
			lua_pushinteger(L, x);					/* t x */
			lua_rawseti(L, -2, i + 1);				/* t */
		}
		break;
	case PV_FIELDS:
		lua_createtable(L, 0, v->n);					/* t */
		for (size_t i = 0; p->provider->field_at &&
		     p->provider->field_at(p, rec, data, i, &name, &field); i++) {
			push_value(L, p, rec, data, &field);			/* t v */
			lua_setfield(L, -2, name);				/* t */
		}
		break;
	}
}

int l_push_kind_field(lua_State *L, struct probe *p, const struct lt_rec *rec,
		      const uint8_t *data, const char *key)
{
	struct probe_value v;

	if (!p->provider->field || !p->provider->field(p, rec, data, key, &v))
		return 0;
	push_value(L, p, rec, data, &v);
	return 1;
}
