/* Encoding of captures and predicates. The type vocabulary follows ltrace.conf where it
 * can (int, uint, long, char, string, addr); "@OFF" reads at pointer+OFF (for strings: the
 * pointer stored there is followed), "out:" captures at return, "/argN" or "/ret" bounds
 * a buffer's length by another value. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fetch.h"

static const struct {
	const char *name;
	enum value_type type;
} types[] = {
	{ "int", VT_INT },	 { "long", VT_INT },	{ "i64", VT_INT },   { "s64", VT_INT },
	{ "uint", VT_UINT },	 { "ulong", VT_UINT },	{ "u64", VT_UINT },  { "size_t", VT_UINT },
	{ "ptr", VT_PTR },	 { "addr", VT_PTR },	{ "i32", VT_I32 },   { "int32", VT_I32 },
	{ "u32", VT_U32 },	 { "uint32", VT_U32 },	{ "i16", VT_I16 },   { "short", VT_I16 },
	{ "u16", VT_U16 },	 { "ushort", VT_U16 },	{ "i8", VT_I8 },     { "u8", VT_U8 },
	{ "char", VT_CHAR },	 { "bool", VT_BOOL },	{ "str", VT_STR },   { "string", VT_STR },
	{ "bytes", VT_BYTES },	 { "buf", VT_BYTES },
};

const char *value_type_name(enum value_type type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].name;
	return "?";
}

int64_t value_extend(enum value_type type, uint64_t raw)
{
	switch (type) {
	case VT_I32: return (int32_t)raw;
	case VT_U32: return (uint32_t)raw;
	case VT_I16: return (int16_t)raw;
	case VT_U16: return (uint16_t)raw;
	case VT_I8: return (int8_t)raw;
	case VT_U8:
	case VT_CHAR: return (uint8_t)raw;
	case VT_BOOL: return (uint8_t)raw != 0;	/* only the low byte is defined */
	default: return (int64_t)raw;
	}
}

void pred_apply_type(struct lt_pred *p, enum value_type type)
{
	switch (type) {
	case VT_I32: p->width = 4; p->is_signed = 1; break;
	case VT_I16: p->width = 2; p->is_signed = 1; break;
	case VT_I8: p->width = 1; p->is_signed = 1; break;
	case VT_U32: p->width = 4; p->is_signed = 0; break;
	case VT_U16: p->width = 2; p->is_signed = 0; break;
	case VT_U8:
	case VT_CHAR:
	case VT_BOOL: p->width = 1; p->is_signed = 0; break;
	case VT_UINT:
	case VT_PTR: p->is_signed = 0; break;
	default: break;	/* int: signedness follows the constant */
	}
}

int src_parse(const char *name)
{
	if (!strncmp(name, "arg", 3) && name[3] >= '1' && name[3] <= '6' && !name[4])
		return LT_SRC_ARG1 + name[3] - '1';
	if (!strcmp(name, "ret") || !strcmp(name, "retval"))
		return LT_SRC_RET;
	if (!strcmp(name, "duration"))
		return LT_SRC_DURATION;
	if (!strcmp(name, "caller"))
		return LT_SRC_CALLER;
	return -EINVAL;
}

