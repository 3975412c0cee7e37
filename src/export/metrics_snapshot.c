/* The loop-to-scrape hand-off (metrics_snapshot.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "agg_snapshot.h"
#include "loop.h"
#include "metrics_snapshot.h"
#include "metrics_stacks.h"
#include "prom_names.h"
#include "prom_text.h"
#include "session.h"

struct snapper {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int efd;
	uint64_t asked, answered;	/* requests written to efd / snapshots taken since */
	struct metrics_snap *cur;
	struct session *s;
};

struct snapper *snapper_new(void)
{
	struct snapper *sn = calloc(1, sizeof(*sn));
	pthread_condattr_t ca;

	if (!sn)
		return NULL;
	pthread_mutex_init(&sn->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sn->cv, &ca);
	pthread_condattr_destroy(&ca);
	sn->efd = -1;
	return sn;
}

static void snap_free(struct metrics_snap *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; snap->meta && i < snap->cat->n; i++)
		prom_conf_free(&snap->meta[i]);
	free(snap->meta);
	agg_entries_free(snap->given, snap->ngiven);
	agg_catalog_free(snap->cat);
	free(snap);
}

static char *default_help(const struct agg_desc *d)
{
	static const char *const kinds[] = { "", "count", "sum", "min", "max", "stats", "hist" };
	char of[32], *out;

	if (d->agg_kind == LT_AGG_COUNT)
		snprintf(of, sizeof(of), "events");
	else if (d->agg_src == LT_SRC_DURATION)
		snprintf(of, sizeof(of), "duration (seconds)");
	else if (d->agg_src == LT_SRC_RET)
		snprintf(of, sizeof(of), "the return value");
	else
		snprintf(of, sizeof(of), "argument %d", d->agg_src - LT_SRC_ARG1 + 1);
	if (asprintf(&out, "In-kernel %s of %s at %s.", kinds[d->agg_kind % 7], of, d->text) < 0)
		return NULL;
	return out;
}

/* Another aggregate already has this stem with another kind, unit or sign: its families
 * would clash (one TYPE per name), so this one's stem gets its probe id. */
static bool stem_clash(const struct metrics_snap *snap, size_t i)
{
	const struct agg_desc *d = &snap->cat->d[i];

	for (size_t j = 0; j < i; j++) {
		const struct agg_desc *o = &snap->cat->d[j];

		if (!strcmp(snap->meta[j].name, snap->meta[i].name) &&
		    (o->agg_kind != d->agg_kind || prom_is_duration(o) != prom_is_duration(d) ||
		     o->is_signed != d->is_signed))
			return true;
	}
	return false;
}

static int meta_fill(struct metrics_snap *snap, size_t i)
{
	const struct agg_desc *d = &snap->cat->d[i];
	struct prom_conf *m = &snap->meta[i];
	char *help = default_help(d), *renamed;
	int rc = help ? prom_conf_resolve(d, prom_conf_of(d), help, m) : -ENOMEM;

	free(help);
	if (rc || !stem_clash(snap, i))
		return rc;
	if (asprintf(&renamed, "%s_%u", m->name, d->id) < 0)
		return -ENOMEM;
	free(m->name);
	m->name = renamed;
	return 0;
}

/* The aggregates kept in Lua, after the kernel's: their descs, confs (taken over) and values. */
static int add_extra(struct metrics_snap *snap)
{
	struct agg_catalog *cat = snap->cat;
	size_t base = cat->n;
	struct prom_extra x;
	struct agg_desc *d;
	struct prom_conf *m;
	int rc = prom_extra_take(&x);

	if (rc || !x.n) {
		prom_extra_free(&x);
		return rc;
	}
	d = realloc(cat->d, (base + x.n) * sizeof(*d));
	if (d)
		cat->d = d;
	m = d ? realloc(snap->meta, (base + x.n + 1) * sizeof(*m)) : NULL;
	if (m)
		snap->meta = m;
	if (!d || !m) {
		prom_extra_free(&x);
		return -ENOMEM;
	}
	for (size_t i = 0; i < x.n; i++) {
		cat->d[base + i] = x.d[i];
		snap->meta[base + i] = x.conf[i];
		cat->n++;
		if (stem_clash(snap, base + i)) {	/* never a kernel aggregate's families */
			char *renamed;

			if (asprintf(&renamed, "%s_lua%zu", snap->meta[base + i].name, i) < 0)
				renamed = NULL;
			free(snap->meta[base + i].name);
			snap->meta[base + i].name = renamed;
		}
	}
	for (size_t j = 0; j < x.ne; j++)
		x.e[j].desc += base;
	snap->given = x.e;
	snap->ngiven = x.ne;
	free(x.d);
	free(x.conf);
	for (size_t i = base; i < cat->n; i++)
		if (!snap->meta[i].name)
			return -ENOMEM;
	return 0;
}

