/* A frame as rows of text: the header (state, filters, events, drops), the keys or the
 * open prompt, then the panels top-down, the focused one alone when zoomed. Text rows keep
 * the curses and the plain output the same: dash_term.c puts them on the screen or prints
 * them. Values come from the frame's one read of the aggregates (d->entries) and of the
 * probes' statistics (d->st). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dash_int.h"
#include "probe.h"

struct canvas {
	char **rows;
	bool *attr;
	int w, h, y;
};

static void put(struct canvas *c, bool hdr, const char *fmt, ...)
{
	va_list ap;

	if (c->y >= c->h)
		return;
	va_start(ap, fmt);
	vsnprintf(c->rows[c->y], c->w + 1, fmt, ap);
	va_end(ap);
	c->attr[c->y++] = hdr;
}

static const struct agg_desc *desc_of(const struct dash *d, const struct agg_entry *e)
{
	return d->cat && e->desc < d->cat->n ? &d->cat->d[e->desc] : NULL;
}

/* "1.5ms" for durations, the number otherwise. */
static void fmt_value(char *buf, size_t len, uint64_t v, bool ns)
{
	if (!ns)
		snprintf(buf, len, "%" PRIu64, v);
	else if (v < 10000)
		snprintf(buf, len, "%" PRIu64 "ns", v);
	else if (v < 10000000)
		snprintf(buf, len, "%.1fus", v / 1e3);
	else if (v < 10000000000ull)
		snprintf(buf, len, "%.1fms", v / 1e6);
	else
		snprintf(buf, len, "%.1fs", v / 1e9);
}

/* The log2 histogram of one probe: every key's slots added up (a keyed histogram shown
 * whole), a row per slot from the first used to the last. */
static void hist(struct dash *d, const struct dash_panel *p, struct canvas *c, int rows)
{
	uint64_t slot[LT_HIST_SLOTS] = {}, count = 0, most = 0;
	bool ns = false;
	int lo = -1, hi = -1, end = c->y + rows;

	for (size_t i = 0; i < d->nentries; i++) {
		const struct agg_entry *e = &d->entries[i];
		const struct agg_desc *ds = desc_of(d, e);

		if (!ds || (int)ds->id != p->probe || !e->slot)
			continue;
		ns = ds->agg_src == LT_SRC_DURATION;
		count += e->total.count;
		for (int k = 0; k < LT_HIST_SLOTS; k++)
			slot[k] += e->slot[k];
	}
	for (int k = 0; k < LT_HIST_SLOTS - 1; k++) {
		if (!slot[k])
			continue;
		lo = lo < 0 ? k : lo;
		hi = k;
		most = slot[k] > most ? slot[k] : most;
	}
	put(c, true, " %s  (histogram, count %" PRIu64 ")", p->title, count);
	if (slot[LT_HIST_SLOTS - 1])
		put(c, false, "  %22s %10" PRIu64, "< 0", slot[LT_HIST_SLOTS - 1]);
	for (int k = lo; k >= 0 && k <= hi && c->y < end; k++) {
		char a[24], b[24], bar[41];
		int w = most ? (int)(slot[k] * 40 / most) : 0;

		fmt_value(a, sizeof(a), k ? 1ull << (k - 1) : 0, ns);
		fmt_value(b, sizeof(b), k ? (k < 64 ? 1ull << k : UINT64_MAX) : 1, ns);
		memset(bar, '#', w);
		bar[w] = '\0';
		put(c, false, "  [%9s, %9s) %10" PRIu64 " |%-40s|", a, b, slot[k], bar);
	}
}

static int by_count(const void *a, const void *b)
{
	const struct agg_entry *x = *(const struct agg_entry *const *)a,
			       *y = *(const struct agg_entry *const *)b;
	uint64_t u = x->total.count, v = y->total.count;

	return u < v ? 1 : u > v ? -1 : 0;
}

