/* The BTF field-path resolver: walks a path of members and indexes through kernel types,
 * noting where a pointer has to be read (a new step) and where offsets simply add up
 * (members of embedded structs, array elements), and what the leaf is. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btf_path.h"

/* The type behind typedefs and qualifiers. */
static uint32_t skip_mods(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return id;
}

static const char *kind_word(const struct btf_type *t)
{
	return btf_is_struct(t) ? "struct " : btf_is_union(t) ? "union " :
	       btf_is_any_enum(t) ? "enum " : "";
}

void btf_type_str(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name;
	char inner[128];

	if (!id || !t) {
		snprintf(buf, len, "void");
		return;
	}
	name = btf__name_by_offset(btf, t->name_off);
	if (btf_is_const(t)) {
		btf_type_str(btf, t->type, inner, sizeof(inner));
		snprintf(buf, len, "const %s", inner);
	} else if (btf_is_mod(t)) {
		btf_type_str(btf, t->type, buf, len);
	} else if (btf_is_ptr(t)) {
		btf_type_str(btf, t->type, inner, sizeof(inner));
		snprintf(buf, len, "%s%s*", inner, inner[strlen(inner) - 1] == '*' ? "" : " ");
	} else if (btf_is_array(t)) {
		btf_type_str(btf, btf_array(t)->type, inner, sizeof(inner));
		snprintf(buf, len, "%s[%u]", inner, btf_array(t)->nelems);
	} else if (btf_is_func_proto(t)) {
		snprintf(buf, len, "function");
	} else {
		snprintf(buf, len, "%s%s", kind_word(t), name && *name ? name : "(anon)");
	}
}

/* Finds member `name` in a struct or union, looking through anonymous members; adds its bit
 * offset to *bits. Returns the member's type id, 0 when absent; *bitfield when it is one. */
static uint32_t find_member(const struct btf *btf, uint32_t id, const char *name, uint32_t *bits,
			    bool *bitfield)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		uint32_t inner_bits = btf_member_bit_offset(t, i), found;

		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			*bits += inner_bits;
			*bitfield = btf_member_bitfield_size(t, i) != 0;
			return m->type;
		}
		/* An anonymous struct or union: its members are the parent's. */
		if (!btf_is_composite(btf__type_by_id(btf, skip_mods(btf, m->type))))
			continue;
		found = find_member(btf, skip_mods(btf, m->type), name, &inner_bits, bitfield);
		if (found) {
			*bits += inner_bits;
			return found;
		}
	}
	return 0;
}

struct walk {
	const struct btf *btf;
	struct btf_path *out;
	uint32_t type;		/* type of what the path names so far */
	bool in_memory;		/* at off[nsteps - 1] past the last pointer, not a register */
	char done[256];		/* the path so far, for messages */
	char *err;
	size_t errlen;
};

/* A pointer is read (or, the first time, the register is the address): a new step. */
static int follow_pointer(struct walk *w, const char *what)
{
	const struct btf_type *t = btf__type_by_id(w->btf, skip_mods(w->btf, w->type));
	char ts[128];

	if (!btf_is_ptr(t)) {
		btf_type_str(w->btf, w->type, ts, sizeof(ts));
		snprintf(w->err, w->errlen, "cannot take %s of '%s' (%s)", what, w->done, ts);
		return -EINVAL;
	}
	if (w->out->nsteps >= BTF_PATH_MAX_STEPS) {
		snprintf(w->err, w->errlen, "more than %d pointers to follow", BTF_PATH_MAX_STEPS);
		return -E2BIG;
	}
	w->out->off[w->out->nsteps++] = 0;
	w->type = t->type;
	w->in_memory = true;
	return 0;
}

static int add_offset(struct walk *w, int64_t bytes)
{
	int64_t off = w->out->off[w->out->nsteps - 1] + bytes;

	if (off > INT32_MAX || off < INT32_MIN) {
		snprintf(w->err, w->errlen, "offset out of range at '%s'", w->done);
		return -E2BIG;
	}
	w->out->off[w->out->nsteps - 1] = off;
	return 0;
}

static int walk_member(struct walk *w, const char *name)
{
	const struct btf_type *t = btf__type_by_id(w->btf, skip_mods(w->btf, w->type));
	uint32_t bits = 0, member;
	bool bitfield = false;
	char ts[128];
	int rc;

	if ((!w->in_memory || btf_is_ptr(t)) && (rc = follow_pointer(w, "a member")))
		return rc;
	t = btf__type_by_id(w->btf, skip_mods(w->btf, w->type));
	btf_type_str(w->btf, w->type, ts, sizeof(ts));
	if (!btf_is_composite(t)) {
		snprintf(w->err, w->errlen, "'%s' is a %s, not a struct or union (no member '%s')",
			 w->done, ts, name);
		return -EINVAL;
	}
	member = find_member(w->btf, skip_mods(w->btf, w->type), name, &bits, &bitfield);
	if (!member) {
		snprintf(w->err, w->errlen, "'%s' (%s) has no member '%s'", w->done, ts, name);
		return -ENOENT;
	}
	if (bitfield || bits % 8) {
		snprintf(w->err, w->errlen, "%s.%s is a bitfield (not supported)", ts, name);
		return -EINVAL;
	}
	w->type = member;
	return add_offset(w, bits / 8);
}

