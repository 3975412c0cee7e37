/* Spans' attributes and their memory (otlp_span.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "otlp_span.h"

struct otlp_span *otlp_span_new(const char *name)
{
	struct otlp_span *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	if (!(sp->name = strdup(name ? name : "?"))) {
		free(sp);
		return NULL;
	}
	sp->kind = OTLP_KIND_INTERNAL;
	return sp;
}

/* The next attribute slot, with its key copied; NULL on ENOMEM. */
static struct otlp_attr *add(struct otlp_span *sp, const char *key)
{
	struct otlp_attr *a;

	if (sp->nattrs == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 4;

		if (!(a = realloc(sp->attrs, cap * sizeof(*a))))
			return NULL;
		sp->attrs = a;
		sp->cap = cap;
	}
	a = &sp->attrs[sp->nattrs];
	memset(a, 0, sizeof(*a));
	if (!(a->key = strdup(key)))
		return NULL;
	sp->nattrs++;
	return a;
}

int otlp_span_str(struct otlp_span *sp, const char *key, const char *v, size_t len)
{
	struct otlp_attr *a = add(sp, key);

	if (!a)
		return -ENOMEM;
	a->type = OTLP_STR;
	if (!(a->s = strndup(v, len))) {
		free(a->key);
		sp->nattrs--;
		return -ENOMEM;
	}
	return 0;
}

/* A scalar attribute; 0 or -ENOMEM. */
static int scalar(struct otlp_span *sp, const char *key, enum otlp_attr_type type,
		  const struct otlp_attr *v)
{
	struct otlp_attr *a = add(sp, key);

	if (!a)
		return -ENOMEM;
	a->type = type;
	a->i = v->i;	/* the union's widest member: the value as given */
	return 0;
}

int otlp_span_int(struct otlp_span *sp, const char *key, int64_t v)
{
	return scalar(sp, key, OTLP_INT, &(struct otlp_attr){ .i = v });
}

int otlp_span_double(struct otlp_span *sp, const char *key, double v)
{
	return scalar(sp, key, OTLP_DOUBLE, &(struct otlp_attr){ .d = v });
}

int otlp_span_bool(struct otlp_span *sp, const char *key, bool v)
{
	return scalar(sp, key, OTLP_BOOL, &(struct otlp_attr){ .b = v });
}

int otlp_span_service(struct otlp_span *sp, const char *service)
{
	char *copy = strdup(service);

	if (!copy)
		return -ENOMEM;
	free(sp->service);
	sp->service = copy;
	return 0;
}

void otlp_span_free(struct otlp_span *sp)
{
	if (!sp)
		return;
	for (size_t i = 0; i < sp->nattrs; i++) {
		free(sp->attrs[i].key);
		if (sp->attrs[i].type == OTLP_STR)
			free(sp->attrs[i].s);
	}
	free(sp->attrs);
	free(sp->name);
	free(sp->service);
	free(sp->status_msg);
	free(sp->trace_state);
	free(sp);
}