static int by_total(const void *a, const void *b)
{
	const struct agg_entry *x = *(const struct agg_entry *const *)a,
			       *y = *(const struct agg_entry *const *)b;
	uint64_t u = x->total.sum, v = y->total.sum;

	return u < v ? 1 : u > v ? -1 : by_count(a, b);
}

/* Top keys of one keyed aggregate, by count or by total (sum: time for durations). */
static void top(struct dash *d, const struct dash_panel *p, struct canvas *c, int rows)
{
	const struct agg_entry **v = calloc(d->nentries + 1, sizeof(*v));
	size_t n = 0;
	bool ns = false;

	for (size_t i = 0; v && i < d->nentries; i++) {
		const struct agg_desc *ds = desc_of(d, &d->entries[i]);

		if (ds && (int)ds->id == p->probe) {
			v[n++] = &d->entries[i];
			ns = ds->agg_src == LT_SRC_DURATION;
		}
	}
	qsort(v, n, sizeof(*v), p->by_total ? by_total : by_count);
	put(c, true, " %s  (top %d by %s, %zu keys)", p->title, p->n,
	    p->by_total ? "total" : "count", n);
	put(c, false, "  %-32s %12s %12s", "KEY", "COUNT", ns ? "TOTAL TIME" : "TOTAL");
	for (size_t i = 0; i < n && (int)i < p->n && (int)i < rows - 2; i++) {
		char key[64], total[24];

		if (!agg_entry_key(d->cat, v[i], key, sizeof(key)))
			snprintf(key, sizeof(key), "stack %#" PRIx64, v[i]->key);
		fmt_value(total, sizeof(total), v[i]->total.sum, ns);
		put(c, false, "  %-32.32s %12" PRIu64 " %12s", key[0] ? key : "(all)",
		    v[i]->total.count, total);
	}
	free(v);
}

static void counters(struct dash *d, const struct dash_panel *p, struct canvas *c, int rows)
{
	int end = c->y + rows;

	put(c, true, " %s  (e: on/off for the one marked >, [ ]: another)", p->title);
	put(c, false, "   %-4s %-36s %3s %12s %10s %12s %12s %10s", "ID", "PROBE", "ON", "HITS",
	    "HITS/S", "FILTERED", "EMITTED", "DROPPED");
	for (int i = 0; i < d->s->nprobes && c->y < end; i++) {
		struct probe *pr = d->s->probes[i];
		const struct lt_probe_stats *st = &d->st[i];

		if (!pr || !pr->attached)
			continue;
		put(c, false,
		    " %c #%-3d %-36.36s %3s %12" PRIu64 " %10.0f %12" PRIu64 " %12" PRIu64
		    " %10" PRIu64,
		    i == d->selected ? '>' : ' ', i, dash_probe_label(d->s, i),
		    pr->cfg.flags & LT_CFG_ENABLED ? "on" : "off", st->hits, d->rate[i].per_sec,
		    st->filtered, st->emitted, st->dropped);
	}
}

static void drops(struct dash *d, const struct dash_panel *p, struct canvas *c)
{
	char line[256];
	int off = 0;

	put(c, true, " %s", p->title);
	put(c, false,
	    "  events %" PRIu64 " (%.0f/s), shown %" PRIu64 ", not shown %" PRIu64
	    " (sampled out or paused), held threads %" PRIu64 " for %.3f ms",
	    d->events, d->events_rate.per_sec, d->log.added, d->log.unshown, d->s->holds_done,
	    d->s->held_ns / 1e6);
	line[0] = '\0';
	for (int k = 0; k < LT_CNT_MAX && off < (int)sizeof(line) - 1; k++) {
		uint64_t v = d->cat ? agg_catalog_counter(d->cat, k) : 0;

		if (v)
			off += snprintf(line + off, sizeof(line) - off, " %s=%" PRIu64,
					session_counter_name(k), v);
	}
	put(c, false, "  drops:%s", line[0] ? line : " none");
	if (d->out_dropped)
		put(c, false, "  output written while the view is up: %" PRIu64 " bytes dropped",
		    d->out_dropped);
}

