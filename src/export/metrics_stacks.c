/* Stack keys named on the loop's thread (metrics_stacks.h). Two keys can fold to one text
 * (the same frames in two processes, or two ids of one walk): their values are merged, as
 * one label set must be one series. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agg_probe.h"
#include "agg_snapshot.h"
#include "metrics_snapshot.h"
#include "metrics_stacks.h"
#include "probe.h"
#include "session.h"
#include "session_stacks.h"
#include "stack_text.h"

static bool by_stack(const struct agg_desc *d)
{
	return d->agg_by == LT_BY_USTACK || d->agg_by == LT_BY_KSTACK || d->agg_by == LT_BY_STACK;
}

/* The folded text of entry e of probe p (malloc'd), NULL when out of memory. */
static char *folded(struct stack_ctx *c, struct probe *p, const struct agg_entry *e)
{
	struct stack_frames fr;
	struct lt_agg_key k;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	agg_probe_key(p, e, &k);
	stack_frames_of_key(c, &k, p->cfg.agg_by, p->cfg.stack_depth, &fr);
	stack_write(f, c, fr.pid, fr.ips, fr.nk, fr.nu, true);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

struct named {
	char *text;
	struct agg_entry e;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->text, ((const struct named *)b)->text);
}

/* Desc di's entries, keyed by folded text (d->sites), appended to *out: sorted by text so
 * that keys folding alike are neighbours. */
static int name_desc(struct agg_desc *d, uint32_t di, struct probe *p, struct stack_ctx *c,
		     struct agg_entry **out, size_t *nout)
{
	struct named *nm = NULL;
	struct agg_entry *e, *v = NULL;
	char **sites = NULL;
	size_t n, j;
	int rc = agg_probe_read(p, &e, &n);

	if (rc)
		return rc;
	if (!(nm = calloc(n + 1, sizeof(*nm))) || !(sites = calloc(n + 1, sizeof(*sites))) ||
	    !(v = realloc(*out, (*nout + n + 1) * sizeof(*v))))
		rc = -ENOMEM;
	if (v)
		*out = v;
	for (j = 0; !rc && j < n; j++) {
		nm[j] = (struct named){ folded(c, p, &e[j]), e[j] };
		e[j].slot = NULL;	/* nm[j] owns it now */
		if (!nm[j].text)
			rc = -ENOMEM;
	}
	if (!rc) {
		qsort(nm, n, sizeof(*nm), cmp_named);
		for (j = 0; j < n; j++) {
			struct agg_entry *last = d->nsites ? &v[*nout - 1] : NULL;

			if (last && !strcmp(sites[d->nsites - 1], nm[j].text)) {
				agg_entry_merge(last, &nm[j].e);
				continue;	/* freed below */
			}
			sites[d->nsites] = nm[j].text;
			v[*nout] = nm[j].e;
			v[*nout].desc = di;
			v[*nout].key = d->nsites++;
			memset(v[*nout].comm, 0, sizeof(v[*nout].comm));
			(*nout)++;
			nm[j] = (struct named){ 0 };	/* taken */
		}
		d->sites = sites;
		sites = NULL;
	}
	for (j = 0; nm && j < n; j++) {
		free(nm[j].text);
		free(nm[j].e.slot);
	}
	agg_entries_free(e, n);
	free(nm);
	free(sites);
	return rc;
}

int metrics_stacks_add(struct metrics_snap *snap, struct session *s)
{
	struct agg_catalog *cat = snap->cat;
	struct stack_ctx *c = NULL;
	int rc = 0;

	for (size_t i = 0; !rc && i < cat->n; i++) {
		struct agg_desc *d = &cat->d[i];
		struct probe *p;

		if (d->extern_values || !by_stack(d) || !(p = session_probe(s, d->id)))
			continue;
		if (!c && !(c = stack_ctx_get(s)))
			return -errno;
		d->extern_values = true;	/* the scrape reads nothing more of it */
		rc = name_desc(d, (uint32_t)i, p, c, &snap->given, &snap->ngiven);
	}
	return rc;
}
