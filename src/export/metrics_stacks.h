/* Stack-keyed aggregates for a scrape: their keys need the symbolizer, which is the loop's,
 * so the loop reads them and names each key by its folded stack when it takes a snapshot;
 * the scrape serves those values as given (the stack label). */
#ifndef LT_METRICS_STACKS_H
#define LT_METRICS_STACKS_H

struct metrics_snap;
struct session;

/* On the loop's thread, after the snapshot's catalog is made: 0 or -errno. */
int metrics_stacks_add(struct metrics_snap *snap, struct session *s);

#endif