static int type_lookup(const char *name, size_t len, enum value_type *type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strlen(types[i].name) == len && !strncmp(types[i].name, name, len)) {
			*type = types[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

/* Splits "[out:]NAME[:N][/LIMIT][@OFF]" in place. */
struct type_parts {
	int out;
	char name[32];
	long len;	/* -1: default */
	int limit_src;	/* -1: none */
	long off;
	int has_off;
};

static int split_type(const char *text, struct type_parts *tp)
{
	const char *p = text;
	char *end;
	size_t n;

	memset(tp, 0, sizeof(*tp));
	tp->len = -1;
	tp->limit_src = -1;
	if (!strncmp(p, "out:", 4)) {
		tp->out = 1;
		p += 4;
	}
	n = strcspn(p, ":/@[");
	if (!n || n >= sizeof(tp->name))
		return -EINVAL;
	memcpy(tp->name, p, n);
	p += n;
	if (*p == ':' || *p == '[') {	/* str:64 or string[64] */
		tp->len = strtol(p + 1, &end, 0);
		if (end == p + 1 || tp->len <= 0 || (*p == '[' && *end++ != ']'))
			return -EINVAL;
		p = end;
	}
	if (*p == '/') {
		char src[16];

		n = strcspn(p + 1, "@");
		if (n >= sizeof(src))
			return -EINVAL;
		memcpy(src, p + 1, n);
		src[n] = 0;
		if ((tp->limit_src = src_parse(src)) < 0)
			return -EINVAL;
		p += 1 + n;
	}
	if (*p == '@') {
		errno = 0;
		tp->off = strtol(p + 1, &end, 0);
		if (end == p + 1 || errno || tp->off > INT32_MAX || tp->off < INT32_MIN)
			return -EINVAL;
		tp->has_off = 1;
		p = end;
	}
	return *p ? -EINVAL : 0;
}

int fetch_parse(const char *text, int src, unsigned strsize, struct lt_fetch *op, int *needs_fetch,
		enum value_type *type, char *err, size_t errlen)
{
	struct type_parts tp;
	int is_mem, iov = 0;

	memset(op, 0, sizeof(*op));
	*needs_fetch = 0;
	if (split_type(text, &tp) || (!(iov = !strcmp(tp.name, "iov")) &&
				      type_lookup(tp.name, strlen(tp.name), type))) {
		snprintf(err, errlen, "bad type '%s' (int, uint, ptr, str, bytes:N, iov:N, i32, "
			 "char, ...; @OFF, out:, /argN)", text);
		return -EINVAL;
	}
	if (iov)
		*type = VT_BYTES;	/* the iovecs' buffers, read as one */
	if (iov && tp.limit_src < 0) {	/* past the bytes moved, iovecs may not be the call's */
		snprintf(err, errlen, "bad type '%s': iov:N needs its bound (/ret or /argN)", text);
		return -EINVAL;
	}
	is_mem = *type == VT_STR || *type == VT_BYTES;
	if (tp.len > LT_FETCH_MAX_LEN || (*type == VT_BYTES && tp.len < 0) ||
	    (!is_mem && (tp.len > 0 || tp.limit_src >= 0))) {
		snprintf(err, errlen, "bad length in '%s' (bytes need :N, at most %d)", text,
			 LT_FETCH_MAX_LEN);
		return -EINVAL;
	}
	if (!is_mem && !tp.has_off)
		return 0;	/* the register itself */
	*needs_fetch = 1;
	op->src = src;
	op->at_return = tp.out || src == LT_SRC_RET;
	op->len_src = tp.limit_src >= 0 ? tp.limit_src : LT_SRC_NONE;
	op->kind = iov ? LT_FETCH_IOV : *type == VT_STR ? LT_FETCH_STR :
		   *type == VT_BYTES ? LT_FETCH_BYTES : LT_FETCH_U64;
	op->len = tp.len > 0 ? tp.len : (*type == VT_STR ? strsize : 8);
	if (is_mem && tp.has_off) {	/* follow the pointer stored at src + off */
		op->deref = LT_DEREF;
		op->off = tp.off;
	} else {
		op->off = tp.off;
	}
	return 0;
}

static const struct {
	const char *text;
	enum lt_pred_op op;
} ops[] = {
	{ "==", LT_OP_EQ }, { "!=", LT_OP_NE }, { "<=", LT_OP_LE }, { ">=", LT_OP_GE },
	{ "<", LT_OP_LT },  { ">", LT_OP_GT },	{ "&", LT_OP_MASK },
};

int pred_parse(const char *text, struct lt_pred *out, char *err, size_t errlen)
{
	char lhs[16], op[3], rhs[64], *end;
	int src, used = 0;

	memset(out, 0, sizeof(*out));
	if (sscanf(text, " %15[a-z0-9] %2[=!<>&] %63s %n", lhs, op, rhs, &used) != 3 ||
	    text[used])	/* one comparison per string: "a && b" is two entries */
		goto bad;
	if ((src = src_parse(lhs)) < 0) {
		snprintf(err, errlen, "bad filter '%s': '%s' is not arg1..arg6, ret, duration or caller",
			 text, lhs);
		return -EINVAL;
	}
	out->src = src;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i].text))
			out->op = ops[i].op;
	if (!out->op)
		goto bad;
	errno = 0;
	if (rhs[0] == '-') {
		out->val = (uint64_t)strtoll(rhs, &end, 0);
		out->is_signed = 1;
	} else {
		out->val = strtoull(rhs, &end, 0);
		out->is_signed = src != LT_SRC_DURATION && src != LT_SRC_CALLER &&
				 out->val <= INT64_MAX;
	}
	if (*end || errno)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "bad filter '%s' (expected e.g. 'arg1 > 5', 'ret != 0')", text);
	return -EINVAL;
}

