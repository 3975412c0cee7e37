/* core.export_prometheus(x, opts [, kind, unit, name, rows]): how --metrics exports a
 * probe's in-kernel aggregate, or an aggregate kept in Lua (name, help, constant labels,
 * the key's label; docs/exporters.md). Checked here, at the call, so a bad name fails on
 * the script's line rather than at a scrape. A Lua aggregate's values can be read only
 * by the thread that runs Lua: they are copied into each snapshot the loop takes for a
 * scrape (lua_rows, installed with prom_set_extra). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "agg_snapshot.h"
#include "l_check.h"
#include "l_core.h"
#include "probe.h"
#include "prom_names.h"

/* Registry key of the list of exported Lua aggregates: { {x=, box=, kind=, unit=, name=,
 * rows=}, ... } */
static const char EXPORTS_KEY = 0;

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

	l_check_keys(L, t, "export.prometheus", keys);
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
	prom_set_extra(NULL, NULL);
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

/* ---- aggregates kept in Lua ------------------------------------------------------- */

static uint64_t num_field(lua_State *L, int t, const char *name)
{
	uint64_t v = 0;

	lua_getfield(L, t, name);
	if (lua_isinteger(L, -1))
		v = (uint64_t)lua_tointeger(L, -1);
	else if (lua_type(L, -1) == LUA_TNUMBER && isfinite(lua_tonumber(L, -1)))
		v = (uint64_t)(int64_t)llround(lua_tonumber(L, -1));	/* exported as integers */
	lua_pop(L, 1);
	return v;
}

static struct agg_entry *add_entry(struct prom_extra *out, uint32_t desc, bool hist)
{
	struct agg_entry *e = realloc(out->e, (out->ne + 1) * sizeof(*e));

	if (!e)
		return NULL;
	out->e = e;
	e = &e[out->ne];
	*e = (struct agg_entry){ .desc = desc };
	if (hist && !(e->slot = calloc(LT_HIST_SLOTS, sizeof(*e->slot))))
		return NULL;
	out->ne++;
	return e;
}

/* Row r (a record of agg.rows) as an entry of desc di. */
static void add_row(lua_State *L, int r, struct prom_extra *out, uint32_t di)
{
	struct agg_desc *d = &out->d[di];
	struct agg_entry *e;

	if (!(e = add_entry(out, di, d->agg_kind == LT_AGG_HIST)))
		luaL_error(L, "out of memory");
	if (lua_getfield(L, r, "key") == LUA_TSTRING) {
		char **sites = realloc(d->sites, (d->nsites + 1) * sizeof(*sites));

		if (!sites || !(sites[d->nsites] = strdup(lua_tostring(L, -1))))
			luaL_error(L, "out of memory");
		d->sites = sites;
		e->key = d->nsites++;
		d->agg_by = LT_BY_SITE;
	}
	lua_pop(L, 1);
	e->total = (struct lt_agg_val){ num_field(L, r, "count"), num_field(L, r, "sum"),
					num_field(L, r, "min"), num_field(L, r, "max") };
	if (!e->slot || lua_getfield(L, r, "buckets") != LUA_TTABLE) {
		lua_pop(L, e->slot ? 1 : 0);
		return;
	}
	for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {	/* fmt.log2_slot's slots */
		lua_Integer s = lua_tointeger(L, -2);

		e->slot[s < 0 ? LT_HIST_SLOTS - 1 : s > LT_HIST_SLOTS - 2 ? LT_HIST_SLOTS - 2 : s] +=
			(uint64_t)lua_tointeger(L, -1);
	}
	lua_pop(L, 1);
}

/* Entry t of the exports list as desc out->n, its conf and its rows. */
static void add_lua_agg(lua_State *L, int t, struct prom_extra *out)
{
	static const char *const kinds[] = { "", "count", "sum", "min", "max", "stats", "hist",
					     NULL };
	struct agg_desc *d = &out->d[out->n];
	const struct prom_conf *conf;
	char help[256];
	int rows;

	lua_getfield(L, t, "box");
	conf = lua_touserdata(L, -1);
	lua_getfield(L, t, "kind");
	lua_getfield(L, t, "unit");
	lua_getfield(L, t, "name");
	*d = (struct agg_desc){ .id = UINT32_MAX, .kind = "lua", .is_signed = true,
				.agg_kind = luaL_checkoption(L, -3, NULL, kinds),
				.agg_src = lua_isstring(L, -2) && !strcmp(lua_tostring(L, -2), "ns") ?
					   LT_SRC_DURATION : LT_SRC_RET,
				.extern_values = true };
	d->name = strdup(lua_tostring(L, -1));
	if (!d->name || asprintf(&d->text, "lua:%s", d->name) < 0)
		luaL_error(L, "out of memory");
	out->n++;
	lua_pop(L, 3);
	lua_getfield(L, t, "rows");
	lua_getfield(L, t, "x");
	lua_call(L, 1, 1);					/* box rows */
	rows = lua_gettop(L);
	for (lua_Integer i = 1; lua_rawgeti(L, rows, i) == LUA_TTABLE; i++) {
		add_row(L, lua_gettop(L), out, out->n - 1);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);						/* box */
	snprintf(help, sizeof(help), "Aggregate %s kept in Lua by the script.", d->name);
	if (prom_conf_resolve(d, conf, help, &out->conf[out->n - 1]))
		luaL_error(L, "out of memory");
	lua_pop(L, 1);
}

