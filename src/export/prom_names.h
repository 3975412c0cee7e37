/* Prometheus names for the session's aggregates: the naming rule (docs/exporters.md) and
 * what a script chose with export.prometheus{} (name, help, constant labels, the key's
 * label). Used on the session's thread only: the snapshot copies what a scrape needs. */
#ifndef LT_PROM_NAMES_H
#define LT_PROM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct agg_desc;

/* What a script said of one aggregate (every field optional). */
struct prom_conf {
	char *name;		/* metric stem ([a-zA-Z_][a-zA-Z0-9_]*), unit and suffix added */
	char *help;
	char *key_label;	/* the label the aggregation key goes to */
	char **labels;		/* name, value, name, value ... */
	size_t nlabels;		/* pairs */
	bool hidden;		/* not exported */
};

/* Names the tool keeps for its own metrics: a script may not take them. */
#define PROM_OWN_PREFIXES "ltrace_session_, ltrace_probe_, ltrace_exporter_"

/* Metric and label names as the exposition format takes them; a label name must also not
 * be one the tool sets (probe, le, quantile) nor start with "__". */
bool prom_metric_name_ok(const char *name);
bool prom_label_name_ok(const char *name);
bool prom_own_name(const char *name);

/* Records conf for the probe `owner` (id, spec text tell a reused address from it); takes
 * the strings. 0 or -ENOMEM. */
int prom_conf_set(const void *owner, uint32_t id, const char *text, struct prom_conf *conf);
/* Aggregates whose values the session's thread supplies itself (those a script keeps in
 * Lua), for a snapshot: descs to append to its catalog (extern_values set; strings
 * malloc'ed, the catalog takes them), their confs resolved (name: the stem) and their
 * entries (desc: an index into d; slot arrays malloc'ed), ordered by desc. */
struct agg_entry;
struct prom_extra {
	struct agg_desc *d;
	struct prom_conf *conf;
	size_t n;
	struct agg_entry *e;
	size_t ne;
};
typedef int (*prom_extra_fn)(void *ctx, struct prom_extra *out);
/* Installs the source (the Lua layer: src/lua/l_export.c); NULL removes it. */
void prom_set_extra(prom_extra_fn fn, void *ctx);
/* On the session's thread: what the source has now (all empty without one); 0 or -errno. */
int prom_extra_take(struct prom_extra *out);
void prom_extra_free(struct prom_extra *x);

/* Forgets every conf (the Lua state that made them is closing). */
void prom_conf_free_all(void);
/* The conf recorded for d's probe, or NULL. */
const struct prom_conf *prom_conf_of(const struct agg_desc *d);
void prom_conf_free(struct prom_conf *conf);

/* The metric stem of d: the script's name, else "ltrace_" + d's name with every run of
 * characters outside [a-zA-Z0-9_] turned into one '_' (a trailing "_seconds"/"_total" is
 * dropped: the unit and suffix are added by kind). */
void prom_stem(const struct agg_desc *d, const struct prom_conf *conf, char *out, size_t len);
/* The label the key of d goes to: the script's, else by kind of key (function, syscall,
 * tracepoint, pid, tid, comm, argN, ret); NULL for a keyless aggregate. */
const char *prom_key_label(const struct agg_desc *d, const struct prom_conf *conf, char *buf,
			   size_t len);
/* What a scrape needs of d, resolved: out->name the stem, help (conf's or default_help),
 * the key's label, conf's labels copied. 0 or -ENOMEM (out freed by prom_conf_free). */
int prom_conf_resolve(const struct agg_desc *d, const struct prom_conf *conf,
		      const char *default_help, struct prom_conf *out);
/* True when d's values are durations (ns in the kernel, seconds exported). */
bool prom_is_duration(const struct agg_desc *d);

#endif
