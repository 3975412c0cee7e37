/* Where a keyless aggregate lives (agg_flat.h): at attach, before its configuration is
 * written, a probe's aggregate is given an epoch and, for a histogram, one of the session's
 * lt_agg_hists elements. Works on the configuration alone, so the probe lifecycle
 * (probe.c) calls it and agg_flat.c, which reads a probe's aggregate, builds on it. */
#ifndef LT_AGG_FLAT_SLOTS_H
#define LT_AGG_FLAT_SLOTS_H

#include <stdint.h>
#include "lt_abi.h"

struct session;

/* Sets LT_CFG_AGG_FLAT in c when the aggregate is keyless (and, for a histogram, an
 * lt_agg_hists element is free; else it stays in lt_aggs), with a fresh epoch, so what an
 * earlier probe with the same id left never counts. */
void agg_flat_setup(struct session *s, struct lt_probe_cfg *c);
/* Gives the histogram element back (probe freed or never attached). */
void agg_flat_release(struct session *s, struct lt_probe_cfg *c);
/* A session-wide epoch never handed out before. */
uint32_t agg_flat_new_epoch(struct session *s);

#endif
