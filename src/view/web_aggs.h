/* GET /api/aggs: the session's aggregates (histograms and top-N keys) and its drop
 * counters as JSON, read on the HTTP thread from the snapshot --metrics uses
 * (metrics_snapshot.h): the loop only copies the catalog. */
#ifndef LT_WEB_AGGS_H
#define LT_WEB_AGGS_H

struct metrics_snap;

#define WEB_TOP_N 50	/* keys per aggregate, by count */

/* malloc'ed JSON, or NULL on ENOMEM. snap may be NULL (nothing yet). */
char *web_aggs_json(const struct metrics_snap *snap);

#endif
