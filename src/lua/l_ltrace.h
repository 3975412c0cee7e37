/* The ltrace front end's native helpers, require("ltrace.native") (src/lua/l_ltrace.c). */
#ifndef LT_L_LTRACE_H
#define LT_L_LTRACE_H

struct lua_State;

/* Registers "ltrace.native" in package.preload. */
void l_ltrace_preload(struct lua_State *L);

#endif
