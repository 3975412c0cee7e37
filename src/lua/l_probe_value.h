/* A kind's event field (probe_value.h) as a Lua value. */
#ifndef LT_L_PROBE_VALUE_H
#define LT_L_PROBE_VALUE_H

#include <stdint.h>

struct lua_State;
struct lt_rec;
struct probe;

/* Pushes event field `key` of a record that p's provider knows beyond the core fields:
 * 1 when pushed, 0 when the kind has no such field. */
int l_push_kind_field(struct lua_State *L, struct probe *p, const struct lt_rec *rec,
		      const uint8_t *data, const char *key);

#endif
