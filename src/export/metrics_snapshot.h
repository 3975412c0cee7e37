/* Handing the session's aggregates from the event loop to the scrape thread. A scrape asks
 * the loop (an eventfd it watches) for a snapshot: the loop copies the catalog of
 * aggregates (agg_snapshot.h) and resolves their names and labels (prom_names.h, which
 * holds what Lua said: only the loop may look at it), then wakes the scrape, which reads
 * the values from the maps itself. So the loop does microseconds of copying per scrape and
 * never waits; a loop busy elsewhere (a long callback, the script's top level) makes the
 * scrape fall back, after a bounded wait, on the last snapshot, whose values are still read
 * live. */
#ifndef LT_METRICS_SNAPSHOT_H
#define LT_METRICS_SNAPSHOT_H

#include <stddef.h>

struct session;
struct snapper;
struct agg_catalog;
struct prom_conf;

struct agg_entry;

struct metrics_snap {
	struct agg_catalog *cat;
	struct prom_conf *meta;	/* one per cat->d[] */
	/* the values of the catalog's extern_values descs, copied by the loop: aggregates kept
	 * in Lua, and stack-keyed ones (their keys named by the loop's symbolizer) */
	struct agg_entry *given;
	size_t ngiven;
	int refs;		/* the snapper's lock */
};

struct snapper *snapper_new(void);
/* Starts answering on s's loop, and takes a first snapshot now; 0 or -errno. */
int snapper_attach(struct snapper *sn, struct session *s);
/* On the loop's thread: a new snapshot now (e.g. once the script has attached its probes). */
void snapper_refresh(struct snapper *sn);
/* Any thread: a fresh snapshot from the loop, or after wait_ms the last one (NULL when
 * there is none); release it with snapper_put. */
struct metrics_snap *snapper_get(struct snapper *sn, int wait_ms);
void snapper_put(struct snapper *sn, struct metrics_snap *snap);
/* Stops answering (scrapes then get the last snapshot) and frees; after the server stopped. */
void snapper_free(struct snapper *sn);

#endif