static int collect(lua_State *L)
{
	struct prom_extra *out = lua_touserdata(L, 1);
	lua_Integer n;

	lua_rawgetp(L, LUA_REGISTRYINDEX, &EXPORTS_KEY);
	n = luaL_len(L, 2);
	if (!(out->d = calloc(n + 1, sizeof(*out->d))) ||
	    !(out->conf = calloc(n + 1, sizeof(*out->conf))))
		return luaL_error(L, "out of memory");
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, 2, i);
		add_lua_agg(L, lua_gettop(L), out);
		lua_pop(L, 1);
	}
	return 0;
}

/* prom_extra_fn: on the loop's thread, between callbacks (Lua runs nothing else then). */
static int lua_rows(void *ctx, struct prom_extra *out)
{
	lua_State *L = ctx;
	int top = lua_gettop(L), rc;

	lua_pushcfunction(L, collect);
	lua_pushlightuserdata(L, out);
	rc = lua_pcall(L, 1, 0, 0);
	lua_settop(L, top);
	if (rc) {
		prom_extra_free(out);
		return -EIO;
	}
	return 0;
}

/* x (a Lua aggregate) with its conf box at index box: kept for the snapshots, replacing
 * an earlier export of x. */
static void keep_lua_agg(lua_State *L, int box)
{
	lua_Integer n, i;

	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &EXPORTS_KEY) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &EXPORTS_KEY);
	}
	n = luaL_len(L, -1);
	for (i = 1; i <= n; i++) {
		bool same;

		lua_rawgeti(L, -1, i);
		lua_getfield(L, -1, "x");
		same = lua_rawequal(L, -1, 1);
		lua_pop(L, 2);
		if (same)
			break;
	}
	lua_createtable(L, 0, 6);
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "x");
	lua_pushvalue(L, box);
	lua_setfield(L, -2, "box");
	lua_pushvalue(L, 3);
	lua_setfield(L, -2, "kind");
	lua_pushvalue(L, 4);
	lua_setfield(L, -2, "unit");
	lua_pushvalue(L, 5);
	lua_setfield(L, -2, "name");
	lua_pushvalue(L, 6);
	lua_setfield(L, -2, "rows");
	lua_rawseti(L, -2, i);
	lua_pop(L, 1);
	prom_set_extra(lua_rows, L);
}

/* ---- the call ------------------------------------------------------------------------ */

int l_export_prometheus(lua_State *L)
{
	struct probe **h = lua_istable(L, 1) ? NULL : luaL_checkudata(L, 1, "ltrace.probe");
	struct prom_conf *conf;
	int box;

	luaL_checktype(L, 2, LUA_TTABLE);
	if (!h) {	/* an aggregate kept in Lua: the prelude passes kind, unit, name, rows */
		luaL_checkstring(L, 3);
		luaL_checktype(L, 6, LUA_TFUNCTION);
		lua_getfield(L, 2, "name");
		if (lua_isnil(L, -1) && !lua_isstring(L, 5))
			return luaL_error(L, "export.prometheus: a Lua aggregate needs a name "
					  "(its own, or option name)");
		lua_pop(L, 1);
		if (!lua_isstring(L, 5)) {	/* its name for the probe label: the metric's */
			lua_getfield(L, 2, "name");
			lua_replace(L, 5);
		}
		lua_settop(L, 6);
	} else if (!*h) {
		return luaL_error(L, "export.prometheus: probe was released");
	} else if ((*h)->cfg.agg_kind == LT_AGG_NONE) {
		return luaL_error(L, "export.prometheus: %s has no in-kernel aggregate (option agg)",
				  (*h)->text);
	}
	check_keys(L, 2);
	/* A box with a __gc: whatever raises below, the strings read so far are freed. */
	conf = lua_newuserdatauv(L, sizeof(*conf), 0);
	box = lua_gettop(L);
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
	if (!h) {	/* the box stays with the aggregate: its __gc frees the strings */
		keep_lua_agg(L, box);
		lua_settop(L, 1);
		return 1;
	}
	if (prom_conf_set(*h, (*h)->id, (*h)->text, conf))
		return luaL_error(L, "out of memory");
	memset(conf, 0, sizeof(*conf));	/* the strings are the registry's now */
	lua_pop(L, 1);
	lua_settop(L, 1);
	return 1;
}
