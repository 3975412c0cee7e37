/* The probe userdata ("ltrace.probe"), built the way liolib builds file handles: created
 * detached, configured from a strictly parsed option table, then attached; __gc and
 * __close share one idempotent release. Methods steer a live probe: enable, disable,
 * filter (rewrites its config map entry, no reattach), detach, stats, read, clear. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "agg_probe.h"
#include "l_check.h"
#include "json_enc.h"
#include "l_core.h"
#include "l_kind.h"
#include "l_ltrace.h"
#include "l_span.h"
#include "l_stack.h"
#include "probe.h"
#include "probe_field.h"
#include "script_call.h"
#include "session.h"

_Static_assert(PROBE_NO_CALLBACK == LUA_NOREF, "probe.h spells LUA_NOREF for the core");

#define PROBE_MT "ltrace.probe"

static struct probe **check_handle(lua_State *L)
{
	return luaL_checkudata(L, 1, PROBE_MT);
}

struct probe *l_probe_check(lua_State *L, int idx)
{
	struct probe **h = luaL_checkudata(L, idx, PROBE_MT);

	if (!*h)
		luaL_error(L, "probe was released");
	return *h;
}

static struct probe *check_probe(lua_State *L)
{
	return l_probe_check(L, 1);
}

static int release(lua_State *L)
{
	struct probe **h = check_handle(L);

	if (*h) {
		luaL_unref(L, LUA_REGISTRYINDEX, (*h)->callback);
		probe_free(*h);
		*h = NULL;
	}
	return 0;
}

/* ---- option parsing ---------------------------------------------------------------- */

static const char *const probe_keys[] = { "agg", "args", "by", "comm", "min_duration", "name",
					  "of", "pid", "print", "ret", "sample", "signed", "stack",
					  "stack_depth", "strsize", "tid", "unwind", "where", "hold",
					  "lossless", "span", NULL };
static const char *const filter_keys[] = { "comm", "min_duration", "pid", "sample", "tid",
					   "where", NULL };

static void check_keys(lua_State *L, int t, const char *const *allowed,
		       const char *const *more)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		int ok = 0;

		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING)
			for (const char *const *k = allowed; *k && !ok; k++)
				ok = !strcmp(*k, lua_tostring(L, -1));
		if (lua_type(L, -1) == LUA_TSTRING && more)
			for (const char *const *k = more; *k && !ok; k++)
				ok = !strcmp(*k, lua_tostring(L, -1));
		if (!ok)
			luaL_error(L, "unknown option '%s'", luaL_tolstring(L, -1, NULL));
	}
}

static int opt_type(lua_State *L, int t, const char *key, int type)
{
	int got = lua_getfield(L, t, key);

	if (got != LUA_TNIL && got != type)
		luaL_error(L, "option '%s' must be a %s", key, lua_typename(L, type));
	return got != LUA_TNIL;
}

unsigned long long l_probe_opt_duration(lua_State *L, int t, const char *key)
{
	uint64_t ns = 0;
	int type = lua_getfield(L, t, key);

	if (type == LUA_TNUMBER) {
		char what[64];

		snprintf(what, sizeof(what), "option '%s' (ns)", key);
		ns = l_check_range(L, -1, what, 0, LUA_MAXINTEGER);
	}
	else if (type == LUA_TSTRING && spec_parse_duration(lua_tostring(L, -1), &ns))
		luaL_error(L, "option '%s': bad duration '%s'", key, lua_tostring(L, -1));
	else if (type != LUA_TNIL && type != LUA_TNUMBER && type != LUA_TSTRING)
		luaL_error(L, "option '%s' must be a duration (ns or \"1ms\")", key);
	lua_pop(L, 1);
	return ns;
}

/* The value format a source is decoded with (args and ret typed by the probe's options). */
static const struct value_fmt *fmt_of(const struct probe *p, int src)
{
	if (src < LT_MAX_ARGS)
		return &p->args[src];
	return src == LT_SRC_RET ? &p->ret : NULL;
}

