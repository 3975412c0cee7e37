/* The --http server (web.h): routes, limits, counters. Every request is authenticated
 * first (web_auth.h); there are no files behind the routes, only the embedded page and the
 * API, so no path can escape anywhere. Runs on libmicrohttpd's one thread
 * (http_serve.h): the counters below are that thread's alone. */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include "http_serve.h"
#include "mhd_lib.h"
#include "json_enc.h"
#include "metrics_snapshot.h"
#include "probe.h"
#include "session.h"
#include "web.h"
#include "web_aggs.h"
#include "web_auth.h"
#include "web_control.h"
#include "web_events.h"
#include "web_loopcall.h"
#include "web_page.h"
#include "web_sessions.h"
#include "web_sse.h"

#define BODY_MAX 4096		/* a request body (filters, a session's command) */
#define QUERY_MAX 1024		/* the query string's arguments, summed */
#define CONN_MAX 64		/* connections at once; more are refused at accept */
#define MEMORY_LIMIT 16384	/* per connection: request line and headers must fit */
#define TIMEOUT_S 10		/* a connection idle that long is closed */
#define EVENTS_SLOTS 4096
#define EVENTS_RATE 5000	/* events a second the page is sent, at most */
#define LOOP_WAIT_MS 500

struct counts {
	uint64_t requests, unauthorized, missing, bad, expired, too_big, not_found, refused,
		 no_request, conns;
};

struct web {
	struct MHD_Daemon *d;
	struct web_auth auth;
	struct web_events *ev;
	struct web_sse *sse;
	struct web_sessions *sessions;
	struct web_loopcall *lc;
	struct snapper *sn;
	struct session *s;	/* attached to, or NULL */
	struct counts n;
	char enc[WEB_EV_MAX + 1];	/* the loop's encoding buffer */
};

/* Per request: its body so far. */
struct req {
	char body[BODY_MAX + 1];
	size_t len;
	bool over;
};

/* Per connection: whether a request reached us (else it was cut before: slow, too big). */
struct conn {
	bool requested;
};

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return http_reply(c, status, msg, strlen(msg), MHD_RESPMEM_PERSISTENT, HTTP_TEXT_PLAIN);
}

static enum MHD_Result json(struct MHD_Connection *c, unsigned status, char *body)
{
	if (!body)
		return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return http_reply(c, status, body, strlen(body), MHD_RESPMEM_MUST_FREE,
			  "application/json");
}

static char *stats_json(struct web *w)
{
	struct json_object *o = json_object_new_object(), *h = json_object_new_object(),
			   *e = json_object_new_object(), *s = json_object_new_object();
	struct web_events_counts ec;
	struct web_sse_counts sc;
	const char *t;
	char *out;

	wev_counts(w->ev, &ec);
	wsse_counts(w->sse, &sc);
#define ADD(obj, name, v) json_object_object_add(obj, name, json_object_new_uint64(v))
	ADD(h, "requests", w->n.requests);
	ADD(h, "unauthorized", w->n.unauthorized);
	ADD(h, "unauthorized_missing", w->n.missing);
	ADD(h, "unauthorized_bad", w->n.bad);
	ADD(h, "unauthorized_expired", w->n.expired);
	ADD(h, "too_big", w->n.too_big);
	ADD(h, "not_found", w->n.not_found);
	ADD(h, "connections", w->n.conns);
	ADD(h, "connections_refused", w->n.refused);
	ADD(h, "connections_without_request", w->n.no_request);
	ADD(e, "seen", ec.seen);
	ADD(e, "shown", ec.shown);
	ADD(e, "sampled_out", ec.sampled_out);
	ADD(e, "too_big", ec.too_big);
	ADD(s, "open", sc.open);
	ADD(s, "served", sc.served);
	ADD(s, "refused", sc.refused);
	ADD(s, "dropped_slow", sc.dropped_slow);
	ADD(s, "skipped", sc.skipped);
#undef ADD
	json_object_object_add(o, "http", h);
	json_object_object_add(o, "events", e);
	json_object_object_add(o, "sse", s);
	t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	out = t ? strdup(t) : NULL;
	json_object_put(o);
	return out;
}

