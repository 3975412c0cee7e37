/* The dashboard's life: opened after the script (its probes and panels exist), it wraps
 * the session's sink, makes the aggregates' catalog and draws on a timer of the session's
 * loop (4 Hz on a terminal, 1 Hz as text); closed when the loop returns. Each frame reads
 * the aggregates once (agg_catalog_read: one batched walk) and each probe's statistics
 * once, whatever the number of panels; and bounds what the script printed meanwhile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include "dash.h"
#include "dash_int.h"
#include "loop.h"
#include "probe.h"

#define TTY_PERIOD_NS 250000000ull   /* 4 Hz */
#define TEXT_PERIOD_NS 1000000000ull /* 1 Hz: a text frame per second */

static void rate(struct dash_rate *r, uint64_t v, double dt)
{
	r->per_sec = dt > 0 && v >= r->last ? (v - r->last) / dt : 0;
	r->last = v;
}

/* The frame's data: aggregates, probe statistics, rates. */
static void sample(struct dash *d)
{
	uint64_t now = dash_now_ns();
	double dt = d->sampled_at ? (now - d->sampled_at) / 1e9 : 0;

	agg_entries_free(d->entries, d->nentries);
	d->entries = NULL;
	d->nentries = 0;
	/* A catalog per frame, as --metrics makes one per scrape: probes attached since (a
	 * library loaded later) and a clear's new epoch are seen. The last one stays when
	 * memory is short. */
	struct agg_catalog *c = agg_catalog_new(d->s);

	if (c) {
		agg_catalog_free(d->cat);
		d->cat = c;
	}
	if (d->cat && agg_catalog_read(d->cat, &d->entries, &d->nentries))
		d->nentries = 0;
	for (int i = 0; i < d->s->nprobes; i++) {
		struct probe *p = d->s->probes[i];

		if (!p || !p->attached || probe_stats(p, &d->st[i]))
			memset(&d->st[i], 0, sizeof(d->st[i]));
		rate(&d->rate[i], d->st[i].hits, dt);
	}
	rate(&d->events_rate, d->events, dt);
	d->sampled_at = now;
}

static void tick(void *ctx, struct loop_timer *t)
{
	struct dash *d = ctx;

	(void)t;
	sample(d);
	dash_term_draw(d, d->term);
	dash_term_bound(d->term);
	dash_log_tick(&d->log);
}

struct dash *dash_open(struct session *s, lua_State *L)
{
	struct dash *d = calloc(1, sizeof(*d));

	if (!d) {
		fprintf(stderr, "ltrace-ebpf: --dashboard: out of memory\n");
		return NULL;
	}
	d->s = s;
	d->selected = -1;
	if (dash_layout(d, L))
		goto fail;
	for (int i = 0; i < s->nprobes && d->selected < 0; i++)
		if (s->probes[i] && s->probes[i]->attached)
			d->selected = i;
	/* Every aggregate of the session as it is now (made again at each frame). */
	if (!(d->cat = agg_catalog_new(s))) {
		fprintf(stderr, "ltrace-ebpf: --dashboard: cannot list the aggregates: %s\n",
			strerror(errno));
		goto fail;
	}
	d->out = dash_output(L);
	if (!(d->term = dash_term_open(d)))
		goto fail;
	if (session_add_tap(s, dash_log_tap, NULL, d)) {
		fprintf(stderr, "ltrace-ebpf: --dashboard: too many outputs on one session\n");
		dash_term_close(d->term);
		goto fail;
	}
	dash_log_tick(&d->log);
	d->timer = loop_add_timer(s->loop, d->tty ? TTY_PERIOD_NS : TEXT_PERIOD_NS, true, tick, d);
	if (!d->timer) {
		int err = errno;

		dash_close(d);
		fprintf(stderr, "ltrace-ebpf: --dashboard: cannot start its timer: %s\n",
			strerror(err));
		return NULL;
	}
	loop_timer_internal(d->timer); /* the view alone keeps no session going */
	sample(d);
	dash_term_draw(d, d->term);
	return d;
fail:
	agg_catalog_free(d->cat);
	free(d->panels);
	free(d);
	return NULL;
}

void dash_close(struct dash *d)
{
	if (!d)
		return;
	if (d->timer)
		loop_del_timer(d->s->loop, d->timer);
	session_remove_tap(d->s, d);
	if (!d->tty) { /* the last text frame: the counts at the end */
		sample(d);
		dash_term_draw(d, d->term);
	}
	dash_term_close(d->term);
	agg_entries_free(d->entries, d->nentries);
	agg_catalog_free(d->cat);
	free(d->panels);
	free(d);
}
