/* uprobe:, uretprobe:, call: options: plt = true | { "name", ... } (src/probes/uprobe/uprobe_plt.c). */
#include <stddef.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_kind.h"
#include "probe.h"
#include "uprobe_plt.h"

static const char *const keys[] = { "plt", NULL };

static void parse_opts(lua_State *L, int t, struct probe *p)
{
	int type = lua_getfield(L, t, "plt");		/* v */
	char err[256];

	if (type == LUA_TNIL || (type == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
		lua_pop(L, 1);
		return;
	}
	if (type != LUA_TBOOLEAN && type != LUA_TTABLE)
		luaL_error(L, "option 'plt' must be true or a list of imported function names");
	if (uprobe_plt_select(p, err, sizeof(err)))
		luaL_error(L, "%s", err);
	for (lua_Integer i = 1; type == LUA_TTABLE && lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
		if (!lua_isstring(L, -1))
			luaL_error(L, "option 'plt'[%d] must be a function name", (int)i);
		if (uprobe_plt_add(p, lua_tostring(L, -1)))
			luaL_error(L, "out of memory");
		lua_pop(L, 1);
	}
	lua_pop(L, type == LUA_TTABLE ? 2 : 1);		/* */
}

const struct l_kind l_kind_uprobe = {
	.provider = "uprobe",
	.opt_keys = keys,
	.parse_opts = parse_opts,
};
