/* The /metrics endpoint (metrics.h): a listening socket we bind ourselves (so a bad
 * address or a port in use is reported with its errno before anything starts), handed to
 * libmicrohttpd, which serves it from one internal thread: scrapes are serialized and never
 * run on the event loop. Every request needs "Authorization: Bearer TOKEN". */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "agg_snapshot.h"
#include "metrics.h"
#include "metrics_snapshot.h"
#include "otlp.h"
#include "prom_text.h"
#include "safe_file.h"

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

static void fail(const char *addr, const char *what)
{
	fprintf(stderr, "ltrace-ebpf: --metrics %s: %s\n", addr, what);
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" (host 127.0.0.1). */
static int parse_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *given = text;
	char host[256] = "127.0.0.1", *end;
	const char *colon = strrchr(text, ':'), *port = colon ? colon + 1 : text;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV },
			*res;
	long p = strtol(port, &end, 10);
	size_t hl = colon ? (size_t)(colon - text) : 0;

	if (!*port || *end || p < 0 || p > 65535) {
		fail(text, "expected HOST:PORT with a port 0..65535 (e.g. 127.0.0.1:9464)");
		return -EINVAL;
	}
	if (hl >= 2 && text[0] == '[' && text[hl - 1] == ']')
		text++, hl -= 2;
	if (hl >= sizeof(host)) {
		fail(given, "host name too long");
		return -EINVAL;
	}
	if (hl) {
		memcpy(host, text, hl);
		host[hl] = '\0';
	}
	if (getaddrinfo(host, port, &hints, &res) || !res) {
		fail(given, "not an address this host can bind");
		return -EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static bool loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* The bound socket (fd) and its URL, or -errno after one line on stderr. */
static int listen_on(const char *text, const struct metrics_opts *o, char *url, size_t ulen)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (parse_addr(text, &ss, &len))
		return -EINVAL;
	if (!loopback(&ss) && !o->public_ok) {
		fail(text, "not a loopback address: add --metrics-public to serve it to the "
			   "network (the token is then all that guards it)");
		return -EPERM;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fail(text, strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		int err = errno;

		fail(text, strerror(err));
		close(fd);
		return -err;
	}
	getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(url, ulen, ss.ss_family == AF_INET6 ? "http://[%s]:%s/metrics" :
			    "http://%s:%s/metrics", host, port);
	return fd;
}

static int read_token(const struct metrics_opts *o, char *out, size_t len)
{
	const char *env = getenv("LTRACE_EBPF_METRICS_TOKEN");
	unsigned char raw[24];
	size_t n;

	if (o->token_file) {
		char *text;
		int rc = sf_read_all(o->token_file, 4096, &text, &n);

		if (rc) {
			fprintf(stderr, "ltrace-ebpf: --metrics-token-file %s: %s\n", o->token_file,
				sf_strerror(rc));
			return rc;
		}
		while (n && strchr(" \t\r\n", text[n - 1]))
			n--;	/* a file written by echo ends with a newline */
		snprintf(out, len, "%.*s", (int)(n < len ? n : len), text);
		free(text);
		if (n >= len)
			out[0] = '\0';	/* too long: refused below */
	} else if (env) {
		snprintf(out, len, "%s", strlen(env) < len ? env : "");
	} else {
		if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
			return -errno;
		for (size_t i = 0; i < sizeof(raw); i++)
			snprintf(out + 2 * i, len - 2 * i, "%02x", raw[i]);
	}
	if (strlen(out) < 16 || strcspn(out, " \t\r\n") != strlen(out)) {
		fprintf(stderr, "ltrace-ebpf: the metrics token must be 16 to 255 characters "
			"without blanks\n");
		return -EINVAL;
	}
	return 0;
}

/* Compares every byte whatever the first difference: the time taken tells nothing. */
static bool token_ok(const struct metrics *m, const char *header)
{
	const char *want = m->token;
	size_t n = strlen(want), got;
	unsigned char diff = 0;

	if (!header || strncmp(header, "Bearer ", 7))
		return false;
	header += 7;
	got = strlen(header);
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(want[i] ^ (i < got ? header[i] : 0));
	return !diff && got == n;
}

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

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

#define TEXT_PLAIN "text/plain; charset=utf-8"

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **req)
{
	struct metrics *m = cls;
	char *body;
	size_t len;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n", 13,
			     MHD_RESPMEM_PERSISTENT, TEXT_PLAIN);
	if (!token_ok(m, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_AUTHORIZATION)))
		return reply(c, MHD_HTTP_UNAUTHORIZED, "Authorization: Bearer TOKEN needed\n", 35,
			     MHD_RESPMEM_PERSISTENT, TEXT_PLAIN);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "see /metrics\n", 13, MHD_RESPMEM_PERSISTENT,
			     TEXT_PLAIN);
	if (!(body = scrape(m, &len)))
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", 14,
			     MHD_RESPMEM_PERSISTENT, TEXT_PLAIN);
	return reply(c, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE,
		     "text/plain; version=0.0.4; charset=utf-8");
}

struct metrics *metrics_open(const struct metrics_opts *o)
{
	struct metrics *m = calloc(1, sizeof(*m));
	sigset_t all, old;
	char url[NI_MAXHOST + 64];
	int fd = -1;

	if (!m || !(m->sn = snapper_new()) || read_token(o, m->token, sizeof(m->token)) ||
	    (fd = listen_on(o->addr, o, url, sizeof(url))) < 0)
		goto fail;
	m->max_series = o->max_series ? o->max_series : METRICS_MAX_SERIES_DEFAULT;
	/* The thread must take no signal: the loop reads them from a signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* epoll: the session may hold more than FD_SETSIZE fds (a link per probe site) */
	m->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, m,
				MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 16,
				MHD_OPTION_CONNECTION_TIMEOUT, 10, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!m->d) {
		fail(o->addr, "the HTTP server (libmicrohttpd) did not start");
		goto fail;
	}
	fprintf(stderr, "ltrace-ebpf: metrics at %s (Authorization: Bearer %s)\n", url, m->token);
	return m;
fail:
	if (fd >= 0)
		close(fd);
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
	MHD_stop_daemon(m->d);	/* joins its thread: no scrape runs past this */
	snapper_free(m->sn);
	free(m);
}
