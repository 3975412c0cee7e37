/* Timer userdata ("ltrace.timer"): a Lua function called from the event loop every
 * period (interval: probes and every()), or once. Cancel is idempotent and shared
 * with __gc. */
#include <lauxlib.h>
#include <lua.h>
#include "l_core.h"
#include "loop.h"
#include "script_call.h"
#include "session.h"

#define TIMER_MT "ltrace.timer"

struct l_timer {
	struct session *s;
	lua_State *L;		/* the script's main thread: a coroutine may be gone when it fires */
	struct loop_timer *t;
	int fn;
	bool periodic;
};

static void cancel(lua_State *L, struct l_timer *lt)
{
	if (!lt->t)
		return;
	loop_del_timer(lt->s->loop, lt->t);
	lt->t = NULL;
	luaL_unref(L, LUA_REGISTRYINDEX, lt->fn);
	lt->fn = LUA_NOREF;
}

static void fired(void *ctx, struct loop_timer *t)
{
	struct l_timer *lt = ctx;
	struct session *s = lt->s;
	lua_State *L = lt->L;

	if (s->stopping)
		return;
	session_drain(s);	/* events before the tick are seen before it */
	lua_rawgeti(L, LUA_REGISTRYINDEX, lt->fn);		/* fn */
	if (!lt->periodic) {	/* lt may be collected once unanchored: do not touch it after */
		cancel(L, lt);
		lua_pushnil(L);
		lua_rawsetp(L, LUA_REGISTRYINDEX, lt);
	}
	if (script_callback_failed(L, script_pcall(L, 0, 0), "timer", "callback") &&
	    !s->opts.keep_going) {
		s->error = 1;
		session_stop(s, 1);
	}
}

/* core.timer(seconds, fn [, periodic=true]) */
int l_timer_new(lua_State *L)
{
	struct session *s = script_session(L);
	lua_Number secs = luaL_checknumber(L, 1);
	struct l_timer *lt;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	luaL_argcheck(L, secs > 0, 1, "period must be positive");
	lt = lua_newuserdatauv(L, sizeof(*lt), 0);
	*lt = (struct l_timer){ s, NULL, NULL, LUA_NOREF, lua_isnone(L, 3) || lua_toboolean(L, 3) };
	luaL_setmetatable(L, TIMER_MT);
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);	/* ud main */
	lt->L = lua_tothread(L, -1);
	lua_pop(L, 1);						/* ud */
	lt->t = loop_add_timer(s->loop, (uint64_t)(secs * 1e9), lt->periodic, fired, lt);
	if (!lt->t)
		return luaL_error(L, "cannot create timer");
	lua_pushvalue(L, 2);
	lt->fn = luaL_ref(L, LUA_REGISTRYINDEX);
	/* Keep the userdata alive while the timer runs: the loop holds a pointer to it. */
	lua_pushvalue(L, -1);
	lua_rawsetp(L, LUA_REGISTRYINDEX, lt);
	return 1;
}

static int l_timer_cancel(lua_State *L)
{
	struct l_timer *lt = luaL_checkudata(L, 1, TIMER_MT);

	cancel(L, lt);
	lua_pushnil(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, lt);
	return 0;
}

static int l_timer_gc(lua_State *L)
{
	cancel(L, luaL_checkudata(L, 1, TIMER_MT));
	return 0;
}

void l_timer_open(lua_State *L)
{
	static const luaL_Reg methods[] = { { "cancel", l_timer_cancel }, { NULL, NULL } };

	luaL_newmetatable(L, TIMER_MT);
	lua_pushcfunction(L, l_timer_gc);
	lua_setfield(L, -2, "__gc");
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}
