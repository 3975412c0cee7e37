/* Keyless aggregates in array slots (see agg_flat.h), read and cleared by epoch
 * (agg_flat_slots.c hands them out). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agg_flat.h"
#include "agg_flat_slots.h"
#include "probe.h"
#include "session.h"
#include "shared_maps.skel.h"

static void add_total(struct lt_agg_val *sum, const struct lt_agg_val *v)
{
	if (!v->count)
		return;
	if (!sum->count || v->min < sum->min)
		sum->min = v->min;
	if (v->max > sum->max)
		sum->max = v->max;
	sum->count += v->count;
	sum->sum += v->sum;
}

static int read_hist(struct probe *p, int ncpu, struct agg_flat_sum *out)
{
	struct lt_agg_hist *per = calloc(ncpu, sizeof(*per));
	uint32_t idx = p->cfg.agg_hist;
	int rc = 0;

	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(p->s->skel->maps.lt_agg_hists), &idx, per))
		rc = -errno;
	for (int c = 0; !rc && c < ncpu; c++) {
		if (per[c].epoch != p->cfg.agg_epoch)
			continue;
		for (int i = 0; i < LT_HIST_SLOTS; i++)
			out->slot[i] += per[c].slot[i];
	}
	free(per);
	return rc;
}

int agg_flat_read(struct probe *p, struct agg_flat_sum *out)
{
	int ncpu = libbpf_num_possible_cpus(), rc = 0;
	struct lt_probe_stats *per;

	memset(out, 0, sizeof(*out));
	if (!p->s->skel || p->id == UINT32_MAX || ncpu <= 0)
		return 0;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(p->s->skel->maps.lt_stats), &p->id, per))
		rc = -errno;
	for (int c = 0; !rc && c < ncpu; c++)
		if (per[c].agg_epoch == p->cfg.agg_epoch)
			add_total(&out->total, &per[c].agg);
	free(per);
	if (!rc && p->cfg.agg_kind == LT_AGG_HIST)
		rc = read_hist(p, ncpu, out);
	return rc;
}

int agg_flat_clear(struct probe *p)
{
	p->cfg.agg_epoch = agg_flat_new_epoch(p->s);
	return p->id == UINT32_MAX ? 0 : probe_write_cfg(p);
}
