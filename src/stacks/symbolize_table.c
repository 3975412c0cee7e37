/* A symbol table for address lookups: entries sorted by address, aliases folded to one name
 * (GLOBAL over WEAK over LOCAL, then the name with fewer leading underscores), names kept
 * in one string pool, demangled (C++ and Rust, libiberty) the first time they are shown. */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <libiberty/demangle.h>
#include "symbolize_int.h"

int sym_table_add(struct sym_table *t, uint64_t addr, uint64_t size, const char *name,
		  uint8_t bind)
{
	size_t len = strlen(name) + 1;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct sym_entry *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	if (t->pool_len + len > t->pool_cap) {
		size_t cap = t->pool_cap ? t->pool_cap * 2 : 4096;
		char *p;

		while (cap < t->pool_len + len)
			cap *= 2;
		if (cap > UINT32_MAX || !(p = realloc(t->pool, cap)))
			return -ENOMEM;
		t->pool = p;
		t->pool_cap = cap;
	}
	memcpy(t->pool + t->pool_len, name, len);
	t->v[t->n++] = (struct sym_entry){ .addr = addr, .size = size,
					   .name = (uint32_t)t->pool_len, .bind = bind };
	t->pool_len += len;
	return 0;
}

static int bind_rank(uint8_t bind)
{
	return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

static size_t underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

static const struct sym_table *sort_table;

/* By address, then the preferred alias first. */
static int cmp_entry(const void *pa, const void *pb)
{
	const struct sym_entry *a = pa, *b = pb;
	const char *na = sort_table->pool + a->name, *nb = sort_table->pool + b->name;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (bind_rank(a->bind) != bind_rank(b->bind))
		return bind_rank(a->bind) - bind_rank(b->bind);
	if ((a->size != 0) != (b->size != 0))
		return a->size ? -1 : 1;
	if (underscores(na) != underscores(nb))
		return underscores(na) < underscores(nb) ? -1 : 1;
	return strcmp(na, nb);
}

void sym_table_finish(struct sym_table *t)
{
	size_t out = 0;

	sort_table = t;
	if (t->n)	/* a file with no symbols has no array: qsort's pointer must not be NULL */
		qsort(t->v, t->n, sizeof(*t->v), cmp_entry);
	sort_table = NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (out && t->v[out - 1].addr == t->v[i].addr) {
			if (!t->v[out - 1].size)
				t->v[out - 1].size = t->v[i].size;
			continue;
		}
		t->v[out++] = t->v[i];
	}
	t->n = out;
	free(t->demangled);
	t->demangled = t->n ? calloc(t->n, sizeof(*t->demangled)) : NULL;
}

const struct sym_entry *sym_table_find(const struct sym_table *t, uint64_t addr)
{
	size_t i = SYM_COUNT_LE(t->v, t->n, addr, addr);
	const struct sym_entry *e;

	if (!i)
		return NULL;
	e = &t->v[i - 1];
	/* A sized symbol covers its size; an unsized one reaches the next symbol. */
	if (e->size && addr >= e->addr + e->size)
		return NULL;
	return e;
}

char *sym_demangle(const char *name)
{
	if (name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
		return NULL;
	return cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
}

/* A non-NULL placeholder for "tried, not mangled". */
static char not_mangled[1];

const char *sym_table_name(struct sym_table *t, const struct sym_entry *e, bool demangle)
{
	size_t i = e - t->v;
	const char *raw = t->pool + e->name;

	if (!demangle || !t->demangled)
		return raw;
	if (!t->demangled[i]) {
		char *d = sym_demangle(raw);

		t->demangled[i] = d ? d : not_mangled;
	}
	return t->demangled[i] == not_mangled ? raw : t->demangled[i];
}

void sym_table_free(struct sym_table *t)
{
	for (size_t i = 0; t->demangled && i < t->n; i++)
		if (t->demangled[i] != not_mangled)
			free(t->demangled[i]);
	free(t->demangled);
	free(t->v);
	free(t->pool);
	memset(t, 0, sizeof(*t));
}