static enum MHD_Result unauthorized(struct web *w, struct MHD_Connection *c, enum wauth a)
{
	w->n.unauthorized++;
	w->n.missing += a == WAUTH_MISSING;
	w->n.bad += a == WAUTH_BAD;
	w->n.expired += a == WAUTH_EXPIRED;
	return text(c, MHD_HTTP_UNAUTHORIZED, a == WAUTH_EXPIRED ? "token expired\n" :
		    "a token is needed: the URL printed at start, or Authorization: Bearer\n");
}

static enum MHD_Result page(struct web *w, struct MHD_Connection *c, bool from_query)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	char cookie[400];

	if (from_query) {	/* the cookie, then the URL without the token in it */
		r = mhd()->MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
		snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict",
			 WEB_COOKIE, mhd()->MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token"));
		mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
		mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, "/");
		rc = mhd()->MHD_queue_response(c, MHD_HTTP_SEE_OTHER, r);
		mhd()->MHD_destroy_response(r);
		return rc;
	}
	r = mhd()->MHD_create_response_from_buffer(web_page_len, (void *)web_page,
					    MHD_RESPMEM_PERSISTENT);
	mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	/* the page needs nothing from anywhere else */
	mhd()->MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; script-src 'unsafe-inline'; style-src "
				"'unsafe-inline'; img-src data:; connect-src 'self'; "
				"frame-ancestors 'none'");
	mhd()->MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	mhd()->MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	rc = mhd()->MHD_queue_response(c, MHD_HTTP_OK, r);
	mhd()->MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result loop_reply(struct web *w, struct MHD_Connection *c, web_loop_fn fn,
				  const char *arg)
{
	char *out;
	int status = wlc_call(w->lc, fn, arg, LOOP_WAIT_MS, &out);

	if (!out)
		return text(c, status, status == 503 ? "the session is busy or not running\n" :
			    "failed\n");
	return json(c, status, out);
}

/* POST /api/sessions {"tool": NAME | "script": PATH, "args": [...]} */
static enum MHD_Result start_session(struct web *w, struct MHD_Connection *c, const char *body)
{
	struct json_object *o = json_tokener_parse(body), *m, *args = NULL;
	const char *tool = NULL, *script = NULL, *argv[64];
	char err[160], *out;
	int n = 0, id;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return text(c, MHD_HTTP_BAD_REQUEST, "expected a JSON object\n");
	}
	if (json_object_object_get_ex(o, "tool", &m) && json_object_is_type(m, json_type_string))
		tool = json_object_get_string(m);
	if (json_object_object_get_ex(o, "script", &m) && json_object_is_type(m, json_type_string))
		script = json_object_get_string(m);
	if (json_object_object_get_ex(o, "args", &args) &&
	    !json_object_is_type(args, json_type_array)) {
		json_object_put(o);
		return text(c, MHD_HTTP_BAD_REQUEST, "args: an array of strings\n");
	}
	for (size_t i = 0; args && i < json_object_array_length(args) && n < 64; i++) {
		struct json_object *a = json_object_array_get_idx(args, i);

		if (!json_object_is_type(a, json_type_string)) {
			json_object_put(o);
			return text(c, MHD_HTTP_BAD_REQUEST, "args: an array of strings\n");
		}
		argv[n++] = json_object_get_string(a);
	}
	id = wss_start(w->sessions, tool, script, argv, n, err, sizeof(err));
	json_object_put(o);
	if (id < 0) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "error", json_object_new_string(err));
		out = strdup(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
		json_object_put(e);
		return json(c, id == -EBUSY ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_BAD_REQUEST,
			    out);
	}
	if (asprintf(&out, "{\"id\":%d}", id) < 0)
		out = NULL;
	return json(c, MHD_HTTP_CREATED, out);
}

