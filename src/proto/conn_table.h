/* The connections being followed, by (pid, fd, TLS or not): each a socket's ends and its
 * HTTP/1 state. Bounded: at the limit, the connection idle longest is forgotten (its
 * requests in flight reported unanswered by the caller's eviction hook). */
#ifndef LT_CONN_TABLE_H
#define LT_CONN_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "http_conn.h"
#include "sockinfo.h"

struct conn_entry {
	struct conn_entry *next;
	uint64_t key;
	uint64_t last_ts;
	int pid, fd, tls;
	struct sockinfo sock;
	struct http_conn http;
};

struct conn_table {
	struct conn_entry **buckets;
	size_t nbuckets, count, max;
	uint64_t evicted;
};

int conn_table_init(struct conn_table *t, size_t max);
void conn_table_free(struct conn_table *t);
struct conn_entry *conn_table_find(struct conn_table *t, int pid, int fd, int tls);
/* A new zeroed entry for (pid, fd, tls), or NULL when out of memory. At the limit,
 * *evicted is the entry that made room (to be reported, then freed), else NULL. */
struct conn_entry *conn_table_add(struct conn_table *t, int pid, int fd, int tls,
				  struct conn_entry **evicted);
/* Unlinks e (the caller frees it). */
void conn_table_remove(struct conn_table *t, struct conn_entry *e);
/* Calls fn for every entry (fn may not change the table). */
void conn_table_each(struct conn_table *t, void (*fn)(struct conn_entry *, void *), void *ctx);

#endif
