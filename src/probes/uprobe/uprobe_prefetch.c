/* Prefetching the uprobe template's programs (uprobe_prefetch.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "parallel_load.h"
#include "uprobe.skel.h"
#include "uprobe_prefetch.h"

struct prefetch {
	pthread_t thread;
	bool multi, threaded;
	struct uprobe_bpf *obj[TMPL_GROUPS][TMPL_VARIANTS][2];
	struct bpf_object_skeleton *skels[LOAD_PARALLEL_MAX];
	int rcs[LOAD_PARALLEL_MAX], n;
};

static void *prefetch_run(void *arg)
{
	struct prefetch *pf = arg;

	load_parallel(pf->skels, pf->n, pf->rcs);
	return NULL;
}

static int prefetch_rc(const struct prefetch *pf, const struct uprobe_bpf *k)
{
	for (int i = 0; i < pf->n; i++)
		if (pf->skels[i] == k->skeleton)
			return pf->rcs[i];
	return -EINVAL;
}

struct prefetch *prefetch_start(struct session *s, bool multi, bool sleepable_ok,
				const bool want[TMPL_GROUPS][TMPL_VARIANTS],
				const bool have[TMPL_GROUPS][TMPL_VARIANTS])
{
	struct prefetch *pf = calloc(1, sizeof(*pf));

	if (!pf)
		return NULL;
	pf->multi = multi;
	for (int g = 0; g < TMPL_GROUPS; g++) {
		for (int v = 0; v < TMPL_VARIANTS; v++) {
			struct uprobe_bpf **got = pf->obj[g][v];

			if (!want[g][v] || have[g][v] ||
			    pf->n + tmpl_group_size(g) > LOAD_PARALLEL_MAX ||
			    (v == TMPL_SLEEPABLE && !sleepable_ok) ||
			    tmpl_open_group(s, g, multi, v, got))
				continue;	/* left to the probe that needs it, which says why */
			for (int i = 0; i < tmpl_group_size(g); i++)
				pf->skels[pf->n++] = got[i]->skeleton;
		}
	}
	pf->threaded = !pthread_create(&pf->thread, NULL, prefetch_run, pf);
	if (!pf->threaded)
		prefetch_run(pf);
	return pf;
}

void prefetch_join(struct prefetch *pf, struct uprobe_bpf *inst[TMPL_GROUPS][2][TMPL_VARIANTS][2],
		   bool *sleepable_ok)
{
	if (!pf)
		return;
	if (pf->threaded)
		pthread_join(pf->thread, NULL);
	for (int g = 0; g < TMPL_GROUPS; g++) {
		for (int v = 0; v < TMPL_VARIANTS; v++) {
			struct uprobe_bpf **got = pf->obj[g][v], **to = inst[g][pf->multi][v];
			bool loaded = got[0] != NULL, take;

			for (int i = 0; loaded && i < tmpl_group_size(g); i++)
				loaded = !prefetch_rc(pf, got[i]);
			if (got[0] && !loaded && v == TMPL_SLEEPABLE)
				*sleepable_ok = false;
			/* Decided once for the pair: a call group's return half kept with its
			 * entry half (taking to[0] first must not throw away got[1]). */
			take = loaded && !to[0];
			for (int i = 0; i < 2; i++) {
				if (take)
					to[i] = got[i];
				else
					uprobe_bpf__destroy(got[i]);
			}
		}
	}
	free(pf);
}
