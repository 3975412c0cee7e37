/* tracepoint: options: fetch = { NAME = TYPE } (l_fetch_opt.c); `args` is refused, fields
 * have names. */
#include <stddef.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_fetch_opt.h"
#include "l_kind.h"
#include "probe.h"

static const char *const keys[] = { "fetch", NULL };

static void parse_opts(lua_State *L, int t, struct probe *p)
{
	if (lua_getfield(L, t, "args") != LUA_TNIL)
		luaL_error(L, "option 'args': tracepoint fields have names: read them as e.NAME, "
			   "capture pointers with fetch = { NAME = TYPE }");
	lua_pop(L, 1);
	/* syscalls:* records hold the caller's pointers; other tracepoints the kernel's. */
	l_fetch_option(L, t, p, strcmp(p->spec.lib, "syscalls") ? LT_SPACE_KERNEL : LT_SPACE_USER);
}

const struct l_kind l_kind_tracepoint = {
	.provider = "tracepoint",
	.opt_keys = keys,
	.parse_opts = parse_opts,
	.own_args = true,
};
