/* Range checks of script-given integers, option keys (l_check.h). */
#include <stdbool.h>
#include <string.h>
#include <lauxlib.h>
#include "l_check.h"

void l_check_keys(lua_State *L, int t, const char *what, const char *const *keys)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		bool ok = false;
		luaL_Buffer b;

		lua_pop(L, 1);
		for (const char *const *k = keys; *k && !ok && lua_type(L, -1) == LUA_TSTRING; k++)
			ok = !strcmp(*k, lua_tostring(L, -1));
		if (ok)
			continue;
		luaL_buffinit(L, &b);
		for (const char *const *k = keys; *k; k++) {
			luaL_addstring(&b, k == keys ? "" : ", ");
			luaL_addstring(&b, *k);
		}
		luaL_pushresult(&b);
		luaL_error(L, "%s: unknown option '%s' (%s)", what, luaL_tolstring(L, -2, NULL),
			   lua_tostring(L, -2));
	}
}

lua_Integer l_check_range(lua_State *L, int idx, const char *what, lua_Integer min,
			  lua_Integer max)
{
	int exact = 0;
	lua_Integer v = lua_tointegerx(L, idx, &exact);

	if (!exact || v < min || v > max)
		return luaL_error(L, "%s must be an integer %I..%I (not %s)", what, min, max,
				  luaL_tolstring(L, idx, NULL));
	return v;
}
