/* One uprobe_multi link for a USDT probe's locations (usdt_multi.h). Locations of the same
 * provider:name pair with the same argument spec share a spec id (a pair is often inlined
 * at several places with identical operands), so the 256 slots go a long way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "uprobe_multi.h"
#include "usdt_args.h"
#include "usdt_multi.h"

int usdt_spec_pool_init(struct usdt_spec_pool *pool, int map_fd, uint32_t max)
{
	pool->map_fd = map_fd;
	pool->max = max;
	pool->used = calloc(max, sizeof(*pool->used));
	return pool->used ? 0 : -ENOMEM;
}

void usdt_spec_pool_free(struct usdt_spec_pool *pool)
{
	free(pool->used);
	pool->used = NULL;
}

void usdt_spec_ids_release(struct usdt_spec_pool *pool, struct usdt_spec_ids *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		if (pool->used && ids->v[i] < pool->max)
			pool->used[ids->v[i]] = false;
	free(ids->v);
	ids->v = NULL;
	ids->n = 0;
}

/* A free slot taken into ids; -ENOSPC when none is left. */
static int take_id(struct usdt_spec_pool *pool, struct usdt_spec_ids *ids, uint32_t *id)
{
	uint32_t *v;

	for (uint32_t i = 0; i < pool->max; i++) {
		if (pool->used[i])
			continue;
		if (!(v = realloc(ids->v, (ids->n + 1) * sizeof(*v))))
			return -ENOMEM;
		ids->v = v;
		v[ids->n++] = i;
		pool->used[i] = true;
		*id = i;
		return 0;
	}
	return -ENOSPC;
}

/* The spec id of note i: an earlier location's with the same site and arguments, or a
 * new slot filled with its decoded spec. */
static int spec_id(struct usdt_spec_pool *pool, struct usdt_spec_ids *ids,
		   const struct usdt_note_list *notes, const int *site, const uint64_t *cookies,
		   size_t i, uint32_t probe_id, char *err, size_t errlen)
{
	const struct usdt_note *n = &notes->v[i];
	struct lt_usdt_spec spec;
	uint32_t id;
	int rc;

	for (size_t j = 0; j < i; j++)
		if (site[j] == site[i] && !strcmp(notes->v[j].args, n->args))
			return (int)cookies[j];
	if ((rc = usdt_args_parse(n->args, &spec, err, errlen)))
		return rc;
	spec.usdt_cookie = (uint64_t)probe_id << 32 | (uint32_t)site[i];
	if ((rc = take_id(pool, ids, &id))) {
		if (rc == -ENOSPC)
			snprintf(err, errlen, "too many USDT locations with distinct arguments "
				 "(at most %u in a session)", pool->max);
		return rc;
	}
	if (bpf_map_update_elem(pool->map_fd, &id, &spec, BPF_ANY)) {
		rc = -errno;
		snprintf(err, errlen, "cannot store a USDT argument spec: %s", strerror(-rc));
		return rc;
	}
	return (int)id;
}

int usdt_multi_attach(int prog_fd, struct usdt_spec_pool *pool, struct usdt_spec_ids *ids,
		      const char *path, const struct usdt_note_list *notes, const int *site,
		      uint32_t probe_id, int pid, char *err, size_t errlen)
{
	uint64_t *offs = calloc(notes->n + 1, sizeof(*offs)),
		 *refs = calloc(notes->n + 1, sizeof(*refs)),
		 *cookies = calloc(notes->n + 1, sizeof(*cookies));
	size_t cnt = 0;
	int rc = offs && refs && cookies ? 0 : -ENOMEM;

	for (size_t i = 0; i < notes->n && !rc; i++) {
		const struct usdt_note *n = &notes->v[i];

		if (site[i] < 0)
			continue;
		if (!n->loc_off) {
			snprintf(err, errlen, "USDT %s:%s at 0x%llx is in no executable segment of %s",
				 n->provider, n->name, (unsigned long long)n->loc, path);
			rc = -ENOEXEC;
			break;
		}
		/* cookies[i] (note order) lets later locations find an equal spec's id */
		rc = spec_id(pool, ids, notes, site, cookies, i, probe_id, err, errlen);
		if (rc < 0)
			break;
		cookies[i] = (uint64_t)rc;
		rc = 0;
	}
	/* Compact to the matching locations, in note order. */
	for (size_t i = 0; i < notes->n && !rc; i++) {
		if (site[i] < 0)
			continue;
		offs[cnt] = notes->v[i].loc_off;
		refs[cnt] = notes->v[i].sema_off;
		cookies[cnt++] = cookies[i];
	}
	if (!rc && (rc = uprobe_multi_attach_ref(prog_fd, path, offs, refs, cookies, cnt, false,
						  pid)) < 0)
		snprintf(err, errlen, "cannot attach to %zu USDT locations in %s: %s", cnt, path,
			 strerror(-rc));
	if (rc == -ENOMEM && !*err)
		snprintf(err, errlen, "out of memory");
	free(offs);
	free(refs);
	free(cookies);
	return rc;
}
