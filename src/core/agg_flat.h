/* Keyless in-kernel aggregates (no `by`): kept in array slots instead of the lt_aggs hash,
 * so a hit costs array lookups, not hashing a 40-byte key. Totals live in the probe's
 * lt_stats element, a histogram's buckets in one lt_agg_hists element per histogram
 * (given at attach: agg_flat_slots.h). Reading and clearing a probe's. */
#ifndef LT_AGG_FLAT_H
#define LT_AGG_FLAT_H

#include <stdint.h>
#include "lt_abi.h"

struct probe;

/* Totals and buckets summed over CPUs; buckets only for histograms. */
struct agg_flat_sum {
	struct lt_agg_val total;
	uint64_t slot[LT_HIST_SLOTS];
};

/* 0 with the sums, or -errno. */
int agg_flat_read(struct probe *p, struct agg_flat_sum *out);
/* Starts a new epoch: the programs start over, values of the old one are ignored. */
int agg_flat_clear(struct probe *p);

#endif
