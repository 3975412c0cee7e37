/* Text exposition 0.0.4 (prom_text.h). Families are written whole (HELP, TYPE, then every
 * series), sorted by name so that aggregates sharing a stem share a family. */
#include <inttypes.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include "agg_snapshot.h"
#include "prom_names.h"
#include "prom_text.h"
#include "session.h"

/* Length of the valid UTF-8 sequence at s (1..4), 0 when it is not one (Prometheus refuses
 * a scrape with an invalid label value; a comm or a file name may be any bytes). */
static int utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	int n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void prom_escape(FILE *f, const char *s, bool in_label)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = utf8_len(p);

		if (!n) {
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
			p++;
		} else if (*p == '\\' || (*p == '"' && in_label)) {
			fputc('\\', f);
			fputc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
}

/* ns as exact decimal seconds ("0.000001023"): no rounding puts a value past its bucket. */
static void put_seconds(FILE *f, uint64_t ns)
{
	char frac[16];
	int n = snprintf(frac, sizeof(frac), "%09" PRIu64, ns % 1000000000);

	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	fprintf(f, n ? "%" PRIu64 ".%s" : "%" PRIu64, ns / 1000000000, frac);
}

static void put_value(FILE *f, const struct agg_desc *d, uint64_t v)
{
	if (prom_is_duration(d))
		put_seconds(f, v);
	else if (d->is_signed)
		fprintf(f, "%" PRId64, (int64_t)v);
	else
		fprintf(f, "%" PRIu64, v);
}

enum part { P_COUNT, P_SUM, P_MIN, P_MAX, P_SUMMARY, P_HIST };

struct item {
	char name[192];
	const char *type;
	uint32_t desc;
	enum part part;
};

struct items {
	struct item *v;
	size_t n;
};

static void add_item(struct items *it, const char *stem, const char *mid, bool secs,
		     const char *suffix, const char *type, uint32_t desc, enum part part)
{
	struct item *x = &it->v[it->n++];

	snprintf(x->name, sizeof(x->name), "%s%s%s%s", stem, mid, secs ? "_seconds" : "", suffix);
	x->type = type;
	x->desc = desc;
	x->part = part;
}

/* The families of aggregate i: one per value it exports (a stats aggregate is a summary
 * of count and sum, and gauges of min and max). */
static void items_of(struct items *it, const struct agg_desc *d, const struct prom_conf *m,
		     uint32_t i)
{
	bool secs = prom_is_duration(d);

	switch (d->agg_kind) {
	case LT_AGG_COUNT:
		add_item(it, m->name, "", false, "_total", "counter", i, P_COUNT);
		break;
	case LT_AGG_SUM:
		if (d->is_signed)
			add_item(it, m->name, "", secs, "", "gauge", i, P_SUM);
		else
			add_item(it, m->name, "", secs, "_total", "counter", i, P_SUM);
		break;
	case LT_AGG_MIN:
		add_item(it, m->name, "_min", secs, "", "gauge", i, P_MIN);
		break;
	case LT_AGG_MAX:
		add_item(it, m->name, "_max", secs, "", "gauge", i, P_MAX);
		break;
	case LT_AGG_STATS:
		add_item(it, m->name, "", secs, "", "summary", i, P_SUMMARY);
		add_item(it, m->name, "_min", secs, "", "gauge", i, P_MIN);
		add_item(it, m->name, "_max", secs, "", "gauge", i, P_MAX);
		break;
	case LT_AGG_HIST:
		add_item(it, m->name, "", secs, "", "histogram", i, P_HIST);
		break;
	}
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->desc > y->desc) - (x->desc < y->desc);
}

/* `probe="spec",KEY="key",name="value"...` of entry e into lb (reused: one buffer a scrape). */
static bool series_labels(FILE *lb, const struct agg_catalog *cat, const struct prom_conf *m,
			  const struct agg_entry *e)
{
	char key[512];

	if (!agg_entry_key(cat, e, key, sizeof(key)))
		return false;	/* stack keys: not exported (docs/exporters.md) */
	fseeko(lb, 0, SEEK_SET);
	fputs("probe=\"", lb);
	prom_escape(lb, cat->d[e->desc].text, true);
	fputc('"', lb);
	if (m->key_label) {
		fprintf(lb, ",%s=\"", m->key_label);
		prom_escape(lb, key, true);
		fputc('"', lb);
	}
	for (size_t i = 0; i < m->nlabels; i++) {
		fprintf(lb, ",%s=\"", m->labels[2 * i]);
		prom_escape(lb, m->labels[2 * i + 1], true);
		fputc('"', lb);
	}
	fputc('\0', lb);
	fflush(lb);
	return true;
}

