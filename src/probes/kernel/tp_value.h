/* Tracepoint fields and captures as Lua values, decoded from a raw record by its format. */
#ifndef LT_TP_VALUE_H
#define LT_TP_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include "fetch.h"
#include "tp_format.h"

struct lua_State;

/* Pushes field f of rec (len bytes; NULL when the record was not captured): an integer,
 * a boolean, a string (char arrays, __data_loc strings) or a table (other arrays); nil
 * when the record does not hold it. */
void l_tp_push_field(struct lua_State *L, const struct tp_field *f, const uint8_t *rec,
		     size_t len);
/* Pushes capture `index` of a record's data decoded as type: a string, an integer, or nil
 * when missing or faulted. */
void l_push_capture(struct lua_State *L, const uint8_t *data, uint32_t len, int index,
		    enum value_type type);

#endif
