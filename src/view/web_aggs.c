/* Aggregates as JSON for the page (web_aggs.h). Keys are cut to the WEB_TOP_N biggest
 * counts so an aggregate by address or pid cannot make every refresh megabytes long;
 * "keys" says how many there were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "agg_snapshot.h"
#include "metrics_snapshot.h"
#include "session.h"
#include "web_aggs.h"

static int by_count(const void *a, const void *b)
{
	const struct agg_entry *x = *(struct agg_entry *const *)a, *y = *(struct agg_entry *const *)b;

	return x->total.count < y->total.count ? 1 : x->total.count > y->total.count ? -1 : 0;
}

static struct json_object *entry_json(const struct agg_catalog *cat, const struct agg_entry *e)
{
	struct json_object *o = json_object_new_object(), *slots;
	char key[256];

	if (!agg_entry_key(cat, e, key, sizeof(key)))
		snprintf(key, sizeof(key), "stack %#llx", (unsigned long long)e->key);
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "count", json_object_new_uint64(e->total.count));
	json_object_object_add(o, "sum", json_object_new_uint64(e->total.sum));
	json_object_object_add(o, "min", json_object_new_uint64(e->total.min));
	json_object_object_add(o, "max", json_object_new_uint64(e->total.max));
	if (e->slot && (slots = json_object_new_array())) {
		for (int i = 0; i < LT_HIST_SLOTS; i++)
			json_object_array_add(slots, json_object_new_uint64(e->slot[i]));
		json_object_object_add(o, "slots", slots);
	}
	return o;
}

static struct json_object *desc_json(const struct agg_catalog *cat, size_t di,
				     struct agg_entry **sorted, size_t n)
{
	static const char *const kinds[] = { "none", "count", "sum", "min", "max", "stats",
					     "hist" };
	const struct agg_desc *d = &cat->d[di];
	struct json_object *o = json_object_new_object(), *keys = json_object_new_array();
	size_t shown = 0;

	json_object_object_add(o, "id", json_object_new_int(d->id));
	json_object_object_add(o, "name", json_object_new_string(d->name ? d->name : ""));
	json_object_object_add(o, "spec", json_object_new_string(d->text ? d->text : ""));
	json_object_object_add(o, "agg", json_object_new_string(kinds[d->agg_kind % 7]));
	json_object_object_add(o, "duration",
			       json_object_new_boolean(d->agg_src == LT_SRC_DURATION));
	for (size_t i = 0; i < n; i++)
		if (sorted[i]->desc == di && shown++ < WEB_TOP_N)
			json_object_array_add(keys, entry_json(cat, sorted[i]));
	json_object_object_add(o, "keys", json_object_new_uint64(shown));
	json_object_object_add(o, "top", keys);
	return o;
}

char *web_aggs_json(const struct metrics_snap *snap)
{
	struct json_object *root = json_object_new_object(), *aggs = json_object_new_array(),
			   *drops = json_object_new_object();
	struct agg_entry *e = NULL, **sorted = NULL, *all = NULL;
	size_t n = 0, total = 0;
	const char *text;
	char *out = NULL;

	if (snap && !agg_catalog_read(snap->cat, &e, &n)) {
		total = n + snap->ngiven;
		all = calloc(total + 1, sizeof(*all));
		sorted = calloc(total + 1, sizeof(*sorted));
		if (all && sorted) {
			if (n)
				memcpy(all, e, n * sizeof(*e));
			if (snap->ngiven)
				memcpy(all + n, snap->given, snap->ngiven * sizeof(*all));
			for (size_t i = 0; i < total; i++)
				sorted[i] = &all[i];
			if (total)
				qsort(sorted, total, sizeof(*sorted), by_count);
			for (size_t di = 0; di < snap->cat->n; di++)
				json_object_array_add(aggs, desc_json(snap->cat, di, sorted, total));
		}
	}
	if (snap) {
		for (int i = 0; i < LT_CNT_MAX; i++)
			json_object_object_add(drops, session_counter_name(i),
					       json_object_new_uint64(agg_catalog_counter(snap->cat, i)));
		json_object_object_add(root, "events", json_object_new_uint64(snap->cat->events));
		json_object_object_add(root, "lost_detached",
				       json_object_new_uint64(snap->cat->lost_detached));
	}
	json_object_object_add(root, "aggs", aggs);
	json_object_object_add(root, "drops", drops);
	if ((text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)))
		out = strdup(text);
	json_object_put(root);
	free(all);
	free(sorted);
	if (e)
		agg_entries_free(e, n);
	return out;
}
