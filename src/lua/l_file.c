/* core.create and core.read_file: the Lua side of safe_file.c, so that every output file
 * of the Lua library and the tools (-o, flame graphs, Perfetto, folded stacks) and every
 * -F config file is opened by the same rules as the C side's files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_core.h"
#include "safe_file.h"

static int fail(lua_State *L, const char *path, int err)
{
	luaL_pushfail(L);
	lua_pushfstring(L, "%s: %s", path, sf_strerror(err));
	lua_pushinteger(L, err < 0 ? -err : err);
	return 3;
}

/* io's own close for the handles made here (luaL_Stream.closef). */
static int close_stream(lua_State *L)
{
	luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);

	return luaL_fileresult(L, fclose(p->f) == 0, NULL);
}

/* core.create(path) -> an io file handle open for writing, or nil, message, errno. */
int l_file_create(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	luaL_Stream *p = lua_newuserdatauv(L, sizeof(*p), 0);
	int fd;

	p->closef = NULL;	/* a closed file until fdopen succeeds */
	luaL_setmetatable(L, LUA_FILEHANDLE);
	if ((fd = sf_open_write(path)) < 0)
		return fail(L, path, fd);
	if (!(p->f = fdopen(fd, "w"))) {
		int err = errno;

		close(fd);
		return fail(L, path, -err);
	}
	p->closef = close_stream;
	return 1;
}

/* core.read_file(path) -> its text (at most SF_MAX_TEXT bytes), or nil, message, errno. */
int l_file_read(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	size_t len;
	char *buf;
	int rc;

	if ((rc = sf_read_all(path, SF_MAX_TEXT, &buf, &len)))
		return fail(L, path, rc);
	lua_pushlstring(L, buf, len);
	free(buf);
	return 1;
}
