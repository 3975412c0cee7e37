/* What a probe captures and how it filters, as data: the type strings scripts write
 * ("str", "int@8", "out:bytes:64/ret") become lt_fetch ops for the kernel plus a
 * decoding rule for user space; predicates ("arg1 > 5", "ret & 0x4") become lt_pred. */
#ifndef LT_FETCH_H
#define LT_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include "lt_abi.h"

enum value_type {
	VT_INT,		/* signed 64 */
	VT_UINT,
	VT_PTR,
	VT_I32,
	VT_U32,
	VT_I16,
	VT_U16,
	VT_I8,
	VT_U8,
	VT_CHAR,
	VT_BOOL,
	VT_STR,
	VT_BYTES,
};

/* How one argument (or the return value) is shown to Lua. */
struct value_fmt {
	enum value_type type;
	int capture;	/* index into the record's captures, or -1: the raw register */
};

/* Parses TYPE for the value in `src` (LT_SRC_ARG1+i or LT_SRC_RET). When the type needs
 * memory read, fills *op and sets *needs_fetch. 0 or -EINVAL (message in err). */
int fetch_parse(const char *text, int src, unsigned strsize, struct lt_fetch *op, int *needs_fetch,
		enum value_type *type, char *err, size_t errlen);
/* "arg1 > 5", "ret == -1", "duration >= 1000", "arg2 & 0x4": 0 or -EINVAL. */
int pred_parse(const char *text, struct lt_pred *out, char *err, size_t errlen);
/* Narrow and signed types compare only their defined bytes, with their signedness. */
void pred_apply_type(struct lt_pred *p, enum value_type type);
/* "arg1".."arg6", "ret", "duration": LT_SRC_* or -EINVAL. */
int src_parse(const char *name);
const char *value_type_name(enum value_type type);
/* Sign- or zero-extends a raw register/word per type. */
int64_t value_extend(enum value_type type, uint64_t raw);

/* Config capture `index` of a record: like capture_get, without the pointer a
 * LT_DEREF_KEEP capture starts with. 0 or -ENOENT. */
int capture_value(const struct lt_probe_cfg *cfg, int index, const uint8_t *data, uint32_t len,
		  struct lt_cap *cap, const uint8_t **bytes);
/* The word config capture `index` stands for: the value read (an integer capture) or the
 * pointer a LT_DEREF_KEEP capture followed (a stack argument's value). 0 or -ENOENT. */
int capture_word(const struct lt_probe_cfg *cfg, int index, const uint8_t *data, uint32_t len,
		 uint64_t *word);
/* A paired call's record holds the captures made at entry first, then those made at
 * return: the position of config capture `index` among them. */
int capture_emitted_index(const struct lt_probe_cfg *cfg, int index);
/* Finds the i-th capture in a record's data area: 0 with *cap and *bytes set, or -ENOENT. */
int capture_get(const uint8_t *data, uint32_t len, int index, struct lt_cap *cap,
		const uint8_t **bytes);

#endif