static int walk_index(struct walk *w, long idx)
{
	const struct btf_type *t = btf__type_by_id(w->btf, skip_mods(w->btf, w->type));
	int64_t size;
	int rc;

	if (w->in_memory && btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);

		if (a->nelems && (uint64_t)idx >= a->nelems) {
			snprintf(w->err, w->errlen, "index %ld out of bounds of '%s' (%u elements)",
				 idx, w->done, a->nelems);
			return -EINVAL;
		}
		w->type = a->type;
	} else if ((rc = follow_pointer(w, "an index"))) {
		return rc;
	}
	size = btf__resolve_size(w->btf, w->type);
	if (size <= 0) {
		snprintf(w->err, w->errlen, "elements of '%s' have no size", w->done);
		return -EINVAL;
	}
	return add_offset(w, idx * size);
}

static bool is_char(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, skip_mods(btf, id));

	return t && btf_is_int(t) && t->size == 1 && !(btf_int_encoding(t) & BTF_INT_BOOL);
}

/* What the path ends at, and how many bytes of it to read. */
static int classify_leaf(struct walk *w)
{
	const struct btf_type *t = btf__type_by_id(w->btf, skip_mods(w->btf, w->type));
	struct btf_path *o = w->out;

	if (!t || btf_is_void(t) || btf_is_func_proto(t) || btf_is_float(t) || btf_is_fwd(t)) {
		snprintf(w->err, w->errlen, "cannot read '%s' (%s)", w->done,
			 t && btf_is_float(t) ? "floating point" : "no value type");
		return -EINVAL;
	}
	if (btf_is_ptr(t)) {
		o->leaf = is_char(w->btf, t->type) ? BTF_LEAF_STRP : BTF_LEAF_INT;
		o->size = 8;
	} else if (btf_is_int(t) || btf_is_any_enum(t)) {
		o->leaf = BTF_LEAF_INT;
		o->size = t->size;
		o->is_signed = btf_is_int(t) ? (btf_int_encoding(t) & BTF_INT_SIGNED) != 0 :
			       btf_kflag(t);
	} else if (btf_is_array(t) && is_char(w->btf, btf_array(t)->type)) {
		o->leaf = BTF_LEAF_STR;
		o->size = btf_array(t)->nelems;
	} else {
		o->leaf = BTF_LEAF_BYTES;
		o->size = btf__resolve_size(w->btf, w->type);
	}
	if (!o->nsteps && o->leaf != BTF_LEAF_INT && o->leaf != BTF_LEAF_STRP) {
		snprintf(w->err, w->errlen, "'%s' (%s) is not a register value", w->done, o->type);
		return -EINVAL;
	}
	return 0;
}

/* One path element at *pp: ".name", "->name", "[N]" (or a bare name first). */
static int next_elem(struct walk *w, const char **pp, bool first)
{
	const char *p = *pp, *start;
	char name[128], *end;
	long idx;

	if (*p == '[') {
		idx = strtol(p + 1, &end, 0);
		if (end == p + 1 || *end != ']' || idx < 0) {
			snprintf(w->err, w->errlen, "bad index at '%s'", p);
			return -EINVAL;
		}
		*pp = end + 1;
		return walk_index(w, idx);
	}
	if (*p == '.')
		p++;
	else if (p[0] == '-' && p[1] == '>')
		p += 2;
	else if (!first) {
		snprintf(w->err, w->errlen, "expected '.', '->' or '[' at '%s'", p);
		return -EINVAL;
	}
	for (start = p; isalnum((unsigned char)*p) || *p == '_'; p++)
		;
	if (p == start || isdigit((unsigned char)*start) || (size_t)(p - start) >= sizeof(name)) {
		snprintf(w->err, w->errlen, "expected a member name at '%s'", start);
		return -EINVAL;
	}
	memcpy(name, start, p - start);
	name[p - start] = 0;
	*pp = p;
	return walk_member(w, name);
}

int btf_path_resolve(const struct btf *btf, uint32_t type_id, const char *root, const char *path,
		     struct btf_path *out, char *err, size_t errlen)
{
	struct walk w = { .btf = btf, .out = out, .type = type_id, .err = err, .errlen = errlen };
	const char *p = path;
	int rc = 0;

	snprintf(w.done, sizeof(w.done), "%s", root ? root : "");

	memset(out, 0, sizeof(*out));
	if (!btf__type_by_id(btf, type_id)) {
		snprintf(err, errlen, "no BTF type %u", type_id);
		return -ENOENT;
	}
	btf_type_str(btf, type_id, out->type, sizeof(out->type));
	for (bool first = true; *p && !rc; first = false) {
		const char *start = p;
		size_t used = strlen(w.done);

		rc = next_elem(&w, &p, first);
		if (!rc)	/* the path and type reached so far, for the next message */
			btf_type_str(btf, w.type, out->type, sizeof(out->type));
		if (!rc && used < sizeof(w.done))
			snprintf(w.done + used, sizeof(w.done) - used, "%s%.*s",
				 first && *start != '.' && *start != '-' && *start != '[' &&
				 used ? "." : "", (int)(p - start), start);
	}
	return rc ? rc : classify_leaf(&w);
}
