/* The OTLP sender (otlp.h): a thread that takes batches off the queue, encodes them
 * (otlp_body.c) and POSTs them with libcurl, retrying with exponential backoff. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "curl_lib.h"
#include "otlp.h"
#include "otlp_body.h"
#include "otlp_queue.h"
#include "prom_text.h"

struct otlp {
	char *url;		/* URL/v1/traces */
	char host[256];		/* host.name */
	struct otlp_queue q;
	pthread_t thread;
	bool started;
	_Atomic uint64_t flush_until_ns;	/* at the end: no request runs past this */
	/* counters: queued and dropped_full are the loop's, the rest the sender's */
	_Atomic uint64_t queued, sent, dropped_full, dropped_failed, requests, retries;
};

static _Atomic(struct otlp *) current;	/* for --metrics: the open sender */
static const struct curl_lib *C;	/* libcurl, loaded by otlp_open (curl_lib.h) */

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The traces endpoint: URL's path with /v1/traces added (OTLP/HTTP's rule for a base
 * endpoint), or NULL after a line on stderr when URL is no http(s) URL with a host. */
static char *endpoint(const char *url)
{
	CURLU *u = C->curl_url();
	char *scheme = NULL, *host = NULL, *path = NULL, *out = NULL;
	CURLUcode rc = u ? C->curl_url_set(u, CURLUPART_URL, url, 0) : CURLUE_OUT_OF_MEMORY;

	if (rc == CURLUE_OK && !C->curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
	    (!strcmp(scheme, "http") || !strcmp(scheme, "https")) &&
	    !C->curl_url_get(u, CURLUPART_HOST, &host, 0) && *host &&
	    !C->curl_url_get(u, CURLUPART_PATH, &path, 0)) {
		size_t len = strlen(path);
		char *full;

		while (len && path[len - 1] == '/')
			len--;
		if (asprintf(&full, "%.*s/v1/traces", (int)len, path) > 0) {
			if (!C->curl_url_set(u, CURLUPART_PATH, full, 0))
				C->curl_url_get(u, CURLUPART_URL, &out, 0);
			free(full);
		}
	} else {
		fprintf(stderr, "ltrace-ebpf: --otlp '%s': expected an http:// or https:// URL with "
			"a host (e.g. http://127.0.0.1:4318)%s%s\n", url, rc ? ": " : "",
			rc ? C->curl_url_strerror(rc) : "");
	}
	C->curl_free(scheme);
	C->curl_free(host);
	C->curl_free(path);
	C->curl_url_cleanup(u);
	if (!out)
		return NULL;
	char *copy = strdup(out);	/* freed with free(), not C->curl_free() */

	C->curl_free(out);
	return copy;
}

/* Aborts a transfer that would run past the end's flush deadline (a slow receiver). */
static int progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct otlp *o = ctx;
	uint64_t until = atomic_load(&o->flush_until_ns);

	return until && mono_ns() > until;
}

static size_t discard(char *ptr, size_t size, size_t n, void *ctx)
{
	return size * n;	/* the response (an ExportTraceServiceResponse) is not used */
}

/* One POST: the HTTP status, or 0 for a failure before one (connection, timeout). */
static long post(struct otlp *o, CURL *c, const char *body, size_t len)
{
	long code = 0;

	C->curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	C->curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	atomic_fetch_add(&o->requests, 1);
	if (C->curl_easy_perform(c) == CURLE_OK)
		C->curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

/* OTLP/HTTP: 429, 502, 503 and 504 are worth another try; so is any 5xx and a request
 * that got no answer. Other codes are final. */
static bool retryable(long code)
{
	return !code || code == 429 || code >= 500;
}

static bool past_flush(struct otlp *o)
{
	uint64_t until = atomic_load(&o->flush_until_ns);

	return until && mono_ns() > until;
}

static void send_batch(struct otlp *o, CURL *c, struct otlp_span **spans, size_t n)
{
	size_t len;
	char *body = otlp_body(spans, n, o->host, &len);
	unsigned backoff = OTLP_BACKOFF_MS;
	long code = 0;

	for (int try = 0; body && try < OTLP_TRIES; try++) {
		if (try) {
			/* jitter of up to a quarter, so that senders restarted together spread */
			unsigned ms = backoff + (unsigned)(random() % (backoff / 4 + 1));
			uint64_t until = atomic_load(&o->flush_until_ns);

			if (until && mono_ns() + (uint64_t)ms * 1000000 > until)
				break;	/* the end's flush has no time left for it */
			atomic_fetch_add(&o->retries, 1);
			otlp_queue_nap(&o->q, ms);	/* the end cuts it short: one try more */
			backoff *= 2;
		}
		if (past_flush(o))
			break;
		code = post(o, c, body, len);
		if (!retryable(code))
			break;
	}
	if (code >= 200 && code < 300)
		atomic_fetch_add(&o->sent, n);
	else
		atomic_fetch_add(&o->dropped_failed, n);
	free(body);
	for (size_t i = 0; i < n; i++)
		otlp_span_free(spans[i]);
}

static void *sender(void *arg)
{
	struct otlp *o = arg;
	struct otlp_span **batch = calloc(OTLP_BATCH_SPANS, sizeof(*batch));
	struct curl_slist *hdr = C->curl_slist_append(NULL, "Content-Type: application/json");
	CURL *c = C->curl_easy_init();
	size_t n;

	if (!batch || !hdr || !c) {
		fprintf(stderr, "ltrace-ebpf: otlp: out of memory; no span will be sent\n");
		otlp_queue_stop(&o->q);
	} else {
		C->curl_easy_setopt(c, CURLOPT_URL, o->url);
		C->curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		C->curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);	/* threads: no SIGALRM for DNS */
		C->curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
		C->curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
		C->curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
		C->curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		C->curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
		C->curl_easy_setopt(c, CURLOPT_XFERINFODATA, o);
		C->curl_easy_setopt(c, CURLOPT_USERAGENT, "ltrace-ebpf");
	}
	while (batch && c && (n = otlp_queue_take(&o->q, batch, OTLP_BATCH_SPANS,
						  OTLP_BATCH_WAIT_MS))) {
		if (past_flush(o)) {	/* the end's deadline passed: the rest is dropped */
			atomic_fetch_add(&o->dropped_failed, n);
			for (size_t i = 0; i < n; i++)
				otlp_span_free(batch[i]);
			continue;
		}
		send_batch(o, c, batch, n);
	}
	C->curl_easy_cleanup(c);
	C->curl_slist_free_all(hdr);
	free(batch);
	return NULL;
}

