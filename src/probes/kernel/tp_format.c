/* Parsing tracepoint format files and decoding raw records by them. A format lists fields
 * as "field:DECL;\toffset:N;\tsize:N;\tsigned:N;". DECL is a C declaration: "pid_t
 * prev_pid", "char prev_comm[16]", "const char * filename", "__data_loc char[] name" (a u32
 * holding len << 16 | offset of data stored after the fixed part), "__rel_loc" likewise
 * with the offset counted from the end of the field, "unsigned long args[]" (size 0: the
 * rest of the record). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ktypes.h"
#include "tp_format.h"

/* Bytes per element of a C type named in an array declaration; 0 when not known. */
static unsigned ctype_size(const char *t)
{
	struct ktype k;

	return ktype_base(t, &k) ? k.size : 0;
}

static bool is_char(const char *t)
{
	return !strcmp(t, "char") || !strcmp(t, "const char") || !strcmp(t, "signed char");
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

/* Splits DECL (modified in place) into its trimmed type and a copy of its name; arr is
 * NULL when the declaration has no [..] after the name, "" for "[]", the digits otherwise. */
static int split_decl(char *decl, char **type, char *name, size_t namelen, char **arr)
{
	char *end = decl + strlen(decl), *open;
	size_t n;

	*arr = NULL;
	if (end > decl && end[-1] == ']') {
		if (!(open = strrchr(decl, '[')))
			return -EINVAL;
		end[-1] = 0;
		*arr = open + 1;
		*open = 0;
		end = open;
	}
	while (end > decl && isspace((unsigned char)end[-1]))
		end--;
	for (n = 0; end > decl && (isalnum((unsigned char)end[-1]) || end[-1] == '_'); n++)
		end--;
	if (!n || n >= namelen || isdigit((unsigned char)*end))
		return -EINVAL;
	memcpy(name, end, n);
	name[n] = 0;
	*end = 0;
	*type = trim(decl);
	return **type ? 0 : -EINVAL;
}

/* What the declaration says the field holds. */
static int classify(struct tp_field *f, const char *type, const char *arr, bool loc)
{
	unsigned elem;

	if (loc) {
		size_t n = strlen(type);
		char base[128];

		if (n < 3 || strcmp(type + n - 2, "[]") || f->size != 4 || n - 2 >= sizeof(base))
			return -EINVAL;
		snprintf(base, sizeof(base), "%.*s", (int)(n - 2), type);
		elem = ctype_size(trim(base));
		f->kind = is_char(trim(base)) ? TPF_STR_LOC : TPF_ARRAY_LOC;
		f->elem_size = elem ? elem : 1;
		return 0;
	}
	if (arr) {
		unsigned long n = strtoul(arr, NULL, 10);

		elem = ctype_size(type);
		if (!*arr)
			f->kind = is_char(type) ? TPF_FLEX_STR : TPF_FLEX;
		else
			f->kind = is_char(type) ? TPF_CHARS : TPF_ARRAY;
		f->elem_size = n && f->size % n == 0 ? f->size / n : elem ? elem : 1;
		return 0;
	}
	if (strchr(type, '*'))
		f->kind = TPF_PTR;
	else if (!strcmp(type, "bool") || !strcmp(type, "_Bool"))
		f->kind = TPF_BOOL;
	else if (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8)
		f->kind = TPF_INT;
	else
		f->kind = TPF_RAW;
	if ((f->kind == TPF_PTR || f->kind == TPF_BOOL) && f->size != 8 && f->size != 4 &&
	    f->size != 1)
		f->kind = TPF_RAW;
	return 0;
}

/* "offset:N;" -> N; the cursor moves past the ';'. */
static int read_attr(const char **s, const char *key, unsigned long max, unsigned long *v)
{
	const char *p = strstr(*s, key);
	char *end;

	if (!p)
		return -ENOENT;
	p += strlen(key);
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	*v = strtoul(p, &end, 10);
	if (errno || *v > max || *end != ';')
		return -EINVAL;
	*s = end + 1;
	return 0;
}

/* One "field:" line after the "field:" prefix. */
static int parse_field(const char *line, struct tp_field *f, char *err, size_t errlen)
{
	const char *semi = strchr(line, ';'), *rest;
	char decl[256], name[128], *d, *type, *arr;
	unsigned long off, size, sign = 0;
	bool loc = false;

	memset(f, 0, sizeof(*f));
	if (!semi || (size_t)(semi - line) >= sizeof(decl)) {
		snprintf(err, errlen, "declaration without ';'");
		return -EINVAL;
	}
	snprintf(decl, sizeof(decl), "%.*s", (int)(semi - line), line);
	rest = semi + 1;
	if (read_attr(&rest, "offset:", 0xffff, &off) || read_attr(&rest, "size:", 0xffff, &size) ||
	    off + size > 0xffff) {
		snprintf(err, errlen, "bad or missing offset/size");
		return -EINVAL;
	}
	if (read_attr(&rest, "signed:", 1, &sign) == -EINVAL) {
		snprintf(err, errlen, "bad signed");
		return -EINVAL;
	}
	d = trim(decl);
	if (!strncmp(d, "__data_loc ", 11) || !strncmp(d, "__rel_loc ", 10)) {
		f->rel = d[2] == 'r';
		d = trim(d + (f->rel ? 10 : 11));
		loc = true;
	}
	f->offset = off;
	f->size = size;
	f->is_signed = sign;
	if (split_decl(d, &type, name, sizeof(name), &arr) || classify(f, type, arr, loc)) {
		snprintf(err, errlen, "cannot read declaration '%.*s'", (int)(semi - line), line);
		return -EINVAL;
	}
	f->name = strdup(name);
	f->decl = strndup(line, semi - line);
	return f->name && f->decl ? 0 : -ENOMEM;
}

static int add_field(struct tp_format *out, const struct tp_field *f)
{
	struct tp_field *v = realloc(out->fields, (out->nfields + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	out->fields = v;
	v[out->nfields++] = *f;
	if (!strncmp(f->name, "common_", 7) && out->ncommon == out->nfields - 1)
		out->ncommon++;
	if ((uint32_t)f->offset + f->size > out->size)
		out->size = f->offset + f->size;
	return 0;
}

/* One line of the file: name, ID, a field, or something this parser does not need. */
static int parse_line(const char *line, struct tp_format *out, char *err, size_t errlen)
{
	struct tp_field f;
	int rc;

	while (isspace((unsigned char)*line))
		line++;
	if (!strncmp(line, "name: ", 6) && !out->name) {
		char name[256];

		snprintf(name, sizeof(name), "%s", line + 6);
		return (out->name = strdup(trim(name))) ? 0 : -ENOMEM;
	}
	if (!strncmp(line, "ID: ", 4)) {
		out->id = strtoul(line + 4, NULL, 10);
		return 0;
	}
	if (strncmp(line, "field:", 6))
		return 0;
	if ((rc = parse_field(line + 6, &f, err, errlen)))
		return rc;
	if (tp_format_field(out, f.name)) {
		snprintf(err, errlen, "field '%s' declared twice", f.name);
		free(f.name);
		free(f.decl);
		return -EINVAL;
	}
	if ((rc = add_field(out, &f))) {
		free(f.name);
		free(f.decl);
	}
	return rc;
}

int tp_format_parse(const char *text, struct tp_format *out, char *err, size_t errlen)
{
	char msg[192];
	int lineno = 1, rc = 0;

	memset(out, 0, sizeof(*out));
	for (const char *p = text; *p && !rc; lineno++) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);

		if (!line)
			return -ENOMEM;
		snprintf(msg, sizeof(msg), "out of memory");
		if (!strncmp(line, "print fmt:", 10))
			n = strlen(p);	/* the rest is the print format */
		else
			rc = parse_line(line, out, msg, sizeof(msg));
		if (rc)
			snprintf(err, errlen, "line %d: %s", lineno, msg);
		free(line);
		p += n + (p[n] == '\n');
	}
	if (!rc && out->nfields == out->ncommon) {
		snprintf(err, errlen, "no fields");
		rc = -EINVAL;
	}
	if (rc)
		tp_format_free(out);
	return rc;
}

void tp_format_free(struct tp_format *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nfields; i++) {
		free(f->fields[i].name);
		free(f->fields[i].decl);
	}
	free(f->fields);
	free(f->name);
	memset(f, 0, sizeof(*f));
}

