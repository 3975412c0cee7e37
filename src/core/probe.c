/* Probe lifecycle: new (detached) -> attach (resolve, id, config, links) -> detach -> free.
 * The provider knows how to resolve and link a kind; this file owns the bookkeeping that
 * is the same for every kind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agg_flat_slots.h"
#include "probe.h"
#include "session.h"
#include "shared_maps.skel.h"

struct probe *probe_new(struct session *s, const char *text, char *err, size_t errlen)
{
	struct probe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->s = s;
	p->callback = PROBE_NO_CALLBACK;
	p->strsize = 64;
	p->id = UINT32_MAX;
	p->text = strdup(text);
	p->cfg.flags = LT_CFG_ENABLED;
	for (int i = 0; i < LT_MAX_CALL_ARGS; i++)
		p->args[i] = (struct value_fmt){ VT_INT, -1 };
	p->ret = (struct value_fmt){ VT_INT, -1 };
	if (!p->text || spec_parse(text, &p->spec, err, errlen)) {
		probe_free(p);
		errno = EINVAL;
		return NULL;
	}
	p->provider = provider_for(p->spec.kind);	/* a kind is a provider's: never NULL */
	if (p->provider->init)
		p->provider->init(p);
	return p;
}

int probe_add_site(struct probe *p, const char *name, uint64_t offset)
{
	struct probe_site *v = realloc(p->sites, (p->nsites + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	p->sites = v;
	v[p->nsites].name = strdup(name);
	v[p->nsites].offset = offset;
	if (!v[p->nsites].name)
		return -ENOMEM;
	p->nsites++;
	return 0;
}

int probe_add_link(struct probe *p, struct bpf_link *link, int fd)
{
	struct probe_link *v = realloc(p->links, (p->nlinks + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	p->links = v;
	v[p->nlinks++] = (struct probe_link){ link, fd };
	return 0;
}

int probe_write_cfg(struct probe *p)
{
	if (p->id == UINT32_MAX || !p->s->skel)
		return 0;
	if (bpf_map_update_elem(bpf_map__fd(p->s->skel->maps.lt_probes), &p->id, &p->cfg, BPF_ANY))
		return -errno;
	return 0;
}

void probe_set_enabled(struct probe *p, bool on)
{
	if (on)
		p->cfg.flags |= LT_CFG_ENABLED;
	else
		p->cfg.flags &= ~LT_CFG_ENABLED;
	probe_write_cfg(p);
}

static void clear_kernel_state(struct probe *p)
{
	int ncpu = libbpf_num_possible_cpus();
	struct lt_probe_stats *zero;

	if (p->id == UINT32_MAX || !p->s->skel || ncpu <= 0)
		return;
	/* A later probe reusing this id must start from clean statistics. */
	zero = calloc(ncpu, sizeof(*zero));
	if (zero)
		bpf_map_update_elem(bpf_map__fd(p->s->skel->maps.lt_stats), &p->id, zero, BPF_ANY);
	free(zero);
}

static void remove_probe(struct probe *p)
{
	session_remove_probe(p->s, p->id, p);
	p->id = UINT32_MAX;
}

int probe_attach(struct probe *p, char *err, size_t errlen)
{
	int rc;

	if ((rc = p->provider->resolve(p, err, errlen)))
		return rc;
	if ((rc = session_add_probe(p->s, p)) < 0) {
		snprintf(err, errlen, "too many probes (at most %d)", LT_MAX_PROBES);
		return rc;
	}
	p->id = rc;
	if (p->provider->prepare)
		p->provider->prepare(p);
	if ((rc = session_load(p->s))) {
		snprintf(err, errlen, "cannot load the BPF templates: %s%s", strerror(-rc),
			 rc == -EPERM ? " (run as root, or with CAP_BPF and CAP_PERFMON)" : "");
		goto fail;
	}
	/* Before any thread can be stopped, whoever resumes it if we die (guardian.h). */
	if ((p->cfg.flags & (LT_CFG_HOLD | LT_CFG_LOSSLESS)) && (rc = session_hold_prepare(p->s))) {
		snprintf(err, errlen, "cannot start the guardian of held threads: %s",
			 strerror(-rc));
		goto fail;
	}
	if ((p->cfg.flags & LT_CFG_EMIT) && (rc = session_start_events(p->s))) {
		snprintf(err, errlen, "cannot map the ring buffer: %s", strerror(-rc));
		goto fail;
	}
	clear_kernel_state(p);
	agg_flat_setup(p->s, &p->cfg);
	if ((rc = probe_write_cfg(p)) || (rc = p->provider->attach(p, err, errlen))) {
		if (!*err)
			snprintf(err, errlen, "cannot configure probe: %s", strerror(-rc));
		goto fail;
	}
	p->attached = true;
	return 0;
fail:
	probe_detach(p);
	agg_flat_release(p->s, &p->cfg);
	remove_probe(p);
	return rc;
}

void probe_link_close(struct probe_link *l)
{
	if (l->link)
		bpf_link__destroy(l->link);
	else if (l->fd >= 0)
		close(l->fd);
	l->link = NULL;
	l->fd = -1;
}

void probe_detach(struct probe *p)
{
	for (size_t i = 0; i < p->nlinks; i++)
		probe_link_close(&p->links[i]);
	if (p->provider && p->provider->detach)
		p->provider->detach(p);
	free(p->links);
	p->links = NULL;
	p->nlinks = 0;
	p->attached = false;
	/* The id stays reserved until free, so aggregates remain readable after detach. */
	if (p->id != UINT32_MAX) {
		p->cfg.flags &= ~LT_CFG_ENABLED;
		probe_write_cfg(p);
	}
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	probe_detach(p);
	agg_flat_release(p->s, &p->cfg);
	if (p->id != UINT32_MAX)
		remove_probe(p);
	if (p->provider && p->provider->release)
		p->provider->release(p);
	for (size_t i = 0; i < p->nsites; i++)
		free(p->sites[i].name);
	free(p->sites);
	free(p->text);
	free(p->name);
	free(p);
}

int probe_stats(struct probe *p, struct lt_probe_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct lt_probe_stats *per;

	memset(out, 0, sizeof(*out));
	if (p->id == UINT32_MAX || !p->s->skel || ncpu <= 0)
		return 0;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (!bpf_map_lookup_elem(bpf_map__fd(p->s->skel->maps.lt_stats), &p->id, per)) {
		for (int i = 0; i < ncpu; i++) {
			out->hits += per[i].hits;
			out->filtered += per[i].filtered;
			out->emitted += per[i].emitted;
			out->dropped += per[i].dropped;
			out->dropped_cmd += per[i].dropped_cmd;
		}
	}
	free(per);
	return 0;
}
