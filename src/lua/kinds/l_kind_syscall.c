/* syscall: options: fetch = { NAME = TYPE } (l_fetch_opt.c), NAME an argument of the
 * syscalls, which are found first; socket = true, only the calls whose first argument is
 * a socket (told in the kernel: the other calls send nothing). */
#include <stddef.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_fetch_opt.h"
#include "l_kind.h"
#include "probe.h"
#include "syscall_probe.h"

static const char *const keys[] = { "fetch", "socket", NULL };

static void parse_opts(lua_State *L, int t, struct probe *p)
{
	char err[512] = "";

	if (syscall_resolve(p, err, sizeof(err)))
		luaL_error(L, "%s: %s", p->text, err);
	l_fetch_option(L, t, p, LT_SPACE_USER);
	lua_getfield(L, t, "socket");
	if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
		luaL_error(L, "option 'socket': expected true or false, got %s", luaL_typename(L, -1));
	if (lua_toboolean(L, -1))
		p->cfg.flags |= LT_CFG_SOCKET;
	lua_pop(L, 1);
}

const struct l_kind l_kind_syscall = {
	.provider = "syscall",
	.opt_keys = keys,
	.parse_opts = parse_opts,
};