static uint64_t slot_top(int k)
{
	return k == 0 ? 0 : k >= 64 ? UINT64_MAX : (UINT64_C(1) << k) - 1;
}

static void write_hist(FILE *f, const char *name, const char *labels, const struct agg_desc *d,
		       const struct agg_entry *e, int top)
{
	uint64_t cum = e->slot[LT_HIST_SLOTS - 1];	/* negatives: below every bucket */

	if (d->is_signed)
		fprintf(f, "%s_bucket{%s,le=\"-1\"} %" PRIu64 "\n", name, labels, (uint64_t)cum);
	for (int k = 0; k <= top; k++) {
		cum += e->slot[k];
		fprintf(f, "%s_bucket{%s,le=\"", name, labels);
		put_value(f, d, slot_top(k));
		fprintf(f, "\"} %" PRIu64 "\n", cum);
	}
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", name, labels, (uint64_t)e->total.count);
	fprintf(f, "%s_sum{%s} ", name, labels);
	put_value(f, d, e->total.sum);
	fprintf(f, "\n%s_count{%s} %" PRIu64 "\n", name, labels, (uint64_t)e->total.count);
}

static void write_series(FILE *f, const struct item *x, const char *labels,
			 const struct agg_desc *d, const struct agg_entry *e, int top)
{
	const char *n = x->name;

	switch (x->part) {
	case P_COUNT:
		fprintf(f, "%s{%s} %" PRIu64 "\n", n, labels, (uint64_t)e->total.count);
		return;
	case P_SUM:
	case P_MIN:
	case P_MAX:
		fprintf(f, "%s{%s} ", n, labels);
		put_value(f, d, x->part == P_SUM ? e->total.sum :
				x->part == P_MIN ? e->total.min : e->total.max);
		fputc('\n', f);
		return;
	case P_SUMMARY:
		fprintf(f, "%s_sum{%s} ", n, labels);
		put_value(f, d, e->total.sum);
		fprintf(f, "\n%s_count{%s} %" PRIu64 "\n", n, labels, (uint64_t)e->total.count);
		return;
	case P_HIST:
		write_hist(f, n, labels, d, e, top);
		return;
	}
}

/* The highest bucket with a count among aggregate i's entries: every series of an
 * aggregate gets the same buckets, 0 up to it (so they grow, never change, over a run). */
static int top_slot(const struct agg_entry *e, size_t n)
{
	int top = 0;

	for (size_t j = 0; j < n; j++)
		for (int k = LT_HIST_SLOTS - 2; k > top; k--)
			if (e[j].slot[k]) {
				top = k;
				break;
			}
	return top;
}

static void write_family(FILE *f, FILE *lb, char **lbuf, const struct item *first, size_t nf,
			 const struct agg_catalog *cat, const struct prom_conf *meta,
			 const struct agg_entry *e, const size_t *start, size_t max_series,
			 struct prom_counts *out)
{
	const struct prom_conf *m = &meta[first->desc];

	fprintf(f, "# HELP %s ", first->name);
	prom_escape(f, m->help, false);
	fprintf(f, "\n# TYPE %s %s\n", first->name, first->type);
	for (size_t k = 0; k < nf; k++) {
		const struct item *x = &first[k];
		const struct agg_entry *de = &e[start[x->desc]];
		size_t dn = start[x->desc + 1] - start[x->desc];
		int top = x->part == P_HIST ? top_slot(de, dn) : 0;

		for (size_t j = 0; j < dn; j++) {
			if (out->series >= max_series) {
				out->cut++;
				continue;
			}
			if (!series_labels(lb, cat, &meta[x->desc], &de[j]))
				continue;
			write_series(f, x, *lbuf, &cat->d[x->desc], &de[j], top);
			out->series++;
		}
	}
}

void prom_write_aggs(FILE *f, const struct agg_catalog *cat, const struct prom_conf *meta,
		     const struct agg_entry *e, size_t n, size_t max_series,
		     struct prom_counts *out)
{
	struct items it = { .v = calloc(3 * cat->n + 1, sizeof(*it.v)) };
	size_t *start = calloc(cat->n + 1, sizeof(*start)), lsize = 0;
	char *lbuf = NULL;
	FILE *lb = open_memstream(&lbuf, &lsize);