int capture_get(const uint8_t *data, uint32_t len, int index, struct lt_cap *cap,
		const uint8_t **bytes)
{
	uint32_t pos = 0;

	/* Captures are packed without alignment: copy headers out. */
	for (int i = 0; pos + sizeof(*cap) <= len; i++) {
		memcpy(cap, data + pos, sizeof(*cap));
		if (pos + sizeof(*cap) + cap->len > len)
			return -ENOENT;
		if (i == index) {
			*bytes = data + pos + sizeof(*cap);
			return 0;
		}
		pos += sizeof(*cap) + cap->len;
	}
	return -ENOENT;
}

int capture_value(const struct lt_probe_cfg *cfg, int index, const uint8_t *data, uint32_t len,
		  struct lt_cap *cap, const uint8_t **bytes)
{
	/* Indexes past the fetch ops are a template's own captures (BTF paths, raw records). */
	if (capture_get(data, len, capture_emitted_index(cfg, index), cap, bytes))
		return -ENOENT;
	if (index < cfg->nfetch && cfg->fetch[index].deref == LT_DEREF_KEEP) {
		if (cap->len < sizeof(uint64_t))	/* skip the pointer kept first */
			return -ENOENT;
		cap->len -= sizeof(uint64_t);
		*bytes += sizeof(uint64_t);
	}
	return 0;
}

int capture_word(const struct lt_probe_cfg *cfg, int index, const uint8_t *data, uint32_t len,
		 uint64_t *word)
{
	const struct lt_fetch *f;
	const uint8_t *bytes;
	struct lt_cap cap;

	*word = 0;
	if (index < 0 || index >= cfg->nfetch ||
	    capture_get(data, len, capture_emitted_index(cfg, index), &cap, &bytes))
		return -ENOENT;
	f = &cfg->fetch[index];
	if (f->deref == LT_DEREF_KEEP && cap.len >= sizeof(*word)) {
		memcpy(word, bytes, sizeof(*word));
		return 0;
	}
	if (f->deref || f->kind != LT_FETCH_U64 || (cap.flags & LT_CAP_FAULT))
		return -ENOENT;
	memcpy(word, bytes, cap.len < sizeof(*word) ? cap.len : sizeof(*word));
	return 0;
}

int capture_emitted_index(const struct lt_probe_cfg *cfg, int index)
{
	int before = 0, entries = 0;
	bool at_return;

	if (index < 0 || !(cfg->flags & LT_CFG_CALL) || index >= cfg->nfetch)
		return index;
	at_return = cfg->fetch[index].at_return;
	for (int i = 0; i < cfg->nfetch; i++) {
		entries += !cfg->fetch[i].at_return;
		if (i < index && !!cfg->fetch[i].at_return == at_return)
			before++;
	}
	return at_return ? entries + before : before;
}
