/* The Prometheus text exposition format 0.0.4 of the session's aggregates and of its own
 * counters: names by the rule in prom_names.h, labels escaped, series capped. Pure
 * formatting: runs on the scrape thread from a snapshot (metrics_snapshot.h). */
#ifndef LT_PROM_TEXT_H
#define LT_PROM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct agg_catalog;
struct agg_entry;

/* Each aggregate's prom_conf (prom_names.h) resolved on the session's thread: name is the
 * metric stem (unique for its kind and unit), help and key_label are set. */
struct prom_conf;

struct prom_counts {
	uint64_t series;	/* label sets written */
	uint64_t cut;		/* label sets left out by the cap */
};

/* Every aggregate's entries (ordered by desc, agg_catalog_read); at most max_series label
 * sets, the rest counted in out->cut. */
void prom_write_aggs(FILE *f, const struct agg_catalog *cat, const struct prom_conf *meta,
		     const struct agg_entry *e, size_t n, size_t max_series,
		     struct prom_counts *out);
/* The session's own counters: events, drops by reason, per-probe hits/filtered/emitted/
 * dropped. */
void prom_write_session(FILE *f, const struct agg_catalog *cat, const struct prom_conf *meta);
/* One sample "name{labels} value" of the exporter's own metrics, with HELP and TYPE. */
void prom_write_own(FILE *f, const char *name, const char *type, const char *help,
		    const char *value);
/* A label value or HELP text escaped as the format wants (\\, \", \n; invalid UTF-8 as
 * U+FFFD); in_label false escapes for HELP (no \"). */
void prom_escape(FILE *f, const char *s, bool in_label);

#endif