static void parse_where(lua_State *L, int t, struct probe *p, struct lt_probe_cfg *cfg)
{
	char err[256], named[256];
	const char *text;
	int type = lua_getfield(L, t, "where"), n = 0;

	if (type == LUA_TSTRING) {
		lua_createtable(L, 1, 0);
		lua_insert(L, -2);
		lua_rawseti(L, -2, 1);
	} else if (type != LUA_TTABLE) {
		if (type != LUA_TNIL)
			luaL_error(L, "option 'where' must be a string or a list of strings");
		lua_pop(L, 1);
		return;
	}
	for (int i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++, n++) {
		if (n >= LT_MAX_PRED)
			luaL_error(L, "option 'where': at most %d conditions", LT_MAX_PRED);
		text = probe_field_pred(p, luaL_checkstring(L, -1), named, sizeof(named), err,
					sizeof(err));
		if (!text || pred_parse(text, &cfg->pred[n], err, sizeof(err)))
			luaL_error(L, "option 'where': %s", err);
		if (fmt_of(p, cfg->pred[n].src))
			pred_apply_type(&cfg->pred[n], fmt_of(p, cfg->pred[n].src)->type);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
	cfg->npred = n;
	cfg->flags &= ~LT_CFG_CALLER;
	for (int i = 0; i < n; i++)
		if (cfg->pred[i].src == LT_SRC_CALLER)
			cfg->flags |= LT_CFG_CALLER;
}

/* Filters: the part of the config a running probe can change. */
static void parse_filters(lua_State *L, int t, struct probe *p, struct lt_probe_cfg *cfg)
{
	if (opt_type(L, t, "pid", LUA_TNUMBER))	/* a process: every thread of it */
		cfg->pid = l_check_range(L, -1, "option 'pid'", 0, LT_PID_MAX);
	lua_pop(L, 1);
	if (opt_type(L, t, "tid", LUA_TNUMBER))
		cfg->tid = l_check_range(L, -1, "option 'tid'", 0, LT_PID_MAX);
	lua_pop(L, 1);
	if (opt_type(L, t, "comm", LUA_TSTRING))
		snprintf(cfg->comm, sizeof(cfg->comm), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	if (opt_type(L, t, "sample", LUA_TNUMBER))	/* 1 in N: 0 and 1 keep all */
		cfg->sample = l_check_range(L, -1, "option 'sample'", 0, UINT32_MAX);
	lua_pop(L, 1);
	if (!lua_isnil(L, (lua_getfield(L, t, "min_duration"), -1)))
		cfg->min_duration = l_probe_opt_duration(L, t, "min_duration");
	lua_pop(L, 1);
	parse_where(L, t, p, cfg);
}

static int add_capture(lua_State *L, struct probe *p, const char *text, int src,
		       struct value_fmt *fmt, const char *what)
{
	char err[256];
	int needs;

	if (fetch_parse(text, src, p->strsize, &p->cfg.fetch[p->cfg.nfetch], &needs, &fmt->type,
			err, sizeof(err)))
		return luaL_error(L, "%s: %s", what, err);
	fmt->capture = -1;
	if (needs) {
		if (p->cfg.nfetch >= LT_MAX_FETCH)
			return luaL_error(L, "%s: at most %d captures per probe", what, LT_MAX_FETCH);
		fmt->capture = p->cfg.nfetch++;
	}
	return 0;
}

/* Argument i (0-based, 6 or more) from the stack: the type's capture read at sp + 8 +
 * 8 * (i - 6) at entry (out: at return). A pointer type follows the pointer stored there and keeps it
 * (e.reg7..e.reg12), as a register argument's value is kept beside its string. Which
 * probes may read one is the kind's (provider->stack_arg). */
static void add_stack_arg(lua_State *L, struct probe *p, const char *type, int i,
			  const char *what)
{
	char text[64], err[256];

	if (strchr(type, '@'))
		luaL_error(L, "%s: a stack argument takes a plain type (int, str, bytes:N, ...) "
			   "or out:TYPE", what);
	if (p->provider->stack_arg(p, !strncmp(type, "out:", 4), err, sizeof(err)))
		luaL_error(L, "%s: %s", what, err);
	snprintf(text, sizeof(text), "%s@%d", type, 8 * (i - LT_MAX_ARGS + 1));
	add_capture(L, p, text, LT_SRC_SP, &p->args[i], what);
	if (p->args[i].capture >= 0 && p->cfg.fetch[p->args[i].capture].deref)
		p->cfg.fetch[p->args[i].capture].deref = LT_DEREF_KEEP;
}

/* The args table on top of the stack has only the keys 1..nargs: args[13] or args[-1]
 * would otherwise be skipped without a word. */
static void check_arg_indexes(lua_State *L, int nargs, const char *provider)
{
	char what[96];

	snprintf(what, sizeof(what), "option 'args': an index for %s probes", provider);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		l_check_range(L, -1, what, 1, nargs);
	}
}

static void parse_captures(lua_State *L, int t, struct probe *p)
{
	char what[32];
	int nargs = p->provider->stack_arg ? LT_MAX_CALL_ARGS : LT_MAX_ARGS;
	const struct l_kind *kind = l_kind_of(p->provider);

	if (opt_type(L, t, "strsize", LUA_TNUMBER))
		p->strsize = lua_tointeger(L, -1);
	lua_pop(L, 1);
	if (p->strsize < 1 || p->strsize > LT_FETCH_MAX_LEN)
		luaL_error(L, "option 'strsize' must be 1..%d", LT_FETCH_MAX_LEN);
	if (opt_type(L, t, "args", LUA_TTABLE) && !(kind && kind->own_args)) {
		if (lua_rawlen(L, -1) > (size_t)nargs)
			luaL_error(L, "option 'args': at most %d arguments for %s probes", nargs,
				   p->provider->name);
		check_arg_indexes(L, nargs, p->provider->name);	/* sparse: {[13] = ...} */
		for (int i = 0; i < nargs; i++) {
			snprintf(what, sizeof(what), "option 'args[%d]'", i + 1);
			if (lua_rawgeti(L, -1, i + 1) != LUA_TSTRING && !lua_isnil(L, -1))
				luaL_error(L, "%s must be a type string (\"int\", \"str\", ...)", what);
			if (lua_type(L, -1) == LUA_TSTRING && i < LT_MAX_ARGS)
				add_capture(L, p, lua_tostring(L, -1), LT_SRC_ARG1 + i, &p->args[i],
					    what);
			else if (lua_type(L, -1) == LUA_TSTRING)
				add_stack_arg(L, p, lua_tostring(L, -1), i, what);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	if (opt_type(L, t, "ret", LUA_TSTRING))
		add_capture(L, p, lua_tostring(L, -1), LT_SRC_RET, &p->ret, "option 'ret'");
	lua_pop(L, 1);
}

/* The string on top of the stack as an index into list (def when nil); errors name key. */
static int check_choice(lua_State *L, const char *key, const char *def,
			const char *const *list)
{
	const char *v = lua_isnil(L, -1) ? def : lua_tostring(L, -1);

	for (int i = 0; v && list[i]; i++)
		if (!strcmp(list[i], v))
			return i;
	return luaL_error(L, "option '%s': invalid value '%s'", key, luaL_tolstring(L, -1, NULL));
}

static void parse_agg(lua_State *L, int t, struct probe *p)
{
	static const char *const kinds[] = { "none", "count", "sum", "min", "max", "stats", "hist",
					     NULL };
	static const char *const bys[] = { "none", "probe", "func", "pid", "tid", "comm", "arg1",
					   "arg2", "arg3", "arg4", "arg5", "arg6", "ret", NULL };
	struct lt_probe_cfg *c = &p->cfg;
	int src = LT_SRC_NONE, by;
	char err[256];

	lua_getfield(L, t, "agg");
	c->agg_kind = check_choice(L, "agg", p->callback == LUA_NOREF ? "count" : "none", kinds);
	/* A callback alone aggregates nothing: a key or value for it would be ignored. */
	lua_getfield(L, t, "by");
	lua_getfield(L, t, "of");
	if (!c->agg_kind && (!lua_isnil(L, -2) || !lua_isnil(L, -1)))
		luaL_error(L, "option '%s' is for an in-kernel aggregate: with a callback, add "
			   "agg = \"count\" (or sum, min, max, stats, hist)",
			   lua_isnil(L, -2) ? "of" : "by");
	lua_pop(L, 2);
	if (lua_getfield(L, t, "by") == LUA_TSTRING) {	/* a key name or a named field */
		if ((by = stack_agg_by(lua_tostring(L, -1))) < 0 &&
		    (by = probe_field_by(p, lua_tostring(L, -1), err, sizeof(err))) < 0)
			luaL_error(L, "option 'by': %s", err);
		c->agg_by = by;
	} else {
		c->agg_by = check_choice(L, "by", c->agg_kind && spec_is_glob(p->spec.func) ?
					 "func" : "none", bys);
	}
	lua_pop(L, 2);
	if (opt_type(L, t, "of", LUA_TSTRING) &&
	    (src = probe_field_src(p, lua_tostring(L, -1), err, sizeof(err))) < 0)
		luaL_error(L, "option 'of': %s", err);
	lua_pop(L, 1);
	if (src == LT_SRC_NONE && c->agg_kind > LT_AGG_COUNT) {
		if (!(c->flags & LT_CFG_CALL))
			luaL_error(L, "option 'of' is needed for agg '%s' (arg1..arg6, ret)",
				   kinds[c->agg_kind]);
		src = LT_SRC_DURATION;
	}
	if (src == LT_SRC_DURATION && !(c->flags & LT_CFG_CALL))
		luaL_error(L, "option 'of': duration needs a paired probe (call:, kcall:)");
	c->agg_src = src;
	if (fmt_of(p, src)) {	/* an i32 argument aggregates as its 32-bit value */
		struct lt_pred typed = { .is_signed = 1 };

		pred_apply_type(&typed, fmt_of(p, src)->type);
		c->agg_width = typed.width;
		c->agg_signed = typed.is_signed;
	}
	if (opt_type(L, t, "signed", LUA_TBOOLEAN) && lua_toboolean(L, -1))
		c->flags |= LT_CFG_SIGNED;
	lua_pop(L, 1);
	p->print_agg = c->agg_kind != LT_AGG_NONE;
	if (opt_type(L, t, "print", LUA_TBOOLEAN))
		p->print_agg = lua_toboolean(L, -1);
	lua_pop(L, 1);
}

/* hold = true: the thread that hit the probe waits (stopped) until the callback has run,
 * so the callback can act before the traced code goes on (attach probes to a library
 * dlopen just mapped). */
static void parse_hold(lua_State *L, int t, struct probe *p)
{
	if (opt_type(L, t, "hold", LUA_TBOOLEAN) && lua_toboolean(L, -1)) {
		if (p->callback == LUA_NOREF)
			luaL_error(L, "option 'hold': the process waits for the callback: give one");
		if (p->provider->no_hold)
			luaL_error(L, "option 'hold': not for %s probes", p->provider->name);
		p->cfg.flags |= LT_CFG_HOLD;
		p->s->holds = true;
	}
	lua_pop(L, 1);
	/* lossless = true: when the ring is half full the thread waits as with hold, so a
	 * program faster than its callbacks is slowed instead of losing records. Only for a
	 * session's own processes: anything else stopped would be a stranger. */
	if (opt_type(L, t, "lossless", LUA_TBOOLEAN) && lua_toboolean(L, -1)) {
		if (p->callback == LUA_NOREF)
			luaL_error(L, "option 'lossless': records go to a callback: give one");
		if (p->provider->no_hold)
			luaL_error(L, "option 'lossless': not for %s probes", p->provider->name);
		if (!p->s->opts.have_target)
			luaL_error(L, "option 'lossless': needs a target (-p PID or -- CMD)");
		p->cfg.flags |= LT_CFG_LOSSLESS;
		p->s->holds = true;
	}
	lua_pop(L, 1);
}

static void parse_options(lua_State *L, int t, struct probe *p)
{
	const struct l_kind *kind = l_kind_of(p->provider);

	check_keys(L, t, probe_keys, kind ? kind->opt_keys : NULL);
	if (opt_type(L, t, "name", LUA_TSTRING))
		p->name = strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	parse_captures(L, t, p);
	if (kind && kind->parse_opts)
		kind->parse_opts(L, t, p);
	parse_filters(L, t, p, &p->cfg);
	parse_agg(L, t, p);
	stack_parse_opts(L, t, p);
	parse_hold(L, t, p);
}

/* core.probe(spec [, opts] [, fn]) -> probe | nil, message */
int l_probe_new(lua_State *L)
{
	struct session *s = script_session(L);
	size_t len;
	const char *text = luaL_checklstring(L, 1, &len);
	int opts = lua_istable(L, 2) ? 2 : 0, fn = lua_isfunction(L, 2) ? 2 : 3;
	const struct l_kind *kind;
	struct probe **h;
	char err[512] = "";

	if (strlen(text) != len)	/* C would read the spec up to the NUL only */
		return luaL_error(L, "probe spec '%s...': a NUL byte inside it", text);
	if (!lua_isnoneornil(L, fn))
		luaL_checktype(L, fn, LUA_TFUNCTION);
	if (!opts && !lua_isnoneornil(L, 2) && !lua_isfunction(L, 2))
		luaL_argerror(L, 2, "expected an option table or a function");
	h = lua_newuserdatauv(L, sizeof(*h), 1);		/* ... ud */
	*h = NULL;
	luaL_setmetatable(L, PROBE_MT);
	*h = probe_new(s, text, err, sizeof(err));
	if (!*h) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", text, err);
		return 2;
	}
	if (!lua_isnoneornil(L, fn)) {
		lua_pushvalue(L, fn);
		(*h)->callback = luaL_ref(L, LUA_REGISTRYINDEX);
		(*h)->cfg.flags |= LT_CFG_EMIT;
	}
	if (opts) {
		parse_options(L, opts, *h);
	} else if ((kind = l_kind_of((*h)->provider)) && kind->opts_always) {
		/* its defaults (profile: both stacks, by stack) live in the option parsing */
		lua_newtable(L);
		parse_options(L, lua_gettop(L), *h);
		lua_pop(L, 1);
	} else {
		lua_newtable(L);
		parse_agg(L, lua_gettop(L), *h);
		lua_pop(L, 1);
	}
	l_span_option(L, opts, *h);
	if (probe_attach(*h, err, sizeof(err))) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", text, err);
		luaL_unref(L, LUA_REGISTRYINDEX, (*h)->callback);
		probe_free(*h);
		*h = NULL;
		return 2;
	}
	return 1;
}

/* ---- methods ------------------------------------------------------------------------ */

static int l_probe_enable(lua_State *L)
{
	probe_set_enabled(check_probe(L), lua_isnone(L, 2) || lua_toboolean(L, 2));
	lua_settop(L, 1);
	return 1;
}

static int l_probe_disable(lua_State *L)
{
	probe_set_enabled(check_probe(L), false);
	lua_settop(L, 1);
	return 1;
}

static int l_probe_detach(lua_State *L)
{
	probe_detach(check_probe(L));
	return 0;
}

static int l_probe_filter(lua_State *L)
{
	struct probe *p = check_probe(L);
	struct lt_probe_cfg cfg = p->cfg;
	int rc;

	luaL_checktype(L, 2, LUA_TTABLE);
	check_keys(L, 2, filter_keys, NULL);
	/* Keys given replace their filter; keys absent keep theirs. */
	parse_filters(L, 2, p, &cfg);
	p->cfg = cfg;
	if ((rc = probe_write_cfg(p)))
		return luaL_error(L, "cannot update filters: %s", strerror(-rc));
	lua_settop(L, 1);
	return 1;
}

static int l_probe_stats(lua_State *L)
{
	struct probe *p = check_probe(L);
	struct lt_probe_stats st;

	probe_stats(p, &st);
	lua_createtable(L, 0, 6);
	lua_pushinteger(L, st.hits);
	lua_setfield(L, -2, "hits");
	lua_pushinteger(L, st.filtered);
	lua_setfield(L, -2, "filtered");
	lua_pushinteger(L, st.emitted);
	lua_setfield(L, -2, "emitted");
	lua_pushinteger(L, st.dropped);
	lua_setfield(L, -2, "dropped");
	lua_pushinteger(L, st.dropped_cmd);
	lua_setfield(L, -2, "dropped_cmd");
	lua_pushinteger(L, p->nsites);
	lua_setfield(L, -2, "sites");
	return 1;
}

static int l_probe_read(lua_State *L)
{
	return l_agg_read(L, check_probe(L));
}

static int l_probe_clear(lua_State *L)
{
	agg_probe_clear(check_probe(L));
	return 0;
}

static int l_probe_sites(lua_State *L)
{
	struct probe *p = check_probe(L);

	lua_createtable(L, p->nsites, 0);
	for (size_t i = 0; i < p->nsites; i++) {
		lua_pushstring(L, p->sites[i].name);
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

static int l_probe_info(lua_State *L)
{
	static const char *const aggs[] = { "none", "count", "sum", "min", "max", "stats", "hist" };
	struct probe *p = check_probe(L);
	char by[16];

	lua_createtable(L, 0, 6);
	lua_pushstring(L, p->text);
	lua_setfield(L, -2, "spec");
	lua_pushstring(L, p->name ? p->name : p->text);
	lua_setfield(L, -2, "name");
	lua_pushstring(L, p->spec.kind->name);
	lua_setfield(L, -2, "kind");
	lua_pushstring(L, p->path);
	lua_setfield(L, -2, "path");
	lua_pushstring(L, aggs[p->cfg.agg_kind < 7 ? p->cfg.agg_kind : 0]);
	lua_setfield(L, -2, "agg");
	lua_pushboolean(L, p->attached);
	lua_setfield(L, -2, "attached");
	lua_pushboolean(L, p->cfg.flags & LT_CFG_ENABLED);
	lua_setfield(L, -2, "enabled");
	lua_pushboolean(L, p->print_agg && !p->agg_printed);
	lua_setfield(L, -2, "print");
	lua_pushinteger(L, p->id);
	lua_setfield(L, -2, "id");
	if (p->cfg.agg_src == LT_SRC_DURATION) {
		lua_pushliteral(L, "ns");
		lua_setfield(L, -2, "unit");
	}
	lua_pushstring(L, json_by_name(p->cfg.agg_by, by, sizeof(by)));	/* nil: keyless */
	lua_setfield(L, -2, "by");
	return 1;
}

static int l_probe_mark_printed(lua_State *L)
{
	check_probe(L)->agg_printed = true;
	return 0;
}

static int l_probe_tostring(lua_State *L)
{
	struct probe **h = check_handle(L);

	if (*h)
		lua_pushfstring(L, "probe(%s, %d site%s%s)", (*h)->text, (int)(*h)->nsites,
				(*h)->nsites == 1 ? "" : "s", (*h)->attached ? "" : ", detached");
	else
		lua_pushliteral(L, "probe(released)");
	return 1;
}

static const luaL_Reg methods[] = {
	{ "enable", l_probe_enable },	{ "disable", l_probe_disable },
	{ "detach", l_probe_detach },	{ "filter", l_probe_filter },
	{ "stats", l_probe_stats },	{ "read", l_probe_read },
	{ "clear", l_probe_clear },	{ "sites", l_probe_sites },
	{ "info", l_probe_info },	{ "mark_printed", l_probe_mark_printed },
	{ "close", release },		{ NULL, NULL },
};

static const luaL_Reg meta[] = {
	{ "__gc", release },
	{ "__close", release },
	{ "__tostring", l_probe_tostring },
	{ "__index", NULL },
	{ NULL, NULL },
};

void l_probe_open(lua_State *L)
{
	luaL_newmetatable(L, PROBE_MT);		/* mt */
	luaL_setfuncs(L, meta, 0);
	luaL_newlibtable(L, methods);		/* mt methods */
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "__index");		/* mt */
	lua_pop(L, 1);
	l_ltrace_preload(L);	/* require("ltrace.native") for lua/ltrace.lua */
}