static struct metrics_snap *snap_take(struct session *s)
{
	struct metrics_snap *snap = calloc(1, sizeof(*snap));

	if (!snap || !(snap->cat = agg_catalog_new(s)) ||
	    !(snap->meta = calloc(snap->cat->n + 1, sizeof(*snap->meta))))
		goto fail;
	for (size_t i = 0; i < snap->cat->n; i++)
		if (meta_fill(snap, i))
			goto fail;
	if (add_extra(snap) || metrics_stacks_add(snap, s))
		goto fail;
	snap->refs = 1;
	return snap;
fail:
	snap_free(snap);
	return NULL;
}

static void publish(struct snapper *sn, struct metrics_snap *snap, uint64_t asked)
{
	struct metrics_snap *old = NULL;

	pthread_mutex_lock(&sn->mu);
	if (snap) {
		old = sn->cur;
		sn->cur = snap;
		if (old && --old->refs)
			old = NULL;	/* a scrape still reads it: the last put frees it */
	}
	sn->answered = asked;
	pthread_cond_broadcast(&sn->cv);
	pthread_mutex_unlock(&sn->mu);
	snap_free(old);
}

void snapper_refresh(struct snapper *sn)
{
	uint64_t asked;

	if (!sn->s)
		return;
	pthread_mutex_lock(&sn->mu);
	asked = sn->asked;
	pthread_mutex_unlock(&sn->mu);
	publish(sn, snap_take(sn->s), asked);
}

static void on_request(void *ctx, int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) == sizeof(n))
		snapper_refresh(ctx);
}

int snapper_attach(struct snapper *sn, struct session *s)
{
	int rc;

	sn->s = s;
	if ((sn->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return -errno;
	if ((rc = loop_add_fd(s->loop, sn->efd, on_request, sn)))
		return rc;
	snapper_refresh(sn);
	return 0;
}

struct metrics_snap *snapper_get(struct snapper *sn, int wait_ms)
{
	struct metrics_snap *snap;
	struct timespec until;
	uint64_t one = 1, mine;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += (long)wait_ms * 1000000;
	until.tv_sec += until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	pthread_mutex_lock(&sn->mu);
	mine = ++sn->asked;
	if (sn->efd >= 0 && write(sn->efd, &one, sizeof(one)) == sizeof(one))
		while (sn->answered < mine &&
		       pthread_cond_timedwait(&sn->cv, &sn->mu, &until) != ETIMEDOUT)
			;
	if ((snap = sn->cur))
		snap->refs++;
	pthread_mutex_unlock(&sn->mu);
	return snap;
}

void snapper_put(struct snapper *sn, struct metrics_snap *snap)
{
	bool last;

	if (!snap)
		return;
	pthread_mutex_lock(&sn->mu);
	last = !--snap->refs;
	pthread_mutex_unlock(&sn->mu);
	if (last)
		snap_free(snap);
}

void snapper_free(struct snapper *sn)
{
	if (!sn)
		return;
	if (sn->efd >= 0) {
		if (sn->s)
			loop_del_fd(sn->s->loop, sn->efd);
		close(sn->efd);
	}
	snapper_put(sn, sn->cur);
	pthread_cond_destroy(&sn->cv);
	pthread_mutex_destroy(&sn->mu);
	free(sn);
}
