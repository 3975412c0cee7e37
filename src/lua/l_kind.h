/* A probe kind's Lua table: what a script may say to that kind beyond the core options
 * (l_probe.c), read from the option table and set through the C functions the kind's
 * provider exposes. One per kind that has options (src/lua/kinds/), registered by
 * provider name in l_kind.c; a kind without one takes the core options only. */
#ifndef LT_L_KIND_H
#define LT_L_KIND_H

#include <stdbool.h>

struct lua_State;
struct probe;
struct provider;

struct l_kind {
	const char *provider;		/* struct provider.name of the kind it serves */
	/* Option keys of this kind beyond the core ones (NULL-terminated), read by
	 * parse_opts from the option table at index t; raises on misuse like the core
	 * parser. */
	const char *const *opt_keys;
	void (*parse_opts)(struct lua_State *L, int t, struct probe *p);
	/* `args` is the kind's too (e.g. BTF field paths), not capture types. */
	bool own_args;
	/* Options are parsed with no table as with an empty one: the kind's defaults are
	 * set there (profile: both stacks, by stack). */
	bool opts_always;
};

/* The Lua table of provider pv's kind, NULL when it has none. */
const struct l_kind *l_kind_of(const struct provider *pv);

#endif