	*out = (struct prom_counts){};
	if (!it.v || !start || !lb)
		goto out;
	/* Both streams are this thread's alone: no lock per character written. */
	__fsetlocking(lb, FSETLOCKING_BYCALLER);
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	for (size_t i = 0, j = 0; i <= cat->n; i++) {	/* entries are ordered by desc */
		start[i] = j;
		while (i < cat->n && j < n && e[j].desc == i)
			j++;
	}
	for (uint32_t i = 0; i < cat->n; i++)
		if (!meta[i].hidden)
			items_of(&it, &cat->d[i], &meta[i], i);
	qsort(it.v, it.n, sizeof(*it.v), cmp_item);
	for (size_t i = 0, nf; i < it.n; i += nf) {
		for (nf = 1; i + nf < it.n && !strcmp(it.v[i + nf].name, it.v[i].name); nf++)
			;
		write_family(f, lb, &lbuf, &it.v[i], nf, cat, meta, e, start, max_series, out);
	}
out:
	if (lb)
		fclose(lb);
	free(lbuf);
	free(start);
	free(it.v);
}

void prom_write_own(FILE *f, const char *name, const char *type, const char *help,
		    const char *value)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %s\n", name, help, name, type, name, value);
}

static void probe_stat(FILE *f, const struct agg_catalog *cat, const struct prom_conf *meta,
		       const char *what, const char *help, size_t field)
{
	fprintf(f, "# HELP ltrace_probe_%s_total %s\n# TYPE ltrace_probe_%s_total counter\n",
		what, help, what);
	for (size_t i = 0; i < cat->n; i++) {
		struct lt_probe_stats st;

		if (meta[i].hidden || cat->d[i].extern_values ||
		    agg_catalog_stats(cat, cat->d[i].id, &st))
			continue;
		fprintf(f, "ltrace_probe_%s_total{probe=\"", what);
		prom_escape(f, cat->d[i].text, true);
		fprintf(f, "\"} %" PRIu64 "\n", *(const uint64_t *)((const char *)&st + field));
	}
}

void prom_write_session(FILE *f, const struct agg_catalog *cat, const struct prom_conf *meta)
{
	uint64_t ring_size;
	char v[32];

	snprintf(v, sizeof(v), "%" PRIu64, cat->events);
	prom_write_own(f, "ltrace_session_events_total", "counter",
		       "Records handed to Lua callbacks.", v);
	snprintf(v, sizeof(v), "%" PRIu64, cat->lost_detached);
	prom_write_own(f, "ltrace_session_lost_detached_total", "counter",
		       "Records whose probe was detached before they were read.", v);
	snprintf(v, sizeof(v), "%.9f", cat->held_ns / 1e9);
	prom_write_own(f, "ltrace_session_held_seconds_total", "counter",
		       "Time threads stood stopped by holds (hold, lossless), event to resume.", v);
	snprintf(v, sizeof(v), "%" PRIu64, cat->holds);
	prom_write_own(f, "ltrace_session_holds_total", "counter",
		       "Threads a hold stopped and the session resumed.", v);
	snprintf(v, sizeof(v), "%" PRIu64, agg_catalog_ring_used(cat, &ring_size));
	prom_write_own(f, "ltrace_session_ring_used_bytes", "gauge",
		       "Bytes in the ring buffer not yet read by the event loop.", v);
	snprintf(v, sizeof(v), "%" PRIu64, ring_size);
	prom_write_own(f, "ltrace_session_ring_size_bytes", "gauge",
		       "The ring buffer's size (0 until a probe streams events).", v);
	fputs("# HELP ltrace_session_drops_total Events or data lost in the kernel, by reason "
	      "(counters()).\n# TYPE ltrace_session_drops_total counter\n", f);
	for (int i = 0; i < LT_CNT_MAX; i++)
		fprintf(f, "ltrace_session_drops_total{reason=\"%s\"} %" PRIu64 "\n",
			session_counter_name(i), agg_catalog_counter(cat, i));
	probe_stat(f, cat, meta, "hits", "Times the probe fired.",
		   offsetof(struct lt_probe_stats, hits));
	probe_stat(f, cat, meta, "filtered", "Events a filter dropped in the kernel.",
		   offsetof(struct lt_probe_stats, filtered));
	probe_stat(f, cat, meta, "emitted", "Records sent to the ring buffer.",
		   offsetof(struct lt_probe_stats, emitted));
	probe_stat(f, cat, meta, "dropped", "Records lost (ring full).",
		   offsetof(struct lt_probe_stats, dropped));
}
