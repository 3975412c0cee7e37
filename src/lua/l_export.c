/* core.export_prometheus(p, opts): how --metrics exports a probe's in-kernel aggregate
 * (name, help, constant labels, the key's label; docs/exporters.md). Checked here, at the
 * call, so a bad name fails on the script's line rather than at a scrape. */
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_core.h"
#include "probe.h"
#include "prom_names.h"

static char *opt_string(lua_State *L, int t, const char *key)
{
	const char *v;
	char *copy;

	lua_getfield(L, t, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return NULL;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "export.prometheus: '%s' must be a string", key);
	v = lua_tostring(L, -1);
	if (!(copy = strdup(v)))
		luaL_error(L, "out of memory");
	lua_pop(L, 1);
	return copy;
}

/* The option table's keys, strictly (a misspelt key would silently do nothing). */
static void check_keys(lua_State *L, int t)
{
	static const char *const keys[] = { "name", "help", "labels", "key", "hide", NULL };

	lua_pushnil(L);
	while (lua_next(L, t)) {
		bool ok = false;

		lua_pop(L, 1);
		for (const char *const *k = keys; *k && !ok && lua_type(L, -1) == LUA_TSTRING; k++)
			ok = !strcmp(*k, lua_tostring(L, -1));
		if (!ok)
			luaL_error(L, "export.prometheus: unknown option '%s' (name, help, labels, key, "
				   "hide)", luaL_tolstring(L, -1, NULL));
	}
}

/* labels = { name = value, ... } -> conf->labels; raises on a bad name (conf freed by the
 * caller's error path: it is a Lua-owned box). */
static void read_labels(lua_State *L, int t, struct prom_conf *conf)
{
	size_t n = 0;

	if (lua_getfield(L, t, "labels") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	luaL_argexpected(L, lua_istable(L, -1), 2, "labels as a table of name = value");
	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
		n++;
	if (!(conf->labels = calloc(2 * n + 1, sizeof(*conf->labels))))
		luaL_error(L, "out of memory");
	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
		const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";

		if (!prom_label_name_ok(name) || (conf->key_label && !strcmp(name, conf->key_label)))
			luaL_error(L, "export.prometheus: '%s' is not a label name a script may set "
				   "([a-zA-Z_][a-zA-Z0-9_]*, not probe, le, quantile, __*, nor the "
				   "key's)", name);
		if (!lua_isstring(L, -1))
			luaL_error(L, "export.prometheus: label '%s' needs a string value", name);
		conf->labels[2 * conf->nlabels] = strdup(name);
		conf->labels[2 * conf->nlabels + 1] = strdup(lua_tostring(L, -1));
		conf->nlabels++;
	}
	lua_pop(L, 1);
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted by name: a Lua table's order is not the same from one run to the next. */
static void sort_labels(struct prom_conf *conf)
{
	if (conf->nlabels)
		qsort(conf->labels, conf->nlabels, 2 * sizeof(*conf->labels), cmp_label);
}

static int conf_gc(lua_State *L)
{
	prom_conf_free(lua_touserdata(L, 1));
	return 0;
}

static int confs_gc(lua_State *L)
{
	prom_conf_free_all();
	return 0;
}

/* The confs live as long as the Lua state that made them: a registry value's __gc frees
 * them when it closes. */
static void confs_owned(lua_State *L)
{
	static const char key = 0;

	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key) == LUA_TNIL) {
		lua_newuserdatauv(L, 1, 0);
		lua_newtable(L);
		lua_pushcfunction(L, confs_gc);
		lua_setfield(L, -2, "__gc");
		lua_setmetatable(L, -2);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &key);
	}
	lua_pop(L, 1);
}

int l_export_prometheus(lua_State *L)
{
	struct probe **h = luaL_checkudata(L, 1, "ltrace.probe");
	struct prom_conf *conf;

	luaL_checktype(L, 2, LUA_TTABLE);
	if (!*h)
		return luaL_error(L, "export.prometheus: probe was released");
	if ((*h)->cfg.agg_kind == LT_AGG_NONE)
		return luaL_error(L, "export.prometheus: %s has no in-kernel aggregate (option agg)",
				  (*h)->text);
	check_keys(L, 2);
	/* A box with a __gc: whatever raises below, the strings read so far are freed. */
	conf = lua_newuserdatauv(L, sizeof(*conf), 0);
	memset(conf, 0, sizeof(*conf));
	lua_newtable(L);
	lua_pushcfunction(L, conf_gc);
	lua_setfield(L, -2, "__gc");
	lua_setmetatable(L, -2);
	conf->name = opt_string(L, 2, "name");
	conf->help = opt_string(L, 2, "help");
	conf->key_label = opt_string(L, 2, "key");
	lua_getfield(L, 2, "hide");
	conf->hidden = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (conf->name && (!prom_metric_name_ok(conf->name) || prom_own_name(conf->name)))
		return luaL_error(L, "export.prometheus: '%s' is not a metric name a script may use "
				  "([a-zA-Z_][a-zA-Z0-9_]*, not " PROM_OWN_PREFIXES "...)",
				  conf->name);
	if (conf->key_label && !prom_label_name_ok(conf->key_label))
		return luaL_error(L, "export.prometheus: key '%s' is not a label name a script may "
				  "set", conf->key_label);
	read_labels(L, 2, conf);
	sort_labels(conf);
	confs_owned(L);
	if (prom_conf_set(*h, (*h)->id, (*h)->text, conf))
		return luaL_error(L, "out of memory");
	memset(conf, 0, sizeof(*conf));	/* the strings are the registry's now */
	lua_pop(L, 1);
	lua_settop(L, 1);
	return 1;
}
