/* Aggregates as {"type":"agg", ...} (json_enc.h; docs/json.md): what the aggregate is,
 * then one row per key with its count, sum, min, max and non-empty buckets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "agg_snapshot.h"
#include "json_enc.h"

static struct json_object *num(const struct json_num *n)
{
	switch (n->kind) {
	case JSON_NUM_INT: return json_object_new_int64(n->i);
	case JSON_NUM_UINT: return json_object_new_uint64(n->u);
	case JSON_NUM_REAL:
		/* an integral value stays an integer (a Lua float that counts ns) */
		if (n->d == floor(n->d) && fabs(n->d) < 9007199254740992.0)
			return json_object_new_int64((int64_t)n->d);
		return json_object_new_double(n->d);
	default: return NULL;
	}
}

static struct json_object *bound(double v)
{
	return num(&(struct json_num){ .kind = JSON_NUM_REAL, .d = v });
}

struct json_bucket json_log2_bucket(int slot, uint64_t count)
{
	if (slot < 0 || slot >= LT_HIST_SLOTS - 1)	/* negatives */
		return (struct json_bucket){ .hi = 0, .has_hi = true, .count = count };
	if (slot == 0)
		return (struct json_bucket){ 0, 1, true, true, count };
	return (struct json_bucket){ ldexp(1, slot - 1), ldexp(1, slot), true, true, count };
}

struct json_bucket json_linear_bucket(const struct json_agg_info *info, int slot, uint64_t count)
{
	int n = (int)ceil((info->lmax - info->lmin) / info->lstep);
	double lo = info->lmin + (slot - 1) * info->lstep;

	if (slot <= 0)
		return (struct json_bucket){ .hi = info->lmin, .has_hi = true, .count = count };
	if (slot > n)
		return (struct json_bucket){ .lo = info->lmax, .has_lo = true, .count = count };
	return (struct json_bucket){ lo, fmin(lo + info->lstep, info->lmax), true, true, count };
}

static struct json_object *buckets(const struct json_agg_row *r)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < r->nbuckets; i++) {
		const struct json_bucket *b = &r->buckets[i];
		struct json_object *o = json_object_new_object();

		if (b->has_lo)
			json_object_object_add(o, "lo", bound(b->lo));
		if (b->has_hi)
			json_object_object_add(o, "hi", bound(b->hi));
		json_object_object_add(o, "count", json_object_new_uint64(b->count));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *row(const struct json_agg_row *r, bool hist)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "key", r->key ? json_enc_bytes(r->key, strlen(r->key)) : NULL);
	json_object_object_add(o, "count", json_object_new_uint64(r->count));
	if (r->sum.kind != JSON_NUM_NONE)
		json_object_object_add(o, "sum", num(&r->sum));
	if (r->min.kind != JSON_NUM_NONE)
		json_object_object_add(o, "min", num(&r->min));
	if (r->max.kind != JSON_NUM_NONE)
		json_object_object_add(o, "max", num(&r->max));
	if (hist)
		json_object_object_add(o, "buckets", buckets(r));
	return o;
}

static struct json_object *opt_string(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *json_enc_agg(const struct json_agg_info *info, const struct json_agg_row *rows,
				 size_t n)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	bool hist = !strcmp(info->agg, "hist") || !strcmp(info->agg, "lhist");

	json_object_object_add(o, "type", json_object_new_string("agg"));
	json_object_object_add(o, "ts_ns", json_object_new_int64(json_now_ns()));
	json_object_object_add(o, "name", opt_string(info->name));
	json_object_object_add(o, "probe", opt_string(info->probe));
	json_object_object_add(o, "agg", json_object_new_string(info->agg));
	json_object_object_add(o, "unit", opt_string(info->unit));
	json_object_object_add(o, "by", opt_string(info->by));
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, row(&rows[i], hist));
	json_object_object_add(o, "rows", a);
	return o;
}

/* ---- from a catalog (the kernel's aggregates, read by another thread) ---- */

const char *json_by_name(uint8_t by, char *buf, size_t len)
{
	static const char *const names[] = { [LT_BY_SITE] = "func", [LT_BY_PID] = "pid",
					     [LT_BY_TID] = "tid", [LT_BY_COMM] = "comm",
					     [LT_BY_RET] = "ret", [LT_BY_USTACK] = "ustack",
					     [LT_BY_KSTACK] = "kstack", [LT_BY_STACK] = "stack" };

	if (by >= LT_BY_ARG1 && by < LT_BY_ARG1 + LT_MAX_ARGS) {
		snprintf(buf, len, "arg%d", by - LT_BY_ARG1 + 1);
		return buf;
	}
	return by < sizeof(names) / sizeof(names[0]) ? names[by] : NULL;
}

static struct json_num kernel_num(const struct agg_desc *d, uint64_t v)
{
	return d->is_signed ? (struct json_num){ .kind = JSON_NUM_INT, .i = (int64_t)v }
			    : (struct json_num){ .kind = JSON_NUM_UINT, .u = v };
}

struct json_object *json_enc_catalog_agg(const struct agg_catalog *c, size_t di,
					 const struct agg_entry *e, size_t n)
{
	static const char *const kinds[] = { "none", "count", "sum", "min", "max", "stats", "hist" };
	const struct agg_desc *d = &c->d[di];
	struct json_agg_info info = { .name = d->name, .probe = d->text,
				      .agg = kinds[d->agg_kind % 7],
				      .unit = d->agg_src == LT_SRC_DURATION ? "ns" : NULL };
	struct json_agg_row *rows = calloc(n + 1, sizeof(*rows));
	struct json_bucket *b = calloc(n * LT_HIST_SLOTS + 1, sizeof(*b));
	char (*keys)[256] = calloc(n + 1, sizeof(*keys)), by[16];
	struct json_object *o = NULL;

	info.by = json_by_name(d->agg_by, by, sizeof(by));
	if (!rows || !b || !keys)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct json_agg_row *r = &rows[i];

		if (d->agg_by != LT_BY_NONE && d->agg_by != LT_BY_PROBE &&
		    agg_entry_key(c, &e[i], keys[i], sizeof(keys[i])))
			r->key = keys[i];
		r->count = e[i].total.count;
		if (d->agg_kind != LT_AGG_COUNT)
			r->sum = kernel_num(d, e[i].total.sum);
		if (d->agg_kind == LT_AGG_STATS || d->agg_kind == LT_AGG_HIST ||
		    d->agg_kind == LT_AGG_MIN || d->agg_kind == LT_AGG_MAX) {
			r->min = kernel_num(d, e[i].total.min);
			r->max = kernel_num(d, e[i].total.max);
		}
		r->buckets = &b[i * LT_HIST_SLOTS];
		/* negatives (the last slot) first: buckets ascend */
		for (int s = -1; e[i].slot && s < LT_HIST_SLOTS - 1; s++) {
			uint64_t cnt = e[i].slot[s < 0 ? LT_HIST_SLOTS - 1 : s];

			if (cnt)
				b[i * LT_HIST_SLOTS + r->nbuckets++] = json_log2_bucket(s, cnt);
		}
	}
	o = json_enc_agg(&info, rows, n);
out:
	free(rows);
	free(b);
	free(keys);
	return o;
}
