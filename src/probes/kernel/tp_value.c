/* Decoding tracepoint fields into Lua: integers by size and sign, bool, pointers as
 * integers, strings (char arrays, __data_loc char[], char[] tails) without their padding,
 * other arrays as sequences of integers. Shared by the tracepoint and syscall providers. */
#include <string.h>
#include <lua.h>
#include "tp_value.h"

static void push_array(lua_State *L, const struct tp_field *f, const uint8_t *rec, size_t len)
{
	size_t n = tp_field_nelem(f, rec, len);
	int64_t v;

	lua_createtable(L, n, 0);					/* t */
	for (size_t i = 0; i < n; i++) {
		if (tp_field_elem(f, rec, len, i, &v))
			break;
		lua_pushinteger(L, v);					/* t v */
		lua_rawseti(L, -2, i + 1);				/* t */
	}
}

void l_tp_push_field(lua_State *L, const struct tp_field *f, const uint8_t *rec, size_t len)
{
	const uint8_t *bytes;
	int64_t v;
	size_t n;

	if (!rec) {
		lua_pushnil(L);
	} else if (tp_field_is_scalar(f)) {
		if (tp_field_int(f, rec, len, &v))
			lua_pushnil(L);
		else if (f->kind == TPF_BOOL)
			lua_pushboolean(L, v != 0);
		else
			lua_pushinteger(L, v);
	} else if (f->kind == TPF_ARRAY || f->kind == TPF_ARRAY_LOC || f->kind == TPF_FLEX) {
		push_array(L, f, rec, len);
	} else if (tp_field_bytes(f, rec, len, &bytes, &n)) {
		lua_pushnil(L);
	} else {
		lua_pushlstring(L, (const char *)bytes, n);
	}
}

void l_push_capture(lua_State *L, const uint8_t *data, uint32_t len, int index,
		    enum value_type type)
{
	const uint8_t *bytes;
	struct lt_cap cap;
	uint64_t word = 0;

	if (capture_get(data, len, index, &cap, &bytes) || (cap.flags & LT_CAP_FAULT)) {
		lua_pushnil(L);
	} else if (type == VT_STR || type == VT_BYTES) {
		lua_pushlstring(L, (const char *)bytes, cap.len);
	} else {
		memcpy(&word, bytes, cap.len < 8 ? cap.len : 8);
		lua_pushinteger(L, value_extend(type, word));
	}
}
