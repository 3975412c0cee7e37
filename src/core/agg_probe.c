/* One probe's aggregate through the catalog's reader (agg_probe.h). */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agg_flat.h"
#include "agg_probe.h"
#include "probe.h"
#include "session.h"
#include "shared_maps.skel.h"

int agg_probe_read(struct probe *p, struct agg_entry **out, size_t *n)
{
	struct agg_catalog *c;
	int rc;

	*out = NULL;
	*n = 0;
	if (!p->s->skel || p->id == UINT32_MAX || p->cfg.agg_kind == LT_AGG_NONE)
		return 0;
	c = agg_catalog_of(p);
	if (!c)
		return -errno;
	rc = agg_catalog_read(c, out, n);
	agg_catalog_free(c);
	return rc;
}

void agg_probe_key(const struct probe *p, const struct agg_entry *e, struct lt_agg_key *k)
{
	*k = (struct lt_agg_key){ .probe = p->id, .key = e->key };
	_Static_assert(sizeof(e->comm) == sizeof(k->comm), "the key's union, byte for byte");
	memcpy(k->comm, e->comm, sizeof(k->comm));
}

int agg_probe_clear(struct probe *p)
{
	struct lt_agg_key key, next, *prev = NULL;
	int fd;

	if (!p->s->skel || p->id == UINT32_MAX)
		return 0;
	if (p->cfg.flags & LT_CFG_AGG_FLAT)
		return agg_flat_clear(p);
	fd = bpf_map__fd(p->s->skel->maps.lt_aggs);
	/* Deleting while walking restarts the walk; collect the probe's keys as we go. */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		if (key.probe == p->id) {
			bpf_map_delete_elem(fd, &key);
			prev = NULL;
		} else {
			prev = &key;
		}
	}
	return 0;
}
