/* Lua state construction and the protected-call discipline (lua.c's msghandler and
 * interrupt hook). Embedded modules are registered in package.preload so `require`
 * finds them without touching the file system. */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include "embedded_lua.h"
#include "l_core.h"
#include "l_proto.h"
#include "safe_file.h"
#include "script.h"
#include "session.h"

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

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
	lua_sethook(L, NULL, 0, 0);
	interrupt_raised = true;
	luaL_error(L, "interrupted!");
}

void script_interrupt(lua_State *L)
{
	if (running && running_L)
		lua_sethook(running_L, interrupt_hook,
			    LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
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

static int load_embedded(lua_State *L)
{
	const struct embedded_lua *m = lua_touserdata(L, lua_upvalueindex(1));

	if (luaL_loadbuffer(L, m->source, m->len, m->chunk))
		return lua_error(L);
	lua_pushstring(L, m->name);
	lua_call(L, 1, 1);
	return 1;
}

static void preload_modules(lua_State *L)
{
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);	/* preload */
	for (const struct embedded_lua *m = embedded_lua; m->name; m++) {
		lua_pushlightuserdata(L, (void *)m);
		lua_pushcclosure(L, load_embedded, 1);
		lua_setfield(L, -2, m->name);
	}
	lua_pushcfunction(L, luaopen_ltrace_core);
	lua_setfield(L, -2, "ltrace.core");
	lua_pop(L, 1);
	l_proto_preload(L);	/* require("ltrace.proto") for lua/http.lua */
}

/* require("prelude") installs the DSL globals and returns its phase functions. */
static int open_prelude(lua_State *L)
{
	lua_getglobal(L, "require");
	lua_pushstring(L, "prelude");
	if (script_pcall(L, 1, 1) != LUA_OK)
		return -1;
	lua_rawsetp(L, LUA_REGISTRYINDEX, &PRELUDE_KEY);
	return 0;
}

lua_State *script_new(struct session *s)
{
	lua_State *L = luaL_newstate();

	if (!L)
		return NULL;
	luaL_openlibs(L);
	lua_pushlightuserdata(L, s);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &SESSION_KEY);
	preload_modules(L);
	if (open_prelude(L)) {
		script_report(L, "the embedded", "prelude");
		script_close(L);
		return NULL;
	}
	return L;
}

void script_close(lua_State *L)
{
	struct session *s;

	if (!L)
		return;
	if ((s = script_session(L)))
		session_set_sink(s, NULL, NULL);	/* no record may reach a closed state */
	lua_close(L);
}

struct session *script_session(lua_State *L)
{
	struct session *s;

	lua_rawgetp(L, LUA_REGISTRYINDEX, &SESSION_KEY);
	s = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return s;
}

/* luaL_loadfile would wait on a FIFO and read /dev/zero forever: the text is read by
 * safe_file.c's rules, then loaded as luaL_loadfile does (a first line starting with '#'
 * is skipped, keeping its newline so line numbers stay right). */
int script_load_file(lua_State *L, const char *path)
{
	size_t len, skip = 0;
	char *text;
	int rc;

	if ((rc = sf_read_all(path, SF_MAX_TEXT, &text, &len))) {
		lua_pushfstring(L, "cannot open %s: %s", path, sf_strerror(rc));
		return LUA_ERRFILE;
	}
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))	/* a UTF-8 byte order mark */
		skip = 3;
	if (skip < len && text[skip] == '#')
		while (skip < len && text[skip] != '\n')
			skip++;
	lua_pushfstring(L, "@%s", path);
	rc = luaL_loadbufferx(L, text + skip, len - skip, lua_tostring(L, -1), NULL);
	lua_remove(L, -2);
	free(text);
	return rc;
}

int script_load_string(lua_State *L, const char *code, const char *name)
{
	return luaL_loadbuffer(L, code, strlen(code), name);
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
