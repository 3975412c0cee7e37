/* The one JSON encoding of what a session sees (schema: docs/json.md): events, aggregates,
 * the session line and its drop counters, as json-c objects. Pure encoding, no Lua and no
 * I/O but json_enc_write: the NDJSON output (json_out.h), the web page and OTLP build on it.
 * Every object has "type"; integers stay integers (json-c writes int64 and uint64 exactly),
 * durations and timestamps are ns and their names end in _ns. */
#ifndef LT_JSON_ENC_H
#define LT_JSON_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct lt_rec;
struct probe;
struct session;
struct agg_catalog;
struct agg_entry;

/* The schema's name and version, in every session line ("schema", "schema_version"): a
 * field removed or changing meaning bumps the version, a field added does not. */
#define JSON_SCHEMA "ltrace-ebpf"
#define JSON_SCHEMA_VERSION 1

/* ---- values ---- */

/* CLOCK_MONOTONIC in ns: the clock of every ts_ns. */
int64_t json_now_ns(void);

/* Bytes as a JSON string when they are valid UTF-8 without NUL, else {"hex": "..."}
 * (lower-case, two digits a byte): a consumer never gets a line it cannot decode. */
struct json_object *json_enc_bytes(const void *bytes, size_t len);

/* ---- lines ---- */

/* The session's first line: {"type":"session", schema, schema_version, version, argv,
 * script, pid, target_pid, command, clocks}; script, argv and command may be NULL. */
struct json_object *json_enc_session(const char *version, const char *script, char *const *argv,
				     int target_pid, char *const *command);

/* One record of probe p (the session's sink gets both) as {"type":"event", ...}: the
 * core fields, args and ret by the probe's formats, the kind's named fields. */
struct json_object *json_enc_event(struct probe *p, const struct lt_rec *rec);

/* An aggregate: what it is, then its rows. */
struct json_agg_info {
	const char *name;	/* the aggregate's name (a probe's: its option name or spec) */
	const char *probe;	/* the probe's spec, or NULL for one kept in Lua */
	const char *agg;	/* "count", "sum", "min", "max", "avg", "stats", "hist", "lhist" */
	const char *unit;	/* "ns" for durations, NULL: plain numbers */
	const char *by;		/* the key's name ("func", "pid", "comm" ...), NULL: keyless */
	/* lhist: the linear buckets' bounds */
	double lmin, lmax, lstep;
};

/* One bucket: lo <= v < hi; has_lo / has_hi false: unbounded on that side. */
struct json_bucket {
	double lo, hi;
	bool has_lo, has_hi;
	uint64_t count;
};

/* A number as the aggregate holds it: the kernel's are integers (signed or not), a Lua
 * aggregate's may be fractional. */
struct json_num {
	enum { JSON_NUM_NONE, JSON_NUM_INT, JSON_NUM_UINT, JSON_NUM_REAL } kind;
	int64_t i;
	uint64_t u;
	double d;
};

struct json_agg_row {
	const char *key;		/* NULL: the keyless aggregate's one row */
	uint64_t count;
	struct json_num sum, min, max;	/* JSON_NUM_NONE: not kept by this kind */
	const struct json_bucket *buckets;	/* hist, lhist: the non-empty ones, ascending */
	size_t nbuckets;
};

/* {"type":"agg", name, probe, agg, unit, by, ts_ns, rows: [...]} */
struct json_object *json_enc_agg(const struct json_agg_info *info, const struct json_agg_row *rows,
				 size_t n);
/* A log2 slot (kernel and Lua alike: 0 holds 0, k >= 1 holds [2^(k-1), 2^k), slot -1 or
 * the kernel's last negative values) as its bucket. */
struct json_bucket json_log2_bucket(int slot, uint64_t count);
/* An lhist slot (0: below min, 1..n: steps, n+1: from max up) as its bucket. */
struct json_bucket json_linear_bucket(const struct json_agg_info *info, int slot, uint64_t count);

/* An aggregate's key (LT_BY_*) by the name its option `by` takes ("func", "pid", "arg2"
 * ...), written into buf when it needs to be; NULL for a keyless one. */
const char *json_by_name(uint8_t by, char *buf, size_t len);
/* Aggregate d of a catalog (agg_snapshot.h) from its entries e[0..n) (all of desc d), for
 * a C exporter that reads the maps itself. */
struct json_object *json_enc_catalog_agg(const struct agg_catalog *c, size_t d,
					 const struct agg_entry *e, size_t n);

/* {"type":"end", events, lost_detached, drops: {reason: n ...}, exit_status}: the last line. */
struct json_object *json_enc_end(struct session *s, int exit_status);

/* o as one line (no newline inside: json-c's plain form) followed by '\n'; takes o.
 * 0 or -errno. */
int json_enc_write(FILE *f, struct json_object *o);
/* o's line (no newline) into buf, NUL-terminated when it fits; takes o. Its length, which
 * may be >= size (then buf holds nothing usable), or -ENOMEM. */
long json_enc_line(struct json_object *o, char *buf, size_t size);

#endif
