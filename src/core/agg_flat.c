/* Keyless aggregates in array slots (see agg_flat.h), cleared by epoch (agg_flat_slots.c
 * hands them out; agg_snapshot.c reads them). */
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

int agg_flat_clear(struct probe *p)
{
	p->cfg.agg_epoch = agg_flat_new_epoch(p->s);
	return p->id == UINT32_MAX ? 0 : probe_write_cfg(p);
}
