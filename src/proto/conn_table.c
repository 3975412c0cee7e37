/* A chained hash of connections (conn_table.h). Eviction scans for the oldest entry: it
 * runs only when the table is full, which the limit makes rare. */
#include <stdlib.h>
#include "conn_table.h"

static uint64_t key_of(int pid, int fd, int tls)
{
	return (uint64_t)(uint32_t)pid << 32 | (uint64_t)(uint32_t)fd << 1 | (tls != 0);
}

static size_t slot(const struct conn_table *t, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) % t->nbuckets;
}

int conn_table_init(struct conn_table *t, size_t max)
{
	t->nbuckets = max < 64 ? 64 : max;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	t->count = 0;
	t->max = max;
	t->evicted = 0;
	return t->buckets ? 0 : -1;
}

void conn_table_free(struct conn_table *t)
{
	for (size_t i = 0; t->buckets && i < t->nbuckets; i++) {
		struct conn_entry *e = t->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
}

struct conn_entry *conn_table_find(struct conn_table *t, int pid, int fd, int tls)
{
	uint64_t key = key_of(pid, fd, tls);

	for (struct conn_entry *e = t->buckets[slot(t, key)]; e; e = e->next)
		if (e->key == key)
			return e;
	return NULL;
}

void conn_table_remove(struct conn_table *t, struct conn_entry *e)
{
	struct conn_entry **p = &t->buckets[slot(t, e->key)];

	for (; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			t->count--;
			return;
		}
}

static struct conn_entry *oldest(struct conn_table *t)
{
	struct conn_entry *best = NULL;

	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct conn_entry *e = t->buckets[i]; e; e = e->next)
			if (!best || e->last_ts < best->last_ts)
				best = e;
	return best;
}

struct conn_entry *conn_table_add(struct conn_table *t, int pid, int fd, int tls,
				  struct conn_entry **evicted)
{
	struct conn_entry *e = calloc(1, sizeof(*e));
	size_t s;

	*evicted = NULL;
	if (!e)
		return NULL;
	if (t->count >= t->max && (*evicted = oldest(t))) {
		conn_table_remove(t, *evicted);
		t->evicted++;
	}
	e->key = key_of(pid, fd, tls);
	e->pid = pid;
	e->fd = fd;
	e->tls = tls;
	s = slot(t, e->key);
	e->next = t->buckets[s];
	t->buckets[s] = e;
	t->count++;
	return e;
}

void conn_table_each(struct conn_table *t, void (*fn)(struct conn_entry *, void *), void *ctx)
{
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct conn_entry *e = t->buckets[i]; e; e = e->next)
			fn(e, ctx);
}
