/* Range checks of script-given integers (l_check.h). */
#include <lauxlib.h>
#include "l_check.h"

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
