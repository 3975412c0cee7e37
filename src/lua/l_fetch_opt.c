/* fetch = { NAME = TYPE, [N] = TYPE }: named captures. NAME goes through the provider's
 * field_src (a tracepoint field gets a value slot, a syscall argument is its argN); TYPE is
 * the capture vocabulary of fetch.c, optionally prefixed "user:" or "kernel:" to say whose
 * memory a pointer points into. */
#include <stdio.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_fetch_opt.h"
#include "probe.h"
#include "probe_field.h"

static const char *strip_space(const char *type, enum lt_space *space)
{
	if (!strncmp(type, "user:", 5)) {
		*space = LT_SPACE_USER;
		return type + 5;
	}
	if (!strncmp(type, "kernel:", 7)) {
		*space = LT_SPACE_KERNEL;
		return type + 7;
	}
	return type;
}

/* One entry; the key and value are at -2 and -1. */
static void fetch_one(lua_State *L, struct probe *p, enum lt_space space)
{
	char name[64], err[256];
	const char *type;
	struct value_fmt *fmt;
	int src, needs;

	if (lua_type(L, -2) == LUA_TNUMBER)
		snprintf(name, sizeof(name), "arg%d", (int)lua_tointeger(L, -2));
	else if (lua_type(L, -2) == LUA_TSTRING)
		snprintf(name, sizeof(name), "%s", lua_tostring(L, -2));
	else
		luaL_error(L, "option 'fetch': keys are field names or argument numbers");
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "option 'fetch.%s' must be a type string (\"str\", \"bytes:64\" ...)",
			   name);
	if ((src = probe_field_src(p, name, err, sizeof(err))) < 0)
		luaL_error(L, "option 'fetch': %s", err);
	if (src >= LT_MAX_ARGS && src != LT_SRC_RET)
		luaL_error(L, "option 'fetch.%s': only fields, arguments and ret can be read",
			   name);
	fmt = src == LT_SRC_RET ? &p->ret : &p->args[src];
	type = strip_space(lua_tostring(L, -1), &space);
	if (fetch_parse(type, src, p->strsize, &p->cfg.fetch[p->cfg.nfetch], &needs, &fmt->type,
			err, sizeof(err)))
		luaL_error(L, "option 'fetch.%s': %s", name, err);
	fmt->capture = -1;
	if (!needs)
		return;
	if (p->cfg.nfetch >= LT_MAX_FETCH)
		luaL_error(L, "option 'fetch': at most %d captures per probe", LT_MAX_FETCH);
	p->cfg.fetch[p->cfg.nfetch].space = space;
	fmt->capture = p->cfg.nfetch++;
}

void l_fetch_option(lua_State *L, int t, struct probe *p, enum lt_space space)
{
	int type = lua_getfield(L, t, "fetch");				/* f */

	if (type != LUA_TNIL && type != LUA_TTABLE)
		luaL_error(L, "option 'fetch' must be a table { field = type }");
	if (type == LUA_TTABLE) {
		lua_pushnil(L);						/* f nil */
		while (lua_next(L, -2)) {				/* f k v */
			fetch_one(L, p, space);
			lua_pop(L, 1);					/* f k */
		}
	}
	lua_pop(L, 1);							/* */
}
