/* Tracepoint fields as values (probe_value.h), decoded from a raw record by its format. */
#ifndef LT_TP_VALUE_H
#define LT_TP_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include "probe_value.h"
#include "tp_format.h"

/* Field f of rec (len bytes; NULL when the record was not captured): an integer, a
 * boolean, a string (char arrays, __data_loc strings) or a sequence of integers (other
 * arrays); nil when the record does not hold it. */
struct probe_value tp_field_value(const struct tp_field *f, const uint8_t *rec, size_t len);

#endif
