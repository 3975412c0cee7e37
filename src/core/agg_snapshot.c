/* Catalog of the session's in-kernel aggregates, read from any thread (agg_snapshot.h).
 * Keyed aggregates are one walk of lt_aggs whatever their number (a histogram's buckets are
 * separate keys there, merged here); keyless ones are their array slots (agg_flat.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agg_snapshot.h"
#include "probe.h"
#include "ring_level.h"
#include "session.h"
#include "shared_maps.skel.h"

void agg_desc_free(struct agg_desc *d)
{
	for (size_t i = 0; i < d->nsites; i++)
		free(d->sites[i]);
	free(d->sites);
	free(d->text);
	free(d->name);
}

void agg_catalog_free(struct agg_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		agg_desc_free(&c->d[i]);
	free(c->d);
	free(c);
}

static int desc_fill(struct agg_desc *d, const struct probe *p)
{
	const struct lt_probe_cfg *cfg = &p->cfg;

	*d = (struct agg_desc){ .owner = p, .id = p->id, .kind = p->provider ? p->provider->name : "",
				.agg_kind = cfg->agg_kind, .agg_by = cfg->agg_by,
				.agg_src = cfg->agg_src,
				.is_signed = cfg->flags & LT_CFG_SIGNED,
				.flat = cfg->flags & LT_CFG_AGG_FLAT, .hist = cfg->agg_hist,
				.epoch = cfg->agg_epoch, .key_type = VT_INT };
	if (cfg->agg_by == LT_BY_RET)
		d->key_type = p->ret.type;
	else if (cfg->agg_by >= LT_BY_ARG1 && cfg->agg_by < LT_BY_RET)
		d->key_type = p->args[cfg->agg_by - LT_BY_ARG1].type;
	d->text = strdup(p->text);
	d->name = strdup(p->name ? p->name : p->text);
	if (!d->text || !d->name)
		return -ENOMEM;
	if (cfg->agg_by != LT_BY_SITE || !p->nsites)
		return 0;
	if (!(d->sites = calloc(p->nsites, sizeof(*d->sites))))
		return -ENOMEM;
	for (; d->nsites < p->nsites; d->nsites++)
		if (!(d->sites[d->nsites] = strdup(p->sites[d->nsites].name)))
			return -ENOMEM;
	return 0;
}

static struct agg_catalog *catalog_alloc(struct session *s, size_t ndesc)
{
	struct agg_catalog *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->aggs_fd = c->stats_fd = c->hists_fd = c->counters_fd = -1;
	c->events = s->events;
	c->lost_detached = s->lost_lua;
	c->held_ns = s->held_ns;
	c->holds = s->holds_done;
	c->ring = &s->ring;
	if (s->skel) {
		c->aggs_fd = bpf_map__fd(s->skel->maps.lt_aggs);
		c->stats_fd = bpf_map__fd(s->skel->maps.lt_stats);
		c->hists_fd = bpf_map__fd(s->skel->maps.lt_agg_hists);
		c->counters_fd = bpf_map__fd(s->skel->maps.lt_counters);
	}
	if (ndesc && !(c->d = calloc(ndesc, sizeof(*c->d)))) {
		free(c);
		return NULL;
	}
	return c;
}

struct agg_catalog *agg_catalog_new(struct session *s)
{
	struct agg_catalog *c = catalog_alloc(s, s->nprobes);

	if (!c)
		goto fail;
	for (int i = 0; i < s->nprobes; i++) {
		struct probe *p = s->probes[i];

		if (!p || p->cfg.agg_kind == LT_AGG_NONE || p->id == UINT32_MAX)
			continue;
		if (desc_fill(&c->d[c->n++], p))
			goto fail;
	}
	return c;
fail:
	agg_catalog_free(c);
	errno = ENOMEM;
	return NULL;
}

struct agg_catalog *agg_catalog_of(struct probe *p)
{
	struct agg_catalog *c = catalog_alloc(p->s, 1);

	if (!c || (c->n = 1, desc_fill(&c->d[0], p))) {
		agg_catalog_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void agg_entries_free(struct agg_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].slot);
	free(e);
}

struct entries {
	struct agg_entry *v;
	size_t n, cap;
};

static struct agg_entry *entry_add(struct entries *es, uint32_t desc, bool hist)
{
	struct agg_entry *e;

	if (es->n == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 64;
		struct agg_entry *v = realloc(es->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		es->v = v;
		es->cap = cap;
	}
	e = &es->v[es->n];
	*e = (struct agg_entry){ .desc = desc, .total.min = UINT64_MAX };
	if (hist && !(e->slot = calloc(LT_HIST_SLOTS, sizeof(*e->slot))))
		return NULL;
	es->n++;
	return e;
}

static void add_val(struct lt_agg_val *sum, const struct lt_agg_val *v)
{
	if (!v->count)
		return;
	if (v->min < sum->min)
		sum->min = v->min;
	if (v->max > sum->max)
		sum->max = v->max;
	sum->count += v->count;
	sum->sum += v->sum;
}

static int read_flat(const struct agg_catalog *c, uint32_t di, int ncpu, struct entries *es)
{
	const struct agg_desc *d = &c->d[di];
	bool hist = d->agg_kind == LT_AGG_HIST;
	struct lt_probe_stats *per = calloc(ncpu, sizeof(*per));
	struct lt_agg_hist *hper = hist ? calloc(ncpu, sizeof(*hper)) : NULL;
	struct agg_entry *e = NULL;
	uint32_t idx = d->hist;
	int rc = 0;

	if (!per || (hist && !hper) || !(e = entry_add(es, di, hist)))
		rc = -ENOMEM;
	else if (bpf_map_lookup_elem(c->stats_fd, &d->id, per) ||
		 (hist && bpf_map_lookup_elem(c->hists_fd, &idx, hper)))
		rc = -errno;
	for (int i = 0; !rc && i < ncpu; i++) {
		if (per[i].agg_epoch == d->epoch)
			add_val(&e->total, &per[i].agg);
		if (hist && hper[i].epoch == d->epoch)
			for (int k = 0; k < LT_HIST_SLOTS; k++)
				e->slot[k] += hper[i].slot[k];
	}
	if (!rc && e && !e->total.count) {	/* nothing yet: no entry, as the hash has none */
		free(e->slot);
		es->n--;
	}
	free(per);
	free(hper);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct agg_entry *x = a, *y = b;

	if (x->desc != y->desc)
		return x->desc < y->desc ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return memcmp(x->comm, y->comm, sizeof(x->comm));
}

