/* Kernel function names from /proc/kallsyms ("ADDR TYPE NAME [MODULE]"), text symbols only. */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kfuncs.h"

static int add(struct kfunc_list *l, const char *name)
{
	char **v;

	if (!l->n || (l->n >= 16 && !(l->n & (l->n - 1)))) {	/* capacity 16, 32, 64 ... */
		v = realloc(l->v, (l->n ? 2 * l->n : 16) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
	}
	if (!(l->v[l->n] = strdup(name)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static bool wanted(const char *name, const char *pattern, bool glob)
{
	if (!glob)
		return !strcmp(name, pattern);
	return !strchr(name, '.') && strncmp(name, "__pfx_", 6) && strncmp(name, "__cfi_", 6) &&
	       !fnmatch(pattern, name, 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_unique(struct kfunc_list *l)
{
	size_t out = 0;

	if (l->n)	/* nothing matched: no array, and qsort's pointer must not be NULL */
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (out && !strcmp(l->v[out - 1], l->v[i]))
			free(l->v[i]);
		else
			l->v[out++] = l->v[i];
	}
	l->n = out;
}

/* Names also in `allowed` (sorted); both lists distinct. */
static void keep_only(struct kfunc_list *l, const struct kfunc_list *allowed)
{
	size_t out = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (bsearch(&l->v[i], allowed->v, allowed->n, sizeof(*allowed->v), cmp_str))
			l->v[out++] = l->v[i];
		else
			free(l->v[i]);
	}
	l->n = out;
}

/* Function names of a "NAME [MODULE]" list (available_filter_functions), when readable. */
static int read_ftrace_list(const char *pattern, struct kfunc_list *out)
{
	FILE *f = fopen("/sys/kernel/tracing/available_filter_functions", "re");
	char line[512], name[256];
	int rc = 0;

	if (!f)
		return -errno;
	while (!rc && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s", name) == 1 && wanted(name, pattern, true))
			rc = add(out, name);
	fclose(f);
	if (!rc)
		sort_unique(out);
	return rc;
}

int kfuncs_match(const char *pattern, struct kfunc_list *out, char *err, size_t errlen)
{
	bool glob = strpbrk(pattern, "*?[") != NULL;
	struct kfunc_list ftrace = {};
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], name[256], type;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "cannot read /proc/kallsyms: %s", strerror(-rc));
		return rc;
	}
	while (!rc && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %c %255s", &type, name) == 2 &&
		    (type == 't' || type == 'T') && wanted(name, pattern, glob))
			rc = add(out, name);
	fclose(f);
	if (!rc)
		sort_unique(out);
	if (!rc && glob && !read_ftrace_list(pattern, &ftrace))
		keep_only(out, &ftrace);
	kfunc_list_free(&ftrace);
	if (rc) {
		snprintf(err, errlen, "cannot read /proc/kallsyms: %s", strerror(-rc));
		kfunc_list_free(out);
	}
	return rc;
}

void kfunc_list_free(struct kfunc_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
