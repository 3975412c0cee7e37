/* Executable mmaps, execs and forks of every process, from perf's side-band records: what
 * lets the symbolizer name frames of processes that are gone (see symbolize_watch.c). */
#ifndef LT_SYMBOLIZE_WATCH_H
#define LT_SYMBOLIZE_WATCH_H

#include <stdint.h>

struct perf_event_header;
struct sym_watch;

typedef void (*sym_watch_fn)(void *ctx, const struct perf_event_header *rec);

/* NULL and errno when no CPU's event could be opened (no CAP_PERFMON). */
struct sym_watch *sym_watch_open(void);
/* Passes every pending MMAP2, COMM and FORK record to fn, in order per CPU. */
void sym_watch_drain(struct sym_watch *w, sym_watch_fn fn, void *ctx);
/* The rings' fds (at most max): each is readable once its ring is half full, time to
 * drain. Returns how many. */
int sym_watch_fds(const struct sym_watch *w, int *fds, int max);
uint64_t sym_watch_lost(const struct sym_watch *w);
void sym_watch_close(struct sym_watch *w);

#endif
