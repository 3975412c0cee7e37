/* usdt: options: none of its own, and no `ret` (a USDT probe has arguments only). */
#include <stddef.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_kind.h"

static void parse_opts(lua_State *L, int t, struct probe *p)
{
	(void)p;
	if (lua_getfield(L, t, "ret") != LUA_TNIL)
		luaL_error(L, "option 'ret': a USDT probe has no return value");
	lua_pop(L, 1);
}

const struct l_kind l_kind_usdt = {
	.provider = "usdt",
	.parse_opts = parse_opts,
};
