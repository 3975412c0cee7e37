/* The Lua state scripts run in: standard libraries, the embedded lua/ modules found
 * through package.preload, the C modules; loading a script. How to call into the state
 * is script_call.h, which this includes for the state's users. */
#ifndef LT_SCRIPT_H
#define LT_SCRIPT_H

#include "script_call.h"

struct lua_State *script_new(struct session *s);
void script_close(struct lua_State *L);
/* Loads (0 or a Lua status, message on the stack) a file or a string chunk. */
int script_load_file(struct lua_State *L, const char *path);
int script_load_string(struct lua_State *L, const char *code, const char *name);

#endif