/* /api/sessions/ID/stop, /api/sessions/ID/export */
static enum MHD_Result one_session(struct web *w, struct MHD_Connection *c, const char *rest,
				   bool post)
{
	char *end, *buf;
	long id = strtol(rest, &end, 10);
	size_t len;
	int rc;

	if (end == rest || id <= 0 || id > INT32_MAX)
		goto none;
	if (post && !strcmp(end, "/stop")) {
		rc = wss_stop(w->sessions, id);
		return rc == -ENOENT ? text(c, MHD_HTTP_NOT_FOUND, "no such session\n") :
		       rc == -EALREADY ? text(c, MHD_HTTP_CONFLICT, "not running\n") :
		       text(c, rc ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_OK,
			    rc ? "cannot stop it\n" : "stopping\n");
	}
	if (!post && !strcmp(end, "/export")) {
		struct MHD_Response *r;
		enum MHD_Result res;
		char disp[80];

		if ((rc = wss_export(w->sessions, id, &buf, &len)))
			return rc == -ENOENT ? text(c, MHD_HTTP_NOT_FOUND, "no such session\n") :
			       text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
		r = mhd()->MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
		mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/x-ndjson");
		snprintf(disp, sizeof(disp), "attachment; filename=\"session-%ld.ndjson\"", id);
		mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
		res = mhd()->MHD_queue_response(c, MHD_HTTP_OK, r);
		mhd()->MHD_destroy_response(r);
		return res;
	}
none:
	w->n.not_found++;
	return text(c, MHD_HTTP_NOT_FOUND, "no such route\n");
}

static enum MHD_Result route(struct web *w, struct MHD_Connection *c, const char *url,
			     bool post, const char *body, bool from_query)
{
	if (!post && !strcmp(url, "/"))
		return page(w, c, from_query);
	if (!post && !strcmp(url, "/api/events"))
		return wsse_serve(w->sse, c);
	if (!post && !strcmp(url, "/api/aggs")) {
		struct metrics_snap *snap = snapper_get(w->sn, LOOP_WAIT_MS);
		char *out = web_aggs_json(snap);

		snapper_put(w->sn, snap);
		return json(c, MHD_HTTP_OK, out);
	}
	if (!post && !strcmp(url, "/api/stats"))
		return json(c, MHD_HTTP_OK, stats_json(w));
	if (!post && !strcmp(url, "/api/probes"))
		return loop_reply(w, c, web_probes_json, "");
	if (post && !strcmp(url, "/api/filter"))
		return loop_reply(w, c, web_filter, body);
	if (!post && !strcmp(url, "/api/sessions"))
		return json(c, MHD_HTTP_OK, wss_list_json(w->sessions));
	if (post && !strcmp(url, "/api/sessions"))
		return start_session(w, c, body);
	if (!strncmp(url, "/api/sessions/", 14))
		return one_session(w, c, url + 14, post);
	w->n.not_found++;
	return text(c, MHD_HTTP_NOT_FOUND, "no such route\n");
}

static enum MHD_Result add_len(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 2;
	return MHD_YES;
}

static void mark_requested(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		mhd()->MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	if (ci && ci->socket_context)
		((struct conn *)ci->socket_context)->requested = true;
}

/* First call for a request: everything but the body is known. NULL: go on; else the
 * reply already queued. */
static bool refuse_early(struct web *w, struct MHD_Connection *c, const char *method,
			 enum MHD_Result *rc, bool *from_query)
{
	const char *cl = mhd()->MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	size_t qlen = 0;
	enum wauth a;

	w->n.requests++;
	mark_requested(c);
	mhd()->MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_len, &qlen);
	if (qlen > QUERY_MAX) {
		w->n.too_big++;
		*rc = text(c, MHD_HTTP_URI_TOO_LONG, "query string too long\n");
		return true;
	}
	if ((a = wauth_check(&w->auth, c, from_query)) != WAUTH_OK) {
		*rc = unauthorized(w, c, a);
		return true;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_POST)) {
		*rc = text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or POST\n");
		return true;
	}
	if (cl && strtoull(cl, NULL, 10) > BODY_MAX) {
		w->n.too_big++;
		*rc = text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
		return true;
	}
	return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **req_p)
{
	struct web *w = cls;
	struct req *r = *req_p;
	enum MHD_Result rc;
	bool from_query = false;

	if (!r) {
		if (refuse_early(w, c, method, &rc, &from_query))
			return rc;
		if (!strcmp(method, MHD_HTTP_METHOD_GET))
			return route(w, c, url, false, "", from_query);
		if (!(r = calloc(1, sizeof(*r))))
			return MHD_NO;
		*req_p = r;
		return MHD_YES;
	}
	if (*upload_len) {	/* chunked bodies have no Content-Length: bounded here */
		if (r->len + *upload_len > BODY_MAX)
			r->over = true;
		else
			memcpy(r->body + r->len, upload, *upload_len);
		r->len += r->over ? 0 : *upload_len;
		*upload_len = 0;
		return MHD_YES;
	}
	if (r->over) {
		w->n.too_big++;
		return text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
	}
	r->body[r->len] = '\0';
	return route(w, c, url, true, r->body, false);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_p,
			 enum MHD_RequestTerminationCode toe)
{
	free(*req_p);
	*req_p = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct web *w = cls;
	struct conn *k = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct conn));
		w->n.conns++;
		return;
	}
	if (k && !k->requested)
		w->n.no_request++;
	free(k);
	*socket_context = NULL;
	w->n.conns--;
}

