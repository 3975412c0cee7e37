/* Captures as values: the decoding every kind with named fields shares. */
#include <string.h>
#include "probe_value.h"

struct probe_value probe_value_capture(const uint8_t *data, uint32_t len, int index,
				       enum value_type type)
{
	const uint8_t *bytes;
	struct lt_cap cap;
	uint64_t word = 0;

	if (capture_get(data, len, index, &cap, &bytes) || (cap.flags & LT_CAP_FAULT))
		return (struct probe_value){ .kind = PV_NIL };
	if (type == VT_STR || type == VT_BYTES)
		return probe_value_str((const char *)bytes, cap.len);
	memcpy(&word, bytes, cap.len < 8 ? cap.len : 8);
	return probe_value_int(value_extend(type, word));
}
