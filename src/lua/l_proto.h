/* Application protocols for scripts, require("ltrace.proto") (src/lua/l_proto.c). */
#ifndef LT_L_PROTO_H
#define LT_L_PROTO_H

struct lua_State;

/* Registers "ltrace.proto" in package.preload. */
void l_proto_preload(struct lua_State *L);

#endif
