/* Keyless in-kernel aggregates (no `by`): kept in array slots instead of the lt_aggs hash,
 * so a hit costs array lookups, not hashing a 40-byte key. Totals live in the probe's
 * lt_stats element, a histogram's buckets in one lt_agg_hists element per histogram
 * (given at attach: agg_flat_slots.h); the catalog reads them (agg_snapshot.c). */
#ifndef LT_AGG_FLAT_H
#define LT_AGG_FLAT_H

#include <stdint.h>
#include "lt_abi.h"

struct probe;

/* Starts a new epoch: the programs start over, values of the old one are ignored. */
int agg_flat_clear(struct probe *p);

#endif
