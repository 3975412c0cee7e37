/* One probe's in-kernel aggregate, on the session's thread: read through the catalog's
 * reader (agg_snapshot.c: the same sums, merged buckets and batched walk a scrape gets, so
 * a script's p:read() and --metrics cannot disagree) and cleared. */
#ifndef LT_AGG_PROBE_H
#define LT_AGG_PROBE_H

#include <stddef.h>
#include "agg_snapshot.h"

struct probe;

/* Every key with a count, as agg_catalog_read gives them (desc 0); 0 or -errno. Free with
 * agg_entries_free. */
int agg_probe_read(struct probe *p, struct agg_entry **out, size_t *n);
/* The lt_aggs key entry e was read from (stack keys need all of it to symbolize). */
void agg_probe_key(const struct probe *p, const struct agg_entry *e, struct lt_agg_key *k);
/* Drops every value: keyed ones from lt_aggs, keyless ones by a new epoch. 0 or -errno. */
int agg_probe_clear(struct probe *p);

#endif
