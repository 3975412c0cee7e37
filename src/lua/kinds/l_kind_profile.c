/* profile: and offcpu: options: mode = "cpu" | "offcpu" (profile's), max_duration (off
 * CPU), cgroup = id or path (src/probes/profile/). Parsed even with no option table: the
 * stack defaults (both stacks, by stack) are set with the options. */
#include <stddef.h>
#include <stdint.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_core.h"
#include "l_kind.h"
#include "probe.h"
#include "profile_opts.h"

static const char *const keys[] = { "mode", "cgroup", "max_duration", NULL };

static uint64_t cgroup_id(lua_State *L, int t)
{
	char err[4200];
	uint64_t id;

	if (lua_getfield(L, t, "cgroup") == LUA_TNUMBER)
		return lua_tointeger(L, -1);
	if (lua_isnil(L, -1))
		return 0;
	if (profile_cgroup_id(luaL_checkstring(L, -1), &id, err, sizeof(err)))
		luaL_error(L, "%s", err);
	return id;
}

static void parse_opts(lua_State *L, int t, struct probe *p)
{
	static const char *const modes[] = { "cpu", "offcpu", NULL };
	int offcpu = -1;
	char err[256];

	lua_getfield(L, t, "mode");
	if (p->spec.kind->variant == PROFILE_OFFCPU && !lua_isnil(L, -1))
		luaL_error(L, "option 'mode': 'offcpu' is always off-CPU (mode is profile's)");
	if (p->spec.kind->variant == PROFILE_CPU)
		offcpu = luaL_checkoption(L, -1, "cpu", modes) == 1;
	lua_pop(L, 1);
	if (profile_set_mode(p, offcpu, l_probe_opt_duration(L, t, "max_duration"), err,
			     sizeof(err)))
		luaL_error(L, "%s", err);
	p->cfg.cgroup_id = cgroup_id(L, t);
	lua_pop(L, 1);
	if (profile_is_offcpu(p) && p->callback != LUA_NOREF)
		luaL_error(L, "option 'mode': off-CPU intervals are aggregated in the kernel only "
			   "(no callback: read the probe, or print it at exit)");
}

const struct l_kind l_kind_profile = {
	.provider = "profile",
	.opt_keys = keys,
	.parse_opts = parse_opts,
	.opts_always = true,
};
