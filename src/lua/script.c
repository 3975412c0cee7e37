/* Lua state construction: the standard libraries, the embedded modules registered in
 * package.preload so `require` finds them without touching the file system, the C modules,
 * the prelude; loading a script's text. Calling into the state is script_call.c's. */
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
	script_set_phases(L);
	return 0;
}

lua_State *script_new(struct session *s)
{
	lua_State *L = luaL_newstate();

	if (!L)
		return NULL;
	luaL_openlibs(L);
	script_set_session(L, s);
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
