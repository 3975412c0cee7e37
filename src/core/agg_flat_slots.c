/* Array slots and epochs of keyless aggregates (agg_flat_slots.h). Each setup and each
 * clear takes a fresh session-wide epoch, so per-CPU values left by an earlier probe with
 * the same id, or from before a clear, never count: nothing is zeroed while programs may
 * run. */
#include "agg_flat_slots.h"
#include "session.h"

static bool keyless(const struct lt_probe_cfg *c)
{
	return c->agg_kind != LT_AGG_NONE && (c->agg_by == LT_BY_NONE || c->agg_by == LT_BY_PROBE);
}

uint32_t agg_flat_new_epoch(struct session *s)
{
	return ++s->agg_epoch;
}

void agg_flat_setup(struct session *s, struct lt_probe_cfg *c)
{
	c->flags &= ~LT_CFG_AGG_FLAT;
	if (!keyless(c))
		return;
	if (c->agg_kind == LT_AGG_HIST) {
		int i = 0;

		while (i < LT_AGG_HISTS && s->agg_hist_used[i])
			i++;
		if (i == LT_AGG_HISTS)
			return;		/* all taken: this one stays in lt_aggs */
		s->agg_hist_used[i] = true;
		c->agg_hist = i;
	}
	c->agg_epoch = agg_flat_new_epoch(s);
	c->flags |= LT_CFG_AGG_FLAT;
}

void agg_flat_release(struct session *s, struct lt_probe_cfg *c)
{
	if ((c->flags & LT_CFG_AGG_FLAT) && c->agg_kind == LT_AGG_HIST &&
	    c->agg_hist < LT_AGG_HISTS)
		s->agg_hist_used[c->agg_hist] = false;
	c->flags &= ~LT_CFG_AGG_FLAT;
}