struct otlp *otlp_open(const char *url)
{
	struct otlp *o;

	if (!C && !(C = curl_lib()))
		return NULL;
	if (C->curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fprintf(stderr, "ltrace-ebpf: --otlp: libcurl failed to initialize\n");
		return NULL;
	}
	if (!(o = calloc(1, sizeof(*o))) || !(o->url = endpoint(url)) ||
	    otlp_queue_init(&o->q, OTLP_QUEUE_SPANS, OTLP_BATCH_SPANS)) {
		if (o && o->url)
			fprintf(stderr, "ltrace-ebpf: --otlp: out of memory\n");
		if (o)
			free(o->url);
		free(o);
		return NULL;
	}
	if (gethostname(o->host, sizeof(o->host) - 1))
		strcpy(o->host, "localhost");
	if (pthread_create(&o->thread, NULL, sender, o)) {
		fprintf(stderr, "ltrace-ebpf: --otlp: cannot start the sender thread\n");
		otlp_queue_destroy(&o->q);
		free(o->url);
		free(o);
		return NULL;
	}
	pthread_setname_np(o->thread, "ltrace-otlp");	/* top -H, perf --comm */
	o->started = true;
	atomic_store(&current, o);
	return o;
}

void otlp_submit(struct otlp *o, struct otlp_span *sp)
{
	if (otlp_queue_push(&o->q, sp)) {
		atomic_fetch_add(&o->queued, 1);
		return;
	}
	atomic_fetch_add(&o->dropped_full, 1);
	otlp_span_free(sp);
}

void otlp_get_stats(struct otlp *o, struct otlp_stats *s)
{
	*s = (struct otlp_stats){ .queued = o->queued, .sent = o->sent,
				  .dropped_full = o->dropped_full,
				  .dropped_failed = o->dropped_failed, .requests = o->requests,
				  .retries = o->retries };
}

void otlp_close(struct otlp *o)
{
	struct otlp_stats s;

	if (!o)
		return;
	atomic_store(&current, NULL);
	atomic_store(&o->flush_until_ns, mono_ns() + (uint64_t)OTLP_FLUSH_MS * 1000000);
	otlp_queue_stop(&o->q);
	pthread_join(o->thread, NULL);
	otlp_get_stats(o, &s);
	fprintf(stderr, "ltrace-ebpf: otlp: %llu spans, %llu sent to %s in %llu requests, %llu "
		"dropped (%llu queue full, %llu undeliverable), %llu retries\n",
		(unsigned long long)(s.queued + s.dropped_full), (unsigned long long)s.sent,
		o->url, (unsigned long long)s.requests,
		(unsigned long long)(s.dropped_full + s.dropped_failed),
		(unsigned long long)s.dropped_full, (unsigned long long)s.dropped_failed,
		(unsigned long long)s.retries);
	otlp_queue_destroy(&o->q);
	free(o->url);
	free(o);
	C->curl_global_cleanup();
}

static void own(FILE *f, const char *name, const char *help, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	prom_write_own(f, name, "counter", help, buf);
}

void otlp_write_prom(FILE *f)
{
	struct otlp *o = atomic_load(&current);
	struct otlp_stats s;

	if (!o)
		return;
	otlp_get_stats(o, &s);
	own(f, "ltrace_exporter_otlp_spans_queued_total", "Spans handed to the OTLP sender's queue.", s.queued);
	own(f, "ltrace_exporter_otlp_spans_sent_total", "Spans the OTLP receiver accepted.", s.sent);
	own(f, "ltrace_exporter_otlp_spans_dropped_queue_full_total",
	    "Spans dropped because the OTLP sender's queue was full.", s.dropped_full);
	own(f, "ltrace_exporter_otlp_spans_dropped_failed_total",
	    "Spans dropped because their request failed after every retry.", s.dropped_failed);
	own(f, "ltrace_exporter_otlp_requests_total", "OTLP export requests made, retries included.",
	    s.requests);
	own(f, "ltrace_exporter_otlp_retries_total", "OTLP export requests retried.", s.retries);
}