void agg_entry_merge(struct agg_entry *into, const struct agg_entry *e)
{
	add_val(&into->total, &e->total);
	for (int k = 0; into->slot && e->slot && k < LT_HIST_SLOTS; k++)
		into->slot[k] += e->slot[k];
}

void agg_entries_order(struct agg_entry *e, size_t n)
{
	qsort(e, n, sizeof(*e), cmp_entry);
}

/* lt_aggs holds a histogram's buckets as one key each: merge entries with the same key. */
static void merge_keys(struct entries *es)
{
	size_t out = 0;

	if (!es->n)
		return;
	qsort(es->v, es->n, sizeof(*es->v), cmp_entry);
	for (size_t i = 0; i < es->n; i++) {
		struct agg_entry *e = &es->v[i], *last = out ? &es->v[out - 1] : NULL;

		if (last && !cmp_entry(last, e)) {
			agg_entry_merge(last, e);
			free(e->slot);
			continue;
		}
		es->v[out++] = *e;
	}
	es->n = out;
}

/* One key of lt_aggs with its per-CPU values: an entry when it is one of the catalog's
 * keyed aggregates and has a count. */
static int add_keyed(const struct agg_catalog *c, const int *desc_of, int ncpu,
		     const struct lt_agg_key *key, const struct lt_agg_val *per,
		     struct entries *es)
{
	struct lt_agg_val sum = { .min = UINT64_MAX };
	struct agg_entry *e;
	int di;

	if (key->probe >= LT_MAX_PROBES || (di = desc_of[key->probe]) < 0 || c->d[di].flat)
		return 0;	/* another probe's */
	for (int i = 0; i < ncpu; i++)
		add_val(&sum, &per[i]);
	if (!sum.count)
		return 0;
	if (!(e = entry_add(es, di, c->d[di].agg_kind == LT_AGG_HIST)))
		return -ENOMEM;
	e->key = key->key;
	memcpy(e->comm, key->comm, sizeof(e->comm));
	e->total = sum;
	if (e->slot)
		e->slot[key->slot == UINT32_MAX ? LT_HIST_SLOTS - 1 :
			key->slot < LT_HIST_SLOTS - 1 ? key->slot : LT_HIST_SLOTS - 2] = sum.count;
	return 0;
}

/* Keys per batch: a scrape of 10k keys is 10 syscalls instead of 20,000. */
#define BATCH 1024

/* The whole hash in batches (BPF_MAP_LOOKUP_BATCH, Linux 5.6); -EINVAL, -EOPNOTSUPP or
 * ENOTSUPP where the kernel has no batch operations for it. A key deleted meanwhile is
 * skipped by the kernel (the walk goes by bucket). */
static int read_keyed_batch(const struct agg_catalog *c, const int *desc_of, int ncpu,
			    struct entries *es)
{
	struct lt_agg_key *keys = calloc(BATCH, sizeof(*keys));
	struct lt_agg_val *vals = calloc((size_t)BATCH * ncpu, sizeof(*vals));
	struct lt_agg_key token;	/* the kernel's position: a bucket index fits */
	bool first = true, done = false;
	int rc = 0;

	if (!keys || !vals)
		rc = -ENOMEM;
	while (!rc && !done) {
		__u32 n = BATCH;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		if (bpf_map_lookup_batch(c->aggs_fd, first ? NULL : &token, &token, keys, vals, &n,
					 &opts)) {
			rc = -errno;
			if (rc != -ENOENT)	/* ENOENT: this batch is the last */
				break;
			rc = 0;
			done = true;
		}
		first = false;
		for (__u32 i = 0; !rc && i < n; i++)
			rc = add_keyed(c, desc_of, ncpu, &keys[i], &vals[(size_t)i * ncpu], es);
	}
	free(keys);
	free(vals);
	return rc;
}

