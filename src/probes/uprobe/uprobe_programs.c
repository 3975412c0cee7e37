/* The uprobe kind's per-session state and its programs, loaded lazily (uprobe_programs.h).
 * Programs are verified only when a probe first needs them (a few ms each), and the
 * sleepable build only for probes that fault pages in: it verifies about twice as long. */
#include <errno.h>
#include <stdlib.h>
#include "bpf_features.h"
#include "early_link.h"
#include "uprobe.skel.h"
#include "uprobe_multi.h"
#include "uprobe_prefetch.h"
#include "uprobe_programs.h"

static const char state_key;

/* After every probe (so every link) is gone: the session destroys its objects then. */
static void destroy_state(void *obj)
{
	struct uprobe_session *u = obj;

	prefetch_join(u->prefetch, u->instances, &u->sleepable_ok);
	for (int g = 0; g < TMPL_GROUPS; g++)
		for (int m = 0; m < 2; m++)
			for (int v = 0; v < TMPL_VARIANTS; v++)
				for (int i = 0; i < 2; i++)
					uprobe_bpf__destroy(u->instances[g][m][v][i]);
	early_link_free(u->early);
	free(u);
}

struct uprobe_session *uprobe_session_find(struct session *s)
{
	return session_object(s, &state_key);
}

struct uprobe_session *uprobe_session(struct session *s)
{
	struct uprobe_session *u = uprobe_session_find(s);

	if (u)
		return u;
	if (!(u = calloc(1, sizeof(*u))))
		return NULL;
	u->multi_ok = uprobe_multi_supported();
	u->sleepable_ok = bpf_sleepable_uprobes();
	if (session_own_object(s, &state_key, u, destroy_state)) {
		free(u);
		return NULL;
	}
	return u;
}

bool uprobe_multi_ok(struct session *s)
{
	struct uprobe_session *u = uprobe_session(s);

	return u && u->multi_ok;
}

static void join_prefetch(struct uprobe_session *u)
{
	struct prefetch *pf = u->prefetch;

	u->prefetch = NULL;
	prefetch_join(pf, u->instances, &u->sleepable_ok);
}

int uprobe_programs_prefetch(struct session *s, const bool want[TMPL_GROUPS][TMPL_VARIANTS])
{
	struct uprobe_session *u;
	bool have[TMPL_GROUPS][TMPL_VARIANTS];
	int rc;

	if ((rc = session_load(s)))
		return rc;
	if (!(u = uprobe_session(s)))
		return -ENOMEM;
	join_prefetch(u);
	for (int g = 0; g < TMPL_GROUPS; g++)
		for (int v = 0; v < TMPL_VARIANTS; v++)
			have[g][v] = u->instances[g][u->multi_ok][v][0] != NULL;
	if (!(u->prefetch = prefetch_start(s, u->multi_ok, u->sleepable_ok, want, have)))
		return -ENOMEM;
	return 0;
}

int uprobe_programs(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		    struct bpf_program *out[2])
{
	struct uprobe_session *u = uprobe_session(s);
	struct uprobe_bpf **inst;
	int rc;

	if (!u)
		return -ENOMEM;
	join_prefetch(u);
	if (v == TMPL_SLEEPABLE && u->sleepable_ok) {
		inst = u->instances[g][multi][v];
		if (!inst[0] && tmpl_load_group(s, g, multi, v, inst))
			u->sleepable_ok = false;
	}
	if (v == TMPL_SLEEPABLE && !u->sleepable_ok)
		v = TMPL_PLAIN;
	inst = u->instances[g][multi][v];
	if (!inst[0] && (rc = tmpl_load_group(s, g, multi, v, inst)))
		return rc;
	out[0] = tmpl_group_prog(inst[0], g, multi, 0);
	out[1] = inst[1] ? tmpl_group_prog(inst[1], g, multi, 1) : NULL;
	return 0;
}
