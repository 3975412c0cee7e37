/* Tracepoint format files (events/CAT/NAME/format) as data: each field's declaration,
 * offset, size and signedness, and what kind of value it holds (integer, pointer, char
 * array, fixed array, __data_loc / __rel_loc string or array, flexible tail). Pure parsing
 * and decoding: no file system, no kernel; tracefs.c reads the files. */
#ifndef LT_TP_FORMAT_H
#define LT_TP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tp_field_kind {
	TPF_INT,	/* signed or unsigned integer of 1, 2, 4 or 8 bytes */
	TPF_BOOL,
	TPF_PTR,	/* an address (kernel or user: the format does not say) */
	TPF_CHARS,	/* char name[N]: a NUL-padded string */
	TPF_ARRAY,	/* T name[N] of integers */
	TPF_STR_LOC,	/* __data_loc char[] (or __rel_loc): a string stored after the record */
	TPF_ARRAY_LOC,	/* __data_loc T[]: an array stored after the record */
	TPF_FLEX,	/* T name[] of size 0: the rest of the record, as an array */
	TPF_FLEX_STR,	/* char name[] of size 0: the rest of the record, as a string */
	TPF_RAW,	/* anything else (an embedded struct): its bytes */
};

struct tp_field {
	char *name;
	char *decl;		/* the declaration as written: "char prev_comm[16]" */
	uint16_t offset;
	uint16_t size;
	bool is_signed;
	bool rel;		/* __rel_loc: the offset counts from the end of this field */
	enum tp_field_kind kind;
	uint16_t elem_size;	/* arrays: bytes per element */
};

struct tp_format {
	char *name;		/* "sched_switch" */
	uint32_t id;
	struct tp_field *fields;
	size_t nfields;
	size_t ncommon;		/* the first ncommon fields are common_* */
	uint32_t size;		/* the fixed part: the end of the last field */
};

/* Parses a format file's text. 0, or -EINVAL with a message naming the line in err. */
int tp_format_parse(const char *text, struct tp_format *out, char *err, size_t errlen);
void tp_format_free(struct tp_format *f);
const struct tp_field *tp_format_field(const struct tp_format *f, const char *name);
/* The n-th field after the common ones and those named __* (1-based: arg1), or NULL. */
const struct tp_field *tp_format_arg(const struct tp_format *f, int n);
/* The declared type without the name: "const char * filename" -> "const char *". */
void tp_field_type(const struct tp_field *f, char *buf, size_t len);
/* Can predicates and aggregates use it as a number (integer, bool, pointer)? */
bool tp_field_is_scalar(const struct tp_field *f);

/* Decoding a raw record of len bytes. Integers sign- or zero-extend per the format;
 * -ERANGE when the field lies outside the record. */
int tp_field_int(const struct tp_field *f, const uint8_t *rec, size_t len, int64_t *out);
/* Bytes of a char array, fixed array, __data_loc / __rel_loc field or flexible tail;
 * strings stop at their first NUL. -ERANGE when outside the record, -EINVAL for scalars. */
int tp_field_bytes(const struct tp_field *f, const uint8_t *rec, size_t len, const uint8_t **p,
		   size_t *n);
/* Element i of an array field (fixed, __data_loc or flexible). */
int tp_field_elem(const struct tp_field *f, const uint8_t *rec, size_t len, size_t i,
		  int64_t *out);
/* Elements in an array field of this record. */
size_t tp_field_nelem(const struct tp_field *f, const uint8_t *rec, size_t len);

#endif