static void log_panel(struct dash *d, const struct dash_panel *p, struct canvas *c, int rows)
{
	put(c, true, " %s  (newest first%s; space: %s, down/PgDn: older, up/PgUp: newer)", p->title,
	    d->log.scroll ? ", scrolled back" : "", d->paused ? "resume" : "pause");
	for (int i = 0; i < rows - 1; i++) {
		const char *l = dash_log_line(&d->log, d->log.scroll + i);

		if (!l)
			break;
		put(c, false, "  %s", l);
	}
}

int dash_panel_rows(const struct dash *d, const struct dash_panel *p)
{
	switch (p->type) {
	case DASH_HIST: return 18;
	case DASH_TOP: return p->n + 2;
	case DASH_COUNTERS: return d->s->nprobes + 2;
	case DASH_DROPS: return 4;
	default: return 12;
	}
}

static void panel(struct dash *d, const struct dash_panel *p, struct canvas *c, int rows)
{
	int start = c->y;

	switch (p->type) {
	case DASH_HIST: hist(d, p, c, rows); break;
	case DASH_TOP: top(d, p, c, rows); break;
	case DASH_COUNTERS: counters(d, p, c, rows); break;
	case DASH_DROPS: drops(d, p, c); break;
	case DASH_LOG: log_panel(d, p, c, rows); break;
	}
	if (&d->panels[d->focus] == p && d->npanels > 1 && c->y > start)
		c->rows[start][0] = '*'; /* the focused panel */
}

static void header(struct dash *d, struct canvas *c)
{
	char filters[160];
	static const char *const prompts[128] = {
		['p'] = "pid, every thread of the process (empty: any)",
		['t'] = "tid, one thread (empty: any)",
		['c'] = "comm (empty: any)",
		['m'] = "minimum duration, e.g. 250us (empty: none)",
		['n'] = "sample 1 in N (empty: all)",
	};

	dash_filters_text(d, filters, sizeof(filters));
	put(c, true, "ltrace-ebpf dashboard  %s  events %" PRIu64 " (%.0f/s)  filters:%s",
	    d->paused ? "PAUSED" : "live", d->events, d->events_rate.per_sec, filters);
	if (d->prompt)
		put(c, false, "%s: %s_", prompts[d->prompt & 127], d->input);
	else if (d->status[0])
		put(c, false, "%s", d->status);
	else
		put(c, false,
		    "q quit  space pause  tab panel  z zoom  s sort  p pid  t tid  c comm  "
		    "m min-duration  n sample  e on/off  [ ] probe  x clear filters");
}

void dash_frame(struct dash *d, char **rows, bool *attr, int w, int h)
{
	struct canvas c = { rows, attr, w, h, 0 };
	int later = 0;

	for (int i = 0; i < h; i++) {
		rows[i][0] = '\0';
		attr[i] = false;
	}
	header(d, &c);
	if (d->zoom && d->npanels) {
		panel(d, &d->panels[d->focus], &c, h - c.y);
		return;
	}
	for (size_t i = 0; i < d->npanels; i++)
		later += !d->tty && d->panels[i].type == DASH_LOG ? 0 :
			 d->panels[i].type == DASH_LOG		  ? 4 :
							 dash_panel_rows(d, &d->panels[i]) + 1;
	for (size_t i = 0; i < d->npanels && c.y < h - 1; i++) {
		const struct dash_panel *p = &d->panels[i];
		int want = p->type == DASH_LOG ? 4 : dash_panel_rows(d, p);

		if (!d->tty && p->type == DASH_LOG)
			continue; /* as text the script's own output is the event log */
		later -= want + 1;
		if (p->type == DASH_LOG) /* the log takes what the others leave */
			want = h - c.y - 1 - later > want ? h - c.y - 1 - later : want;
		if (want > h - c.y - 1)
			want = h - c.y - 1;
		put(&c, false, "");
		panel(d, p, &c, want);
	}
}
