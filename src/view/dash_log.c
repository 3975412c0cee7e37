/* The dashboard's tap on the session's records (the script's callbacks run as without the
 * view): every record is counted and, while the view can show it, is
 * formatted into a bounded ring of lines. Past DASH_LOG_BUDGET lines per redraw period, or
 * while paused, records are counted as unshown, never queued: the cost of the view does
 * not grow with the event rate beyond a counter. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "dash_int.h"
#include "probe.h"

uint64_t dash_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

const char *dash_probe_label(struct session *s, uint32_t id)
{
	struct probe *p = session_probe(s, id);
	const char *colon, *slash;

	if (!p)
		return "?";
	if (p->name)
		return p->name;
	colon = strchr(p->text, ':');
	for (slash = colon; slash && slash > p->text && slash[-1] != '/'; slash--)
		;
	return slash && slash > p->text ? slash : p->text;
}

static void format(struct session *s, const struct lt_rec *rec, char *buf, size_t len)
{
	struct probe *p = session_probe(s, rec->probe);
	const char *name = dash_probe_label(s, rec->probe);
	const char *site = p && rec->site < p->nsites ? p->sites[rec->site].name : NULL;
	int n = snprintf(buf, len, "%10.3f %-15.15s %7u/%-7u %s%s%s", rec->ts / 1e9, rec->comm,
			 rec->pid, rec->tid, name, site && p->nsites > 1 ? " " : "",
			 site && p->nsites > 1 ? site : "");

	if (n < 0 || (size_t)n >= len)
		return;
	if (rec->type == LT_REC_CALL || rec->type == LT_REC_SYSCALL)
		snprintf(buf + n, len - n, "  %.3f us  ret=%" PRId64, rec->duration / 1e3,
			 (int64_t)rec->ret);
	else if (rec->type == LT_REC_RETURN)
		snprintf(buf + n, len - n, "  ret=%" PRId64, (int64_t)rec->ret);
}

void dash_log_tap(void *ctx, struct session *s, const struct lt_rec *rec)
{
	struct dash *d = ctx;
	struct dash_log *l = &d->log;

	d->events++;
	if (d->paused || !l->budget) {
		l->unshown++;
	} else {
		l->budget--;
		format(s, rec, l->line[l->added % DASH_LOG_LINES], DASH_LOG_WIDTH);
		l->added++;
		if (l->scroll) /* a reader scrolled back keeps their place */
			l->scroll++;
	}
}

const char *dash_log_line(const struct dash_log *l, uint64_t i)
{
	uint64_t held = l->added < DASH_LOG_LINES ? l->added : DASH_LOG_LINES;

	return i < held ? l->line[(l->added - 1 - i) % DASH_LOG_LINES] : NULL;
}

void dash_log_tick(struct dash_log *l)
{
	l->budget = DASH_LOG_BUDGET;
}