const struct tp_field *tp_format_field(const struct tp_format *f, const char *name)
{
	for (size_t i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

const struct tp_field *tp_format_arg(const struct tp_format *f, int n)
{
	for (size_t i = f->ncommon; i < f->nfields; i++)
		if (strncmp(f->fields[i].name, "__", 2) && --n == 0)
			return &f->fields[i];
	return NULL;
}

void tp_field_type(const struct tp_field *f, char *buf, size_t len)
{
	size_t n = strlen(f->decl), name = strlen(f->name);
	const char *at = n >= name ? f->decl + n - name : NULL;

	/* The name ends the declaration, except in "T name[N]" where the brackets follow. */
	if (f->kind == TPF_CHARS || f->kind == TPF_ARRAY || f->kind == TPF_FLEX ||
	    f->kind == TPF_FLEX_STR || !at || strcmp(at, f->name)) {
		snprintf(buf, len, "%s", f->decl);
		return;
	}
	n -= name;
	while (n && f->decl[n - 1] == ' ')
		n--;
	snprintf(buf, len, "%.*s", (int)n, f->decl);
}

bool tp_field_is_scalar(const struct tp_field *f)
{
	return f->kind == TPF_INT || f->kind == TPF_BOOL || f->kind == TPF_PTR;
}

/* ---- decoding ------------------------------------------------------------------------ */

static uint64_t load_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int64_t extend(uint64_t v, unsigned size, bool is_signed)
{
	unsigned shift = 64 - 8 * size;

	if (size >= 8)
		return (int64_t)v;
	if (is_signed)
		return (int64_t)(v << shift) >> shift;
	return (int64_t)(v & ((1ULL << (8 * size)) - 1));
}

int tp_field_int(const struct tp_field *f, const uint8_t *rec, size_t len, int64_t *out)
{
	if (!tp_field_is_scalar(f))
		return -EINVAL;
	if ((size_t)f->offset + f->size > len)
		return -ERANGE;
	*out = extend(load_le(rec + f->offset, f->size), f->size,
		      f->is_signed && f->kind == TPF_INT);
	return 0;
}

/* Where a __data_loc / __rel_loc field's data is. */
static int loc_span(const struct tp_field *f, const uint8_t *rec, size_t len, size_t *off,
		    size_t *n)
{
	uint32_t loc;

	if ((size_t)f->offset + 4 > len)
		return -ERANGE;
	loc = load_le(rec + f->offset, 4);
	*off = (loc & 0xffff) + (f->rel ? f->offset + 4u : 0);
	*n = loc >> 16;
	return *off + *n > len ? -ERANGE : 0;
}

int tp_field_bytes(const struct tp_field *f, const uint8_t *rec, size_t len, const uint8_t **p,
		   size_t *n)
{
	size_t off = f->offset, size = f->size;
	int rc;

	if (tp_field_is_scalar(f))
		return -EINVAL;
	if (f->kind == TPF_STR_LOC || f->kind == TPF_ARRAY_LOC) {
		if ((rc = loc_span(f, rec, len, &off, &size)))
			return rc;
	} else if (f->kind == TPF_FLEX || f->kind == TPF_FLEX_STR) {
		size = off <= len ? len - off : 0;
	}
	if (off + size > len)
		return -ERANGE;
	*p = rec + off;
	*n = size;
	if (f->kind == TPF_CHARS || f->kind == TPF_STR_LOC || f->kind == TPF_FLEX_STR)
		*n = strnlen((const char *)*p, size);
	return 0;
}

size_t tp_field_nelem(const struct tp_field *f, const uint8_t *rec, size_t len)
{
	const uint8_t *p;
	size_t n;

	if (f->kind != TPF_ARRAY && f->kind != TPF_ARRAY_LOC && f->kind != TPF_FLEX)
		return 0;
	if (tp_field_bytes(f, rec, len, &p, &n))
		return 0;
	return f->elem_size ? n / f->elem_size : 0;
}

int tp_field_elem(const struct tp_field *f, const uint8_t *rec, size_t len, size_t i,
		  int64_t *out)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if (i >= tp_field_nelem(f, rec, len))
		return -ERANGE;
	if ((rc = tp_field_bytes(f, rec, len, &p, &n)))
		return rc;
	*out = extend(load_le(p + i * f->elem_size, f->elem_size > 8 ? 8 : f->elem_size),
		      f->elem_size, f->is_signed);
	return 0;
}
