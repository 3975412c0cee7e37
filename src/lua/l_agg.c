/* A probe's in-kernel aggregate for Lua: the core reads it (agg_probe.c, the catalog's
 * reader), this hands Lua the list of entries {key, count, sum, min, max, buckets} that
 * agg.from_kernel turns into the same objects Lua-side aggregation builds. */
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "agg_probe.h"
#include "l_core.h"
#include "l_stack.h"
#include "probe.h"

static void push_key(lua_State *L, struct probe *p, const struct lt_agg_key *k)
{
	switch (p->cfg.agg_by) {
	case LT_BY_NONE:
	case LT_BY_PROBE:
		lua_pushboolean(L, 1);	/* one entry, printed without a key */
		break;
	case LT_BY_SITE:
		lua_pushstring(L, k->key < p->nsites ? p->sites[k->key].name : "?");
		break;
	case LT_BY_PID:
	case LT_BY_TID:
		lua_pushinteger(L, (lua_Integer)k->key);
		break;
	case LT_BY_COMM:
		lua_pushlstring(L, k->comm, strnlen(k->comm, sizeof(k->comm)));
		break;
	case LT_BY_RET:
		lua_pushinteger(L, value_extend(p->ret.type, k->key));
		break;
	case LT_BY_USTACK:
	case LT_BY_KSTACK:
	case LT_BY_STACK:
		l_stack_push_key(L, p, k);
		break;
	default:	/* an argument, decoded with its declared type */
		lua_pushinteger(L, value_extend(p->args[(p->cfg.agg_by - LT_BY_ARG1) % LT_MAX_ARGS].type,
						k->key));
	}
}

static void set_count(lua_State *L, const char *name, uint64_t v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, name);
}

/* {key =, count =, sum =, min =, max =, buckets = {[slot] = count, [-1] = negatives}} */
static void push_entry(lua_State *L, struct probe *p, const struct agg_entry *e)
{
	struct lt_agg_key k;

	agg_probe_key(p, e, &k);
	lua_createtable(L, 0, 6);
	push_key(L, p, &k);
	if (lua_isboolean(L, -1))	/* one entry, printed without a key */
		lua_pop(L, 1);
	else
		lua_setfield(L, -2, "key");
	set_count(L, "count", e->total.count);
	set_count(L, "sum", e->total.sum);
	set_count(L, "min", e->total.min);
	set_count(L, "max", e->total.max);
	if (!e->slot)
		return;
	lua_newtable(L);
	for (int i = 0; i < LT_HIST_SLOTS; i++) {
		if (!e->slot[i])
			continue;
		lua_pushinteger(L, (lua_Integer)e->slot[i]);
		lua_rawseti(L, -2, i == LT_HIST_SLOTS - 1 ? -1 : i);
	}
	lua_setfield(L, -2, "buckets");
}

int l_agg_read(lua_State *L, struct probe *p)
{
	struct agg_entry *e;
	size_t n;
	int rc = agg_probe_read(p, &e, &n);

	if (rc)
		return luaL_error(L, "cannot read the aggregate of %s: %s", p->text, strerror(-rc));
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		push_entry(L, p, &e[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	agg_entries_free(e, n);
	return 1;
}
