/* The session's in-kernel aggregates as data another thread can read. The thread that owns
 * the session (the event loop) copies what each aggregate is (id, kind, key, value, site
 * names, epoch, map fds) into a catalog; any thread then reads the values from the maps
 * with it, touching no probe and no Lua state (BPF map syscalls are thread-safe). Kind-
 * neutral: an exporter (src/export/) decides names and formats. */
#ifndef LT_AGG_SNAPSHOT_H
#define LT_AGG_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fetch.h"
#include "lt_abi.h"

struct probe;
struct ring_level;
struct session;

/* One aggregate: a probe with `agg`, as it was when the catalog was made. */
struct agg_desc {
	const void *owner;	/* the probe, as an identity only: never dereferenced */
	uint32_t id;
	char *text;		/* the spec as written */
	char *name;		/* option `name` (default: the spec) */
	const char *kind;	/* the provider's name ("uprobe", "syscall" ...), static */
	uint8_t agg_kind;	/* LT_AGG_* */
	uint8_t agg_by;		/* LT_BY_* */
	uint8_t agg_src;	/* LT_SRC_*: LT_SRC_DURATION values are ns */
	bool is_signed;		/* values are signed (a histogram with negatives) */
	bool flat;		/* keyless, in array slots (agg_flat.h) */
	uint16_t hist;		/* flat histograms: their lt_agg_hists element */
	uint32_t epoch;		/* flat: values of another epoch do not count */
	enum value_type key_type;	/* by argN / ret: how the key reads */
	char **sites;		/* by function: key -> name; by stack: key -> folded stack, when
				 * the catalog's user named them (the symbolizer is the loop's) */
	size_t nsites;
	bool extern_values;	/* in no map: the catalog's user has the values (an
				 * aggregate kept in Lua); agg_catalog_read skips it */
};

struct agg_catalog {
	int aggs_fd, stats_fd, hists_fd, counters_fd;	/* -1 before the first kernel probe */
	struct agg_desc *d;
	size_t n;
	uint64_t events;	/* records handed to Lua */
	uint64_t lost_detached;	/* records whose probe was gone */
	uint64_t held_ns, holds;	/* threads held by holds: total time, how many */
	const struct ring_level *ring;	/* the session's ring (lives as long as it) */
};

/* One key of one aggregate, summed over CPUs. */
struct agg_entry {
	uint32_t desc;		/* index into the catalog's d[] */
	uint64_t key;
	char comm[LT_COMM_LEN];	/* by comm (the raw key union otherwise) */
	struct lt_agg_val total;
	uint64_t *slot;		/* histograms: LT_HIST_SLOTS counts, the last for negatives */
};

/* On the session's thread. NULL and errno on failure. */
struct agg_catalog *agg_catalog_new(struct session *s);
/* On the session's thread: a catalog of probe p's aggregate alone (agg_probe.c). */
struct agg_catalog *agg_catalog_of(struct probe *p);
void agg_catalog_free(struct agg_catalog *c);
/* Frees what a desc points to (its strings and site names), not the desc. */
void agg_desc_free(struct agg_desc *d);
/* Any thread: every key with a count of every aggregate, ordered by desc then key. 0 or
 * -errno; free with agg_entries_free. */
int agg_catalog_read(const struct agg_catalog *c, struct agg_entry **out, size_t *n);
void agg_entries_free(struct agg_entry *e, size_t n);
/* Adds e's totals and buckets into `into` (entries of one aggregate). */
void agg_entry_merge(struct agg_entry *into, const struct agg_entry *e);
/* Orders entries by desc, then key, as agg_catalog_read gives them. */
void agg_entries_order(struct agg_entry *e, size_t n);
/* Any thread: probe id's statistics summed over CPUs; 0 or -errno. */
int agg_catalog_stats(const struct agg_catalog *c, uint32_t id, struct lt_probe_stats *out);
/* Any thread: the ring's bytes waiting for the loop, and its size. */
uint64_t agg_catalog_ring_used(const struct agg_catalog *c, uint64_t *size);
/* Any thread: a global drop counter summed over CPUs (0 when unreadable). */
uint64_t agg_catalog_counter(const struct agg_catalog *c, enum lt_counter which);
/* The entry's key as text ("" for a keyless aggregate); false for stack keys not named in
 * sites (they need the symbolizer, the session's thread's). */
bool agg_entry_key(const struct agg_catalog *c, const struct agg_entry *e, char *buf,
		   size_t len);

#endif
