/* rawtracepoint: and tp_btf: options: args = {PATH, ...} and fields = {PATH, ...,
 * name = PATH}, BTF field paths the provider resolves (src/probes/rawtp/). No `ret`. */
#include <stddef.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_kind.h"
#include "probe.h"
#include "rawtp_opts.h"

static const char *const keys[] = { "fields", NULL };

static void add_path(lua_State *L, struct probe *p, const char *text, const char *name,
		     int slot)
{
	char err[512];

	if (rawtp_add_path(p, text, name, slot, err, sizeof(err)))
		luaL_error(L, "%s", err);
}

static void parse_fields(lua_State *L, int t, struct probe *p)
{
	if (lua_getfield(L, t, "fields") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	luaL_argexpected(L, lua_istable(L, -1), t, "option 'fields' as a table");
	lua_pushnil(L);						/* fields key */
	while (lua_next(L, -2)) {				/* fields key path */
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "option 'fields': paths are strings (e.g. \"prev.pid\")");
		add_path(L, p, lua_tostring(L, -1),
			 lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL, -1);
		lua_pop(L, 1);					/* fields key */
	}
	lua_pop(L, 1);						/* */
}

static void parse_opts(lua_State *L, int t, struct probe *p)
{
	if (lua_getfield(L, t, "ret") != LUA_TNIL)
		luaL_error(L, "option 'ret': a raw tracepoint has no return value");
	lua_pop(L, 1);
	if (lua_getfield(L, t, "args") == LUA_TTABLE) {		/* args */
		for (int i = 0; i < LT_MAX_ARGS; i++) {
			if (lua_rawgeti(L, -1, i + 1) == LUA_TSTRING)	/* args path */
				add_path(L, p, lua_tostring(L, -1), NULL, i);
			lua_pop(L, 1);				/* args */
		}
	}
	lua_pop(L, 1);						/* */
	parse_fields(L, t, p);
}

const struct l_kind l_kind_rawtp = {
	.provider = "rawtracepoint",
	.opt_keys = keys,
	.parse_opts = parse_opts,
	.own_args = true,
};
