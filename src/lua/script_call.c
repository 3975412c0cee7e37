/* Calling into a script's state: the protected-call discipline (lua.c's msghandler and
 * interrupt hook: Ctrl-C stops the running Lua code), error reports, the session a state
 * belongs to and the prelude's phase functions. The modules that Lua calls (src/lua/l_*.c)
 * use these; script.c, which builds the state and registers them, does too. */
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <lauxlib.h>
#include <lua.h>
#include "script_call.h"

static const char SESSION_KEY = 's';
static const char PRELUDE_KEY = 'p';
static volatile sig_atomic_t running;
static lua_State *volatile running_L;

static int msghandler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

static bool interrupt_raised;
/* When the Lua code running now must have finished (CLOCK_MONOTONIC, ns); 0: none set. */
static volatile int64_t interrupt_deadline;

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* async-signal-safe: called from handlers */
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	if (interrupt_deadline && monotonic_ns() < interrupt_deadline)
		return;		/* still within the grace: let it finish */
	lua_sethook(L, NULL, 0, 0);
	interrupt_raised = true;
	luaL_error(L, "interrupted!");
}

void script_interrupt(lua_State *L)
{
	(void)L;
	interrupt_deadline = 0;
	if (running && running_L)
		lua_sethook(running_L, interrupt_hook,
			    LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

void script_interrupt_after(unsigned ms)
{
	if (!running || !running_L)
		return;
	interrupt_deadline = monotonic_ns() + (int64_t)ms * 1000000;
	/* Checked every few thousand instructions: the clock is read rarely while the code
	 * finishes, and a loop that does not is still stopped within a millisecond of the
	 * deadline. */
	lua_sethook(running_L, interrupt_hook, LUA_MASKCOUNT, 4096);
}

bool script_running(void)
{
	return running;
}

int script_pcall(lua_State *L, int nargs, int nresults)
{
	int base = lua_gettop(L) - nargs, status;
	int was_running = running;

	lua_pushcfunction(L, msghandler);
	lua_insert(L, base);
	running_L = L;
	running = 1;
	interrupt_raised = false;
	status = lua_pcall(L, nargs, nresults, base);
	running = was_running;
	if (!was_running) {
		/* A stop asks the code running then to end: a hook it set and that did not
		 * fire (the code finished within its grace) must not reach the next call. */
		lua_sethook(L, NULL, 0, 0);
		interrupt_deadline = 0;
	}
	lua_remove(L, base);
	if (status != LUA_OK && interrupt_raised)
		status = SCRIPT_INTERRUPTED;
	interrupt_raised = false;
	return status;
}

bool script_verbose;

const char *script_message(lua_State *L, int idx, int *len)
{
	const char *msg = lua_tostring(L, idx), *tb;

	if (!msg)
		msg = "?";
	tb = script_verbose ? NULL : strstr(msg, "\nstack traceback:");
	*len = tb ? (int)(tb - msg) : (int)strlen(msg);
	return msg;
}

void script_report(lua_State *L, const char *what, const char *who)
{
	int len;
	const char *msg = script_message(L, -1, &len);

	fprintf(stderr, "ltrace-ebpf: error in %s %s: %.*s\n", what, who, len, msg);
	lua_pop(L, 1);
}

bool script_callback_failed(lua_State *L, int status, const char *what, const char *who)
{
	if (status == LUA_OK)
		return false;
	if (status == SCRIPT_INTERRUPTED) {
		lua_pop(L, 1);
		return false;
	}
	script_report(L, what, who);
	return true;
}

void *script_registry_ptr(lua_State *L, const void *key)
{
	void *p;

	lua_rawgetp(L, LUA_REGISTRYINDEX, key);
	p = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return p;
}

void script_set_registry_ptr(lua_State *L, const void *key, void *p)
{
	lua_pushlightuserdata(L, p);
	lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

struct session *script_session(lua_State *L)
{
	return script_registry_ptr(L, &SESSION_KEY);
}

void script_set_session(lua_State *L, struct session *s)
{
	script_set_registry_ptr(L, &SESSION_KEY, s);
}

void script_set_phases(lua_State *L)
{
	lua_rawsetp(L, LUA_REGISTRYINDEX, &PRELUDE_KEY);
}

int script_call_phase(lua_State *L, const char *name)
{
	lua_rawgetp(L, LUA_REGISTRYINDEX, &PRELUDE_KEY);	/* M */
	lua_getfield(L, -1, name);				/* M fn */
	lua_remove(L, -2);					/* fn */
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return LUA_OK;
	}
	return script_pcall(L, 0, 0);
}
