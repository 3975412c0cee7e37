/* The /metrics endpoint (metrics.h): a listening socket we bind ourselves, handed to
 * libmicrohttpd, which serves it from one internal thread (http_serve.h): scrapes are
 * serialized and never run on the event loop. Every request needs "Authorization: Bearer
 * TOKEN". */
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <microhttpd.h>
#include "agg_snapshot.h"
#include "http_serve.h"
#include "mhd_lib.h"
#include "metrics.h"
#include "metrics_snapshot.h"
#include "otlp.h"
#include "prom_text.h"

/* How long a scrape waits for the loop's snapshot before it takes the last one: well
 * under a 1 s scrape interval's timeout. */
#define SNAPSHOT_WAIT_MS 250

struct metrics {
	struct MHD_Daemon *d;
	struct snapper *sn;
	char token[256];
	size_t max_series;
	/* the scrape thread's own (scrapes are serialized by MHD's single thread) */
	uint64_t scrapes, cut_total;
	double last_seconds;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void own_metrics(FILE *f, struct metrics *m, const struct prom_counts *pc)
{
	char v[64];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)pc->series);
	prom_write_own(f, "ltrace_exporter_series", "gauge",
		       "Label sets of aggregates in this scrape.", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)m->cut_total);
	prom_write_own(f, "ltrace_exporter_series_cut_total", "counter",
		       "Label sets left out of scrapes by the cap (--metrics-max-series), summed "
		       "over scrapes.", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)pc->cut);
	prom_write_own(f, "ltrace_exporter_series_cut", "gauge",
		       "Label sets left out of this scrape by the cap.", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)m->scrapes);
	prom_write_own(f, "ltrace_exporter_scrapes_total", "counter", "Scrapes served.", v);
	snprintf(v, sizeof(v), "%.6f", m->last_seconds);
	prom_write_own(f, "ltrace_exporter_last_scrape_duration_seconds", "gauge",
		       "Time the previous scrape took to read the maps and write the text.", v);
	otlp_write_prom(f);	/* --otlp's counters, when it is on */
}

/* The page: aggregates, the session's counters, the exporter's own. NULL on ENOMEM. */
static char *scrape(struct metrics *m, size_t *len)
{
	struct metrics_snap *snap = snapper_get(m->sn, SNAPSHOT_WAIT_MS);
	struct prom_counts pc = {};
	struct agg_entry *e = NULL;
	double t0 = now_s();
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	size_t n = 0;

	if (!f) {
		snapper_put(m->sn, snap);
		return NULL;
	}
	if (snap && !agg_catalog_read(snap->cat, &e, &n)) {
		/* the maps' entries and the loop's copies, ordered by desc for the writer */
		struct agg_entry *all = calloc(n + snap->ngiven + 1, sizeof(*all));

		if (all) {
			if (n)
				memcpy(all, e, n * sizeof(*e));
			if (snap->ngiven)
				memcpy(all + n, snap->given, snap->ngiven * sizeof(*all));
			agg_entries_order(all, n + snap->ngiven);
			prom_write_aggs(f, snap->cat, snap->meta, all, n + snap->ngiven,
					m->max_series, &pc);
			free(all);
		}
		agg_entries_free(e, n);
	}
	if (snap)
		prom_write_session(f, snap->cat, snap->meta);
	m->scrapes++;
	m->cut_total += pc.cut;
	own_metrics(f, m, &pc);
	m->last_seconds = now_s() - t0;
	snapper_put(m->sn, snap);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **req)
{
	struct metrics *m = cls;
	char *body;
	size_t len;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return http_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n", 13,
			     MHD_RESPMEM_PERSISTENT, HTTP_TEXT_PLAIN);
	if (!http_bearer_ok(m->token, mhd()->MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								  MHD_HTTP_HEADER_AUTHORIZATION)))
		return http_reply(c, MHD_HTTP_UNAUTHORIZED, "Authorization: Bearer TOKEN needed\n", 35,
			     MHD_RESPMEM_PERSISTENT, HTTP_TEXT_PLAIN);
	if (strcmp(url, "/metrics"))
		return http_reply(c, MHD_HTTP_NOT_FOUND, "see /metrics\n", 13, MHD_RESPMEM_PERSISTENT,
			     HTTP_TEXT_PLAIN);
	if (!(body = scrape(m, &len)))
		return http_reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", 14,
			     MHD_RESPMEM_PERSISTENT, HTTP_TEXT_PLAIN);
	return http_reply(c, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE,
		     "text/plain; version=0.0.4; charset=utf-8");
}

struct metrics *metrics_open(const struct metrics_opts *o)
{
	struct http_listen_opts lo = { .flag = "--metrics", .addr = o->addr,
				       .public_ok = o->public_ok,
				       .public_flag = "--metrics-public", .path = "/metrics" };
	static const struct MHD_OptionItem more[] = {
		{ MHD_OPTION_CONNECTION_LIMIT, 16, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, 10, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct metrics *m = calloc(1, sizeof(*m));
	char url[NI_MAXHOST + 64];
	int fd;

	if (!m || !(m->sn = snapper_new()) ||
	    http_token_init("--metrics-token-file", o->token_file, "LTRACE_EBPF_METRICS_TOKEN",
			    m->token, sizeof(m->token)) ||
	    (fd = http_listen(&lo, url, sizeof(url))) < 0)
		goto fail;
	m->max_series = o->max_series ? o->max_series : METRICS_MAX_SERIES_DEFAULT;
	if (!(m->d = http_start(&lo, fd, 0, NULL, NULL, on_request, m, more)))
		goto fail;
	fprintf(stderr, "ltrace-ebpf: metrics at %s (Authorization: Bearer %s)\n", url, m->token);
	return m;
fail:
	if (m)
		snapper_free(m->sn);
	free(m);
	return NULL;
}

int metrics_attach(struct metrics *m, struct session *s)
{
	return m ? snapper_attach(m->sn, s) : 0;
}

void metrics_refresh(struct metrics *m)
{
	if (m)
		snapper_refresh(m->sn);
}

void metrics_close(struct metrics *m)
{
	if (!m)
		return;
	mhd()->MHD_stop_daemon(m->d);	/* joins its thread: no scrape runs past this */
	snapper_free(m->sn);
	free(m);
}
