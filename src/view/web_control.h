/* What the page asks of the probes, answered on the loop's thread (web_loopcall.h): the
 * list with each probe's filters and kernel counters, and filter changes written to the
 * probe's config map (lt_probes[id]) without re-attaching. */
#ifndef LT_WEB_CONTROL_H
#define LT_WEB_CONTROL_H

struct session;

/* GET /api/probes: a JSON array of {id, spec, name, enabled, comm, pid, tid, min_duration_ns,
 * sample, hits, filtered, emitted, dropped, sites}. */
char *web_probes_json(struct session *s, const char *arg, int *status);
/* POST /api/filter with arg {"id": N, and any of "enabled", "comm", "pid", "tid",
 * "min_duration_ns", "sample"}: the probe as listed, 400 / 404 with {"error": ...}. */
char *web_filter(struct session *s, const char *arg, int *status);

#endif
