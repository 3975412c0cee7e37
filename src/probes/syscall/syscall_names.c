/* The syscall table generated from <asm/unistd_64.h>: sorted by name, so names are found by
 * binary search; numbers by a scan (a few hundred entries, at resolve time only). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "syscall_names.h"

struct syscall_ent {
	const char *name;
	int nr;
};

static const struct syscall_ent table[] = {
#define LT_SYSCALL(name, nr) { #name, nr },
#include "syscall_table.h"
#undef LT_SYSCALL
};

#define NSYSCALLS (sizeof(table) / sizeof(table[0]))

static int cmp_ent(const void *key, const void *elem)
{
	return strcmp(key, ((const struct syscall_ent *)elem)->name);
}

int syscall_nr(const char *name)
{
	const struct syscall_ent *e = bsearch(name, table, NSYSCALLS, sizeof(table[0]), cmp_ent);

	return e ? e->nr : -ENOENT;
}

const char *syscall_name(int nr)
{
	for (size_t i = 0; i < NSYSCALLS; i++)
		if (table[i].nr == nr)
			return table[i].name;
	return NULL;
}

size_t syscall_count(void)
{
	return NSYSCALLS;
}

const char *syscall_at(size_t i, int *nr)
{
	if (i >= NSYSCALLS)
		return NULL;
	*nr = table[i].nr;
	return table[i].name;
}
