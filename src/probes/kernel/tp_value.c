/* Decoding tracepoint fields: integers by size and sign, bool, pointers as integers,
 * strings (char arrays, __data_loc char[], char[] tails) without their padding, other
 * arrays as sequences of integers. Used by the tracepoint provider's event fields. */
#include "tp_value.h"

static int array_elem(const struct probe_value *v, size_t i, int64_t *out)
{
	return tp_field_elem(v->ctx, v->bytes, v->len, i, out);
}

struct probe_value tp_field_value(const struct tp_field *f, const uint8_t *rec, size_t len)
{
	const uint8_t *bytes;
	int64_t v;
	size_t n;

	if (!rec)
		return (struct probe_value){ .kind = PV_NIL };
	if (tp_field_is_scalar(f)) {
		if (tp_field_int(f, rec, len, &v))
			return (struct probe_value){ .kind = PV_NIL };
		if (f->kind == TPF_BOOL)
			return (struct probe_value){ .kind = PV_BOOL, .i = v != 0 };
		return probe_value_int(v);
	}
	if (f->kind == TPF_ARRAY || f->kind == TPF_ARRAY_LOC || f->kind == TPF_FLEX)
		return (struct probe_value){ .kind = PV_INTS, .bytes = rec, .len = len,
					     .n = tp_field_nelem(f, rec, len), .ctx = f,
					     .elem = array_elem };
	if (tp_field_bytes(f, rec, len, &bytes, &n))
		return (struct probe_value){ .kind = PV_NIL };
	return probe_value_str((const char *)bytes, n);
}
