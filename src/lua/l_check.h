/* Bounds of the numbers scripts give (options, trace_pid, exit): one check, one message,
 * so a value out of range is an error naming it, never silently cut or wrapped. */
#ifndef LT_L_CHECK_H
#define LT_L_CHECK_H

#include <lua.h>

/* The largest pid Linux can give (PID_MAX_LIMIT on 64-bit). */
#define LT_PID_MAX (1 << 22)

/* The integer at stack index idx if min <= it <= max; else raises "WHAT must be an
 * integer MIN..MAX (not VALUE)". */
lua_Integer l_check_range(lua_State *L, int idx, const char *what, lua_Integer min,
			  lua_Integer max);

/* Every key of the table at t is one of keys (NULL-terminated): else raises "WHAT: unknown
 * option 'K' (KEY, KEY ...)", as a misspelt option would silently do nothing. */
void l_check_keys(lua_State *L, int t, const char *what, const char *const *keys);

#endif
