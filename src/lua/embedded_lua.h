/* The Lua library compiled into the binary (generated from lua/ modules at build time). */
#ifndef LT_EMBEDDED_LUA_H
#define LT_EMBEDDED_LUA_H

#include <stddef.h>

struct embedded_lua {
	const char *name;	/* module name: lua/a/b.lua is "a.b" */
	const char *chunk;	/* "@lua/a/b.lua": what messages and tracebacks name */
	const char *source;
	size_t len;
};

/* Terminated by an entry whose name is NULL. */
extern const struct embedded_lua embedded_lua[];

#endif
