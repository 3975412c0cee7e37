/* otlp_nest.h: per thread, a list of returned calls without a parent (disjoint intervals
 * in the order they returned), each with the spans of its subtree. */
#include <stdlib.h>
#include <string.h>
#include "trace_ids.h"
#include "otlp_nest.h"

struct pending {
	struct otlp_span *sp;
	struct otlp_span **tree;	/* its descendants */
	size_t ntree, cap;
};

struct thread {
	uint32_t tid;
	struct pending *v;	/* by return order */
	size_t n, cap;
	size_t nspans;		/* in v and their trees */
	struct thread *next;
};

#define BUCKETS 256

struct otlp_nest {
	struct thread *bucket[BUCKETS];
	otlp_emit_fn emit;
	void *ctx;
	bool has_parent;
	uint8_t trace_id[16], parent_id[8];
};

struct otlp_nest *otlp_nest_new(otlp_emit_fn emit, void *ctx)
{
	struct otlp_nest *n = calloc(1, sizeof(*n));

	if (n) {
		n->emit = emit;
		n->ctx = ctx;
	}
	return n;
}

void otlp_nest_set_parent(struct otlp_nest *n, const uint8_t *trace_id, const uint8_t *span_id)
{
	n->has_parent = trace_id && span_id;
	if (n->has_parent) {
		memcpy(n->trace_id, trace_id, 16);
		memcpy(n->parent_id, span_id, 8);
	}
}

static struct thread *thread_of(struct otlp_nest *n, uint32_t tid)
{
	struct thread **b = &n->bucket[tid % BUCKETS], *t;

	for (t = *b; t; t = t->next)
		if (t->tid == tid)
			return t;
	if (!(t = calloc(1, sizeof(*t))))
		return NULL;
	t->tid = tid;
	t->next = *b;
	*b = t;
	return t;
}

/* The tree of p as one trace: a new one, or the script's traceparent's. */
static void release(struct otlp_nest *n, struct pending *p)
{
	uint8_t trace[16];

	if (n->has_parent) {
		memcpy(trace, n->trace_id, 16);
		memcpy(p->sp->parent_id, n->parent_id, 8);
		p->sp->has_parent = true;
	} else {
		trace_random_id(trace, 16);
	}
	memcpy(p->sp->trace_id, trace, 16);
	n->emit(n->ctx, p->sp);
	for (size_t i = 0; i < p->ntree; i++) {
		memcpy(p->tree[i]->trace_id, trace, 16);
		n->emit(n->ctx, p->tree[i]);
	}
	free(p->tree);
}

static bool tree_add(struct pending *p, struct otlp_span *sp)
{
	if (p->ntree == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		struct otlp_span **t = realloc(p->tree, cap * sizeof(*t));

		if (!t)
			return false;
		p->tree = t;
		p->cap = cap;
	}
	p->tree[p->ntree++] = sp;
	return true;
}

/* sp joins p's tree; out of memory, it goes now, in a trace of its own (its parent's is
 * not known yet) rather than being lost. */
static void keep(struct otlp_nest *n, struct pending *p, struct otlp_span *sp)
{
	if (tree_add(p, sp))
		return;
	trace_random_id(sp->trace_id, 16);
	n->emit(n->ctx, sp);
}

/* Releases the oldest k pending of t. */
static void release_first(struct otlp_nest *n, struct thread *t, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		t->nspans -= 1 + t->v[i].ntree;
		release(n, &t->v[i]);
	}
	memmove(t->v, t->v + k, (t->n - k) * sizeof(*t->v));
	t->n -= k;
}

void otlp_nest_add(struct otlp_nest *n, uint32_t tid, struct otlp_span *sp)
{
	struct thread *t = thread_of(n, tid);
	struct pending p = { .sp = sp };
	size_t k;

	if (t && t->n == t->cap) {
		struct pending *v = realloc(t->v, (t->cap * 2 + 8) * sizeof(*v));

		if (v) {
			t->v = v;
			t->cap = t->cap * 2 + 8;
		}
	}
	if (!t || t->n == t->cap) {
		release(n, &p);	/* out of memory: sent as a root, not lost */
		return;
	}
	/* The calls that started after this one (and returned before it): its children. */
	for (k = t->n; k > 0 && t->v[k - 1].sp->start_ns >= sp->start_ns; k--)
		;
	for (size_t i = k; i < t->n; i++) {
		struct pending *c = &t->v[i];

		memcpy(c->sp->parent_id, sp->span_id, 8);
		c->sp->has_parent = true;
		keep(n, &p, c->sp);
		for (size_t j = 0; j < c->ntree; j++)
			keep(n, &p, c->tree[j]);
		free(c->tree);
	}
	t->n = k;
	t->v[t->n++] = p;
	t->nspans++;
	if (t->nspans > OTLP_NEST_MAX_SPANS)
		release_first(n, t, t->n > 1 ? t->n - 1 : 1);
}

void otlp_nest_age(struct otlp_nest *n, uint64_t now, uint64_t hold_ms)
{
	uint64_t hold = hold_ms * 1000000;

	for (int b = 0; b < BUCKETS; b++) {
		for (struct thread *t = n->bucket[b]; t; t = t->next) {
			size_t k = 0;

			while (k < t->n && (!now || t->v[k].sp->end_ns + hold <= now))
				k++;
			if (k)
				release_first(n, t, k);
		}
	}
}

void otlp_nest_free(struct otlp_nest *n)
{
	if (!n)
		return;
	otlp_nest_age(n, 0, 0);
	for (int b = 0; b < BUCKETS; b++) {
		struct thread *t = n->bucket[b], *next;

		for (; t; t = next) {
			next = t->next;
			free(t->v);
			free(t);
		}
	}
	free(n);
}
