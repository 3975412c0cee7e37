/* syscall: options: fetch = { NAME = TYPE } (l_fetch_opt.c), NAME an argument of the
 * syscalls, which are found first. */
#include <stddef.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_fetch_opt.h"
#include "l_kind.h"
#include "probe.h"
#include "syscall_probe.h"

static const char *const keys[] = { "fetch", NULL };

static void parse_opts(lua_State *L, int t, struct probe *p)
{
	char err[512] = "";

	if (syscall_resolve(p, err, sizeof(err)))
		luaL_error(L, "%s: %s", p->text, err);
	l_fetch_option(L, t, p, LT_SPACE_USER);
}

const struct l_kind l_kind_syscall = {
	.provider = "syscall",
	.opt_keys = keys,
	.parse_opts = parse_opts,
};