/* Refuses connections over CONN_MAX at accept (counted), before they take memory. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct web *w = cls;

	if (w->n.conns < CONN_MAX)
		return MHD_YES;
	w->n.refused++;
	return MHD_NO;
}

static void on_record(void *ctx, struct session *s, const struct lt_rec *rec)
{
	struct web *w = ctx;
	struct probe *p = session_probe(s, rec->probe);
	long len;

	if (!p || !wev_want(w->ev))	/* as --json: nothing of a probe gone */
		return;
	len = json_enc_line(json_enc_event(p, rec), w->enc, sizeof(w->enc));
	if (len >= 0)
		wev_push(w->ev, w->enc, len < (int)sizeof(w->enc) ? (size_t)len : WEB_EV_MAX + 1);
}

static void free_parts(struct web *w)
{
	wss_free(w->sessions);
	wsse_free(w->sse);
	wev_free(w->ev);
	wlc_free(w->lc);
	snapper_free(w->sn);
	wauth_free(&w->auth);
	free(w);
}

struct web *web_open(const struct web_opts *o)
{
	struct http_listen_opts lo = { .flag = "--http", .addr = o->addr,
				       .public_ok = o->public_ok, .public_flag = "--http-public",
				       .path = "/" };
	struct web *w = calloc(1, sizeof(*w));
	char url[NI_MAXHOST + 64];
	int fd;

	if (!w)
		return NULL;
	if (wauth_init(&w->auth, o->token_file, o->jwt_key) ||
	    !(w->ev = wev_new(EVENTS_SLOTS, EVENTS_RATE)) || !(w->sse = wsse_new(w->ev)) ||
	    !(w->sessions = wss_new(o->keep ? o->keep : WEB_KEEP_DEFAULT, WSS_CAP_DEFAULT)) ||
	    !(w->lc = wlc_new()) || !(w->sn = snapper_new()) ||
	    (fd = http_listen(&lo, url, sizeof(url))) < 0)
		goto fail;
	struct MHD_OptionItem more[] = {
		{ MHD_OPTION_CONNECTION_TIMEOUT, TIMEOUT_S, NULL },
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, MEMORY_LIMIT, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, w },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, w },
		{ MHD_OPTION_END, 0, NULL },
	};
	if (!(w->d = http_start(&lo, fd, MHD_ALLOW_SUSPEND_RESUME, on_accept, w, on_request, w,
			       more)))
		goto fail;
	fprintf(stderr, "%s?token=%s\n", url, w->auth.token);
	return w;
fail:
	if (w->sse)
		wsse_shutdown(w->sse);
	free_parts(w);
	return NULL;
}

int web_attach(struct web *w, struct session *s)
{
	int rc;

	if (!w)
		return 0;
	if ((rc = snapper_attach(w->sn, s)) || (rc = wlc_attach(w->lc, s)))
		return rc;
	if ((rc = session_add_tap(s, on_record, NULL, w))) {
		fprintf(stderr, "ltrace-ebpf: --http: too many outputs on one session\n");
		return rc;
	}
	w->s = s;
	return 0;
}

void web_refresh(struct web *w)
{
	if (w)
		snapper_refresh(w->sn);
}

void web_close(struct web *w)
{
	if (!w)
		return;
	wsse_shutdown(w->sse);
	mhd()->MHD_stop_daemon(w->d);	/* joins its thread: no request runs past this */
	if (w->s)	/* no record reaches us any more */
		session_remove_tap(w->s, w);
	if (w->n.unauthorized || w->n.too_big || w->n.refused)
		fprintf(stderr, "ltrace-ebpf: --http: %llu requests, %llu unauthorized, %llu too "
			"big, %llu connections refused\n", (unsigned long long)w->n.requests,
			(unsigned long long)w->n.unauthorized, (unsigned long long)w->n.too_big,
			(unsigned long long)w->n.refused);
	free_parts(w);
}
