/* Kernel addresses through /proc/kallsyms (text symbols of the kernel and its modules),
 * read once, on the first kernel address. Each symbol reaches the next one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "symbolize_int.h"

struct ksym {
	uint64_t addr;
	uint32_t name;
	uint32_t module;	/* 0: the kernel itself */
};

struct sym_kernel {
	struct ksym *v;
	size_t n, cap;
	char *pool;
	size_t pool_len, pool_cap;
};

static int pool_add(struct sym_kernel *k, const char *s, uint32_t *off)
{
	size_t len = strlen(s) + 1;

	if (k->pool_len + len > k->pool_cap) {
		size_t cap = k->pool_cap ? k->pool_cap * 2 : 1 << 20;
		char *p = realloc(k->pool, cap);

		if (!p)
			return -ENOMEM;
		k->pool = p;
		k->pool_cap = cap;
	}
	memcpy(k->pool + k->pool_len, s, len);
	*off = k->pool_len;
	k->pool_len += len;
	return 0;
}

static int ksym_add(struct sym_kernel *k, uint64_t addr, const char *name, const char *mod)
{
	struct ksym e = { .addr = addr };

	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 65536;
		struct ksym *v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	if (pool_add(k, name, &e.name))
		return -ENOMEM;
	/* Module names repeat: reuse the previous one's string. */
	if (*mod && k->n && k->v[k->n - 1].module && !strcmp(k->pool + k->v[k->n - 1].module, mod))
		e.module = k->v[k->n - 1].module;
	else if (*mod && pool_add(k, mod, &e.module))
		return -ENOMEM;
	k->v[k->n++] = e;
	return 0;
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct sym_kernel *sym_kernel_load(void)
{
	struct sym_kernel *k = calloc(1, sizeof(*k));
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], mod[128];
	unsigned long long addr;
	char type;

	if (!k || !f || pool_add(k, "", &(uint32_t){ 0 })) {
		if (f)
			fclose(f);
		sym_kernel_free(k);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		mod[0] = 0;
		if (sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, mod) < 3)
			continue;
		if (!addr || (type != 't' && type != 'T' && type != 'w' && type != 'W'))
			continue;
		if (ksym_add(k, addr, name, mod))
			break;
	}
	fclose(f);
	qsort(k->v, k->n, sizeof(*k->v), cmp_ksym);
	return k;
}

int sym_kernel_lookup(struct sym_kernel *k, uint64_t addr, unsigned flags, struct sym_info *out)
{
	uint64_t look = addr - ((flags & SYM_RETADDR) ? 1 : 0);
	size_t lo = SYM_COUNT_LE(k->v, k->n, addr, look);

	memset(out, 0, sizeof(*out));
	out->module = "[kernel]";
	out->module_off = addr;
	if (!lo)
		return -ENOENT;
	out->name = k->pool + k->v[lo - 1].name;
	out->offset = addr - k->v[lo - 1].addr;
	if (k->v[lo - 1].module)
		out->module = k->pool + k->v[lo - 1].module;
	return 0;
}

void sym_kernel_free(struct sym_kernel *k)
{
	if (!k)
		return;
	free(k->v);
	free(k->pool);
	free(k);
}
