/* The stack options of a probe: `stack` ("user", "kernel", "both", or true for user),
 * `unwind` ("fp", "dwarf", "auto") and `stack_depth` (frames), plus what aggregation by
 * stack ("ustack", "kstack", "stack") needs: the entry fix-up and frame pointers, since
 * only a frame-pointer walk has stack ids the kernel can count by. "auto" unwinds with
 * DWARF when the code the stack starts in lacks frame pointers (a probe at a function of
 * Debian's libc, a program built with -fomit-frame-pointer, the C library's syscall
 * wrappers under a kernel event), with frame pointers else. Every template takes every
 * stack; what a kind cannot have (a kernel stack where events fire in user mode) is an
 * error naming the kind. */
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "elf_frame_pointers.h"
#include "l_stack.h"
#include "libpath.h"
#include "libpath_needed.h"
#include "probe.h"
#include "session.h"
#include "session_stacks.h"
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

/* Where p's events fire (its provider's stack_origin); by default in the kernel, on behalf
 * of a system call: a user stack then starts in the C library (its syscall wrappers). */
static struct stack_origin origin_of(const struct probe *p)
{
	struct stack_origin o = { .lib = "libc" };

	if (p->provider->stack_origin) {
		o.lib = NULL;
		p->provider->stack_origin(p, &o);
	}
	return o;
}

/* The code a user stack starts in: the origin's library and the program. */
static bool starts_without_fp(const struct probe *p, const char *lib)
{
	const struct session_opts *o = &p->s->opts;
	char path[4096];

	if (o->exe[0] && !elf_has_frame_pointers(o->exe))
		return true;
	if (!lib)
		return false;
	if ((strchr(lib, '/') || !o->exe[0] ||
	     libpath_resolve_for(lib, o->exe, path, sizeof(path))) &&
	    libpath_resolve(lib, o->pid, path, sizeof(path), NULL, 0))
		return false;
	return !elf_has_frame_pointers(path);
}

/* A user-mode event has no kernel stack: asking for it alone is an error naming the kind;
 * with the user stack ("both", by = "stack") it is the user stack. */
static void user_mode_stacks(lua_State *L, const struct probe *p, bool user_mode, int *f,
			     int *by)
{
	const char *kind = p->spec.kind->name;

	if (!user_mode)
		return;
	if (*f == LT_STK_KERNEL)
		luaL_error(L, "option 'stack': %s probes fire in user mode and have no kernel "
			   "stack (stack = \"user\")", kind);
	if (*by == LT_BY_KSTACK)
		luaL_error(L, "option 'by': %s probes fire in user mode and have no kernel "
			   "stack (by = \"ustack\")", kind);
	*f &= ~LT_STK_KERNEL;
	if (*by == LT_BY_STACK)
		*by = LT_BY_USTACK;
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
	struct stack_origin at = origin_of(p);
	bool by_user;
	lua_Integer depth = LT_STACK_DEPTH;

	if (at.sampled) {	/* their stacks key the in-kernel counts by default */
		profile_defaults(L, t, p, &f);
		by = c->agg_kind ? c->agg_by : LT_BY_NONE;
	}
	user_mode_stacks(L, p, at.user_mode, &f, &by);
	if (f && p->callback == LUA_NOREF && !at.sampled)
		luaL_error(L, "option 'stack': stacks come with events (e.ustack, e.kstack): give "
			   "the probe a callback, or count per stack with by = \"ustack\", "
			   "\"kstack\" or \"stack\"");
	if (c->agg_kind)
		c->agg_by = by;
	by_user = by == LT_BY_USTACK || by == LT_BY_STACK;

	lua_getfield(L, t, "unwind");
	mode = opt_choice(L, "unwind", "auto", modes);
	if (!lua_isnil(L, -1) && !(f & LT_STK_USER) && !by_user)
		luaL_error(L, "option 'unwind': no user stack to unwind (stack = \"user\" or "
			   "\"both\", or by = \"ustack\" or \"stack\")");
	lua_pop(L, 1);
	if (lua_getfield(L, t, "stack_depth") != LUA_TNIL) {
		depth = luaL_checkinteger(L, -1);
		if (depth < 1 || depth > LT_STACK_DEPTH)
			luaL_error(L, "option 'stack_depth' must be 1..%d", LT_STACK_DEPTH);
		if (!f && !(by >= LT_BY_USTACK && by <= LT_BY_STACK))
			luaL_error(L, "option 'stack_depth': the probe takes no stack (stack = ... "
				   "or by = \"ustack\", \"kstack\", \"stack\")");
	}
	lua_pop(L, 1);
	if (by_user && mode == UNWIND_DWARF)
		luaL_error(L, "option 'by': in-kernel aggregation by user stack needs unwind = "
			   "\"fp\" (aggregate a DWARF stack in Lua: e.ustack:folded())");
	if ((f & LT_STK_USER) && (mode == UNWIND_DWARF ||
				  (mode == UNWIND_AUTO && starts_without_fp(p, at.lib))))
		f = (f & ~LT_STK_USER) | LT_STK_DWARF;
	if (at.entry && ((f & LT_STK_USER) || by_user))
		f |= LT_STK_ENTRY;
	c->stack = f;
	c->stack_depth = depth;
	if ((f || (by >= LT_BY_USTACK && by <= LT_BY_STACK)) && !stack_ctx_get(p->s))
		luaL_error(L, "cannot set up stacks: out of memory");
}