static int read_keyed(const struct agg_catalog *c, const int *desc_of, int ncpu,
		      struct entries *es)
{
	struct lt_agg_key key, next, *prev = NULL;
	struct lt_agg_val *per;
	size_t had = es->n;
	int rc = read_keyed_batch(c, desc_of, ncpu, es);

	if (rc != -EINVAL && rc != -EOPNOTSUPP && rc != -524)	/* 524: the kernel's ENOTSUPP */
		return rc;
	if (es->n != had)	/* a first batch came, then the error: not the kernel lacking it */
		return rc;
	if (!(per = calloc(ncpu, sizeof(*per))))
		return -ENOMEM;
	rc = 0;
	while (!rc && !bpf_map_get_next_key(c->aggs_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(c->aggs_fd, &key, per))	/* else deleted meanwhile */
			rc = add_keyed(c, desc_of, ncpu, &key, per, es);
	}
	free(per);
	return rc;
}

int agg_catalog_read(const struct agg_catalog *c, struct agg_entry **out, size_t *n)
{
	int ncpu = libbpf_num_possible_cpus(), desc_of[LT_MAX_PROBES], rc = 0;
	struct entries es = {};
	bool keyed = false;

	*out = NULL;
	*n = 0;
	if (c->aggs_fd < 0 || ncpu <= 0)
		return 0;
	for (int i = 0; i < LT_MAX_PROBES; i++)
		desc_of[i] = -1;
	for (size_t i = 0; !rc && i < c->n; i++) {
		if (c->d[i].extern_values)
			continue;
		if (c->d[i].id < LT_MAX_PROBES)
			desc_of[c->d[i].id] = (int)i;
		if (c->d[i].flat)
			rc = read_flat(c, i, ncpu, &es);
		else
			keyed = true;
	}
	if (!rc && keyed)
		rc = read_keyed(c, desc_of, ncpu, &es);
	if (rc) {
		agg_entries_free(es.v, es.n);
		return rc;
	}
	merge_keys(&es);
	*out = es.v;
	*n = es.n;
	return 0;
}

int agg_catalog_stats(const struct agg_catalog *c, uint32_t id, struct lt_probe_stats *out)
{
	int ncpu = libbpf_num_possible_cpus(), rc = 0;
	struct lt_probe_stats *per;

	memset(out, 0, sizeof(*out));
	if (c->stats_fd < 0 || ncpu <= 0)
		return 0;
	if (!(per = calloc(ncpu, sizeof(*per))))
		return -ENOMEM;
	if (bpf_map_lookup_elem(c->stats_fd, &id, per))
		rc = -errno;
	for (int i = 0; !rc && i < ncpu; i++) {
		out->hits += per[i].hits;
		out->filtered += per[i].filtered;
		out->emitted += per[i].emitted;
		out->dropped += per[i].dropped;
	}
	free(per);
	return rc;
}

uint64_t agg_catalog_ring_used(const struct agg_catalog *c, uint64_t *size)
{
	*size = c->ring && c->ring->cons ? c->ring->size : 0;
	return ring_level_used(c->ring);
}

uint64_t agg_catalog_counter(const struct agg_catalog *c, enum lt_counter which)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t key = which;
	uint64_t sum = 0, *per;

	if (c->counters_fd < 0 || ncpu <= 0 || !(per = calloc(ncpu, sizeof(*per))))
		return 0;
	if (!bpf_map_lookup_elem(c->counters_fd, &key, per))
		for (int i = 0; i < ncpu; i++)
			sum += per[i];
	free(per);
	return sum;
}

bool agg_entry_key(const struct agg_catalog *c, const struct agg_entry *e, char *buf, size_t len)
{
	const struct agg_desc *d = &c->d[e->desc];

	switch (d->agg_by) {
	case LT_BY_NONE:
	case LT_BY_PROBE:
		snprintf(buf, len, "%s", "");
		return true;
	case LT_BY_SITE:
		snprintf(buf, len, "%s", e->key < d->nsites ? d->sites[e->key] : "?");
		return true;
	case LT_BY_PID:
	case LT_BY_TID:
		snprintf(buf, len, "%" PRIu64, e->key);
		return true;
	case LT_BY_COMM:
		snprintf(buf, len, "%.*s", (int)strnlen(e->comm, sizeof(e->comm)), e->comm);
		return true;
	case LT_BY_USTACK:
	case LT_BY_KSTACK:
	case LT_BY_STACK:	/* named by the catalog's user on the loop's thread, or not at all */
		if (!d->sites)
			return false;
		snprintf(buf, len, "%s", e->key < d->nsites ? d->sites[e->key] : "?");
		return true;
	default:	/* an argument or the return value, as its declared type reads */
		snprintf(buf, len, "%" PRId64, value_extend(d->key_type, e->key));
		return true;
	}
}
