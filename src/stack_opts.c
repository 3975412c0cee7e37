/* The stack options of a probe: `stack` ("user", "kernel", "both", or true for user),
 * `unwind` ("fp", "dwarf", "auto") and `stack_depth` (frames), plus what aggregation by
 * stack ("ustack", "kstack", "stack") needs: the entry fix-up and frame pointers, since
 * only a frame-pointer walk has stack ids the kernel can count by. "auto" unwinds with
 * DWARF when the code the stack starts in lacks frame pointers (a probe at a function of
 * Debian's libc, a program built with -fomit-frame-pointer), with frame pointers else. */
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "libpath.h"
#include "libpath_needed.h"
#include "probe.h"
#include "session.h"
#include "stack.h"

enum unwind_mode { UNWIND_AUTO, UNWIND_FP, UNWIND_DWARF };

/* The index of the string on top in choices (default when nil); raises naming the key. */
static int opt_choice(lua_State *L, const char *key, const char *def, const char *const *choices)
{
	const char *v = lua_isnil(L, -1) ? def : lua_tostring(L, -1);

	for (int i = 0; v && choices[i]; i++)
		if (!strcmp(v, choices[i]))
			return i;
	return luaL_error(L, "option '%s' must be one of %s%s", key,
			  !strcmp(key, "stack") ? "\"user\", \"kernel\", \"both\", true" :
						  "\"auto\", \"fp\", \"dwarf\"",
			  lua_isstring(L, -1) ? "" : " (got a non-string)");
}

static int parse_stack(lua_State *L, int t)
{
	static const char *const kinds[] = { "none", "user", "kernel", "both", NULL };
	static const int flags[] = { 0, LT_STK_USER, LT_STK_KERNEL, LT_STK_USER | LT_STK_KERNEL };
	int type = lua_getfield(L, t, "stack"), f = 0;

	if (type == LUA_TBOOLEAN)
		f = lua_toboolean(L, -1) ? LT_STK_USER : 0;
	else if (type == LUA_TSTRING || type == LUA_TNIL)
		f = flags[opt_choice(L, "stack", "none", kinds)];
	else
		opt_choice(L, "stack", "none", kinds);
	lua_pop(L, 1);
	return f;
}

/* The code a user stack starts in: the probed library at an entry, and the program. */
static bool starts_without_fp(const struct probe *p, bool entry)
{
	const struct session_opts *o = &p->s->opts;
	char path[4096];

	if (o->exe[0] && !stack_fp_likely(o->exe))
		return true;
	if (!entry || !spec_is_user(p->spec.kind))
		return false;
	if ((strchr(p->spec.lib, '/') || !o->exe[0] ||
	     libpath_resolve_for(p->spec.lib, o->exe, path, sizeof(path))) &&
	    libpath_resolve(p->spec.lib, o->pid, path, sizeof(path)))
		return false;
	return !stack_fp_likely(path);
}

int stack_agg_by(const char *name)
{
	if (!strcmp(name, "ustack"))
		return LT_BY_USTACK;
	if (!strcmp(name, "kstack"))
		return LT_BY_KSTACK;
	return strcmp(name, "stack") ? -1 : LT_BY_STACK;
}

static bool has_key(lua_State *L, int t, const char *key)
{
	bool has = lua_getfield(L, t, key) != LUA_TNIL;

	lua_pop(L, 1);
	return has;
}

/* profile: both stacks by default, counted per stack; off CPU, time summed per stack. */
static void profile_defaults(lua_State *L, int t, struct probe *p, int *f)
{
	struct lt_probe_cfg *c = &p->cfg;

	if (!has_key(L, t, "stack"))
		*f = LT_STK_USER | LT_STK_KERNEL;
	if (c->agg_kind && !has_key(L, t, "by"))
		c->agg_by = (*f & LT_STK_USER) && (*f & LT_STK_KERNEL) ? LT_BY_STACK :
			    (*f & LT_STK_USER) ? LT_BY_USTACK : LT_BY_KSTACK;
	if ((c->flags & LT_CFG_CALL) && !has_key(L, t, "agg") && p->callback == LUA_NOREF) {
		c->agg_kind = LT_AGG_SUM;
		c->agg_src = LT_SRC_DURATION;
	}
}

void stack_parse_opts(lua_State *L, int t, struct probe *p)
{
	static const char *const modes[] = { "auto", "fp", "dwarf", NULL };
	struct lt_probe_cfg *c = &p->cfg;
	int f = parse_stack(L, t), mode, by = c->agg_kind ? c->agg_by : LT_BY_NONE;
	bool entry = p->spec.kind == SPEC_UPROBE && !p->spec.has_offset && !p->spec.is_addr;
	bool by_user = by == LT_BY_USTACK || by == LT_BY_STACK;
	lua_Integer depth = LT_STACK_DEPTH;

	if (p->spec.kind == SPEC_PROFILE || p->spec.kind == SPEC_OFFCPU) {
		profile_defaults(L, t, p, &f);
		by = c->agg_kind ? c->agg_by : LT_BY_NONE;
		by_user = by == LT_BY_USTACK || by == LT_BY_STACK;
	}

	lua_getfield(L, t, "unwind");
	mode = opt_choice(L, "unwind", "auto", modes);
	lua_pop(L, 1);
	if (lua_getfield(L, t, "stack_depth") != LUA_TNIL) {
		depth = luaL_checkinteger(L, -1);
		if (depth < 1 || depth > LT_STACK_DEPTH)
			luaL_error(L, "option 'stack_depth' must be 1..%d", LT_STACK_DEPTH);
	}
	lua_pop(L, 1);
	if (by_user && mode == UNWIND_DWARF)
		luaL_error(L, "option 'by': in-kernel aggregation by user stack needs unwind = "
			   "\"fp\" (aggregate a DWARF stack in Lua: e.ustack:folded())");
	if ((f & LT_STK_USER) && (mode == UNWIND_DWARF ||
				  (mode == UNWIND_AUTO && starts_without_fp(p, entry))))
		f = (f & ~LT_STK_USER) | LT_STK_DWARF;
	if (entry && ((f & LT_STK_USER) || by_user))
		f |= LT_STK_ENTRY;
	c->stack = f;
	c->stack_depth = depth;
	if ((f || (by >= LT_BY_USTACK && by <= LT_BY_STACK)) && !stack_ctx_get(p->s))
		luaL_error(L, "cannot set up stacks: out of memory");
}
