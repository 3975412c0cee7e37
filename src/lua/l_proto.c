/* require("ltrace.proto"): the protocol layer (src/proto/) for scripts. lua/http.lua feeds
 * it what the socket syscalls and SSL_read/SSL_write moved and gets back requests matched
 * to their responses as Lua tables, redacted (docs/http.md).
 *
 *   local t = proto.http{ headers = {"user-agent"}, redact = {"[0-9]{16}"}, max_conns = N }
 *   t:data(pid, fd, outbound, ts, bytes, total [, tls [, tid]]) -> { request, ... } or nil
 *   t:feed(probe, deliver)                    -- the probe's syscall records go to t in C,
 *                                             deliver(list, comm) gets what they complete
 *   t:last_fd(tid) -> fd, ts, outbound        -- the socket a thread's last fed call used
 *   t:tls_socket(pid, id, fd)                 -- TLS connection id (no fd: memory BIOs) is
 *                                             carried by socket fd: its ends (tls_sock.h)
 *   t:tls_wrote(tid, pid, id, ts)             -- its SSL_write ended at ts: the thread's
 *                                             next send is its socket
 *   t:opened(pid, fd, sockaddr bytes, ts [, listen_fd]) -> ...  -- accept4/connect: the
 *                                             socket, its peer (and accept's listener)
 *   t:bound(pid, fd, sockaddr bytes)          -- bind: a listener's local end
 *   t:tcp_state(tid, sk, old, new, family, addr bytes, port)  -- sock:inet_sock_set_state:
 *                                             a connecting socket's own end (tcp_ends.h)
 *   t:connected(tid, pid, fd)                 -- connect returned: which socket fd is
 *   t:close(pid, fd, ts) -> { request, ... } or nil
 *   t:flush() -> { request, ... } or nil      -- the end: requests unanswered, reported
 *   t:redact(text) -> text                    -- the patterns, for plaintext shown as is
 *   t:stats() -> { conns, evicted, dropped, opaque, h2_blocks_lost, h2_desyncs,
 *                  h2_pushed, traceparent_invalid, ambiguous }
 *
 * Each request carries its span's ids (src/proto/http_link.c: trace_id, span_id, parent)
 * and the W3C trace context it came with (traceparent, parent_span_id, tracestate).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "conn_table.h"
#include "fetch.h"
#include "http_link.h"
#include "l_core.h"
#include "l_proto.h"
#include "listeners.h"
#include "probe.h"
#include "trace_ids.h"
#include "redact.h"
#include "script_call.h"
#include "tcp_ends.h"
#include "tls_sock.h"
#include "traceparent.h"

#define HTTP_MT "ltrace.proto.http"
#define INTEREST_MAX 16
#define LAST_FDS 4096	/* threads whose last socket is remembered (by tid, direct-mapped) */

/* The socket a thread's last fed read or write used, and when (the call's start): the fd
 * an SSL_read/SSL_write's syscall went to. */
struct last_fd {
	int tid, fd, outbound;
	uint64_t ts;
};

struct tracker {
	struct conn_table conns;
	struct listeners listeners;	/* accept's local end when /proc no longer has it */
	struct redact redact;
	char *interest[INTEREST_MAX + 1];
	lua_State *L;		/* during a call: where requests are pushed */
	int out_index;		/* the list being filled, or 0 */
	uint64_t dropped;	/* pipelined requests let go on connections since closed */
	lua_State *main;	/* t:feed: the script's main thread, where deliver runs */
	int deliver;		/* t:feed: deliver(list, comm), a registry ref; LUA_NOREF */
	struct last_fd last[LAST_FDS];
	uint64_t h2_blocks_lost, h2_desyncs, h2_pushed;	/* HTTP/2's, on connections since closed */
	struct http_link *link;	/* requests as spans: their ids as they begin */
	int tid;		/* during t:data: the thread that moved the bytes (0: not known) */
	uint64_t tp_invalid;	/* traceparent headers ignored: not W3C */
	struct tls_sock tls_sock;	/* SSL_writes on memory BIOs waiting for their socket */
	struct tcp_ends tcp_ends;	/* connects in progress: their own ends, from the kernel */
};

static struct tracker *check(lua_State *L)
{
	struct tracker *t = luaL_checkudata(L, 1, HTTP_MT);

	if (!t->conns.buckets)
		luaL_error(L, "http tracker: already closed");
	return t;
}

static void set_str(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

/* Text from the traffic, redacted. */
static void set_text(struct tracker *t, const char *k, const char *v)
{
	char out[512];

	redact_text(&t->redact, v, strlen(v), out, sizeof(out));
	set_str(t->L, k, out);
}

static void set_headers(struct tracker *t, const char *k, const struct http1_msg *m)
{
	lua_newtable(t->L);
	for (int i = 0; i < m->nheaders; i++) {
		const struct http1_header *h = &m->headers[i];

		if (redact_header_always(h->name))
			set_str(t->L, h->name, REDACTED);
		else
			set_text(t, h->name, h->value);
	}
	lua_setfield(t->L, -2, k);
}

/* HTTP/2's own fields: gRPC's status and message, the content type, what was lost. */
static void set_h2(struct tracker *t, const struct h2_msg *req, const struct h2_msg *resp)
{
	lua_State *L = t->L;

	if (req->content_type[0])
		set_str(L, "content_type", req->content_type);
	if (req->headers_lost || (resp && resp->headers_lost)) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "headers_lost");
	}
	if (req->reset)
		set_int(L, "reset", req->reset - 1);
	if (!resp)
		return;
	if (resp->grpc_status >= 0)
		set_int(L, "grpc_status", resp->grpc_status);
	if (resp->grpc_message[0])
		set_text(t, "grpc_message", resp->grpc_message);
	if (resp->content_type[0])
		set_str(L, "resp_content_type", resp->content_type);
}

static void set_hex(lua_State *L, const char *k, const uint8_t *id, size_t n)
{
	char hex[33];

	trace_hex(hex, id, n);
	set_str(L, k, hex);
}

static bool req_traceparent(const struct http1_msg *req, struct traceparent *tp)
{
	return req->traceparent[0] && traceparent_parse(req->traceparent, strlen(req->traceparent), tp);
}

/* A request's head: its span's ids, from the trace context it carries (a header that is
 * not W3C's is counted and ignored) and the requests around it (http_link.h). */
static void on_begin(void *ctx, struct http_conn *c, const struct http1_msg *req)
{
	struct tracker *t = ctx;
	struct conn_entry *e = c->owner;
	struct traceparent tp;
	bool valid = req_traceparent(req, &tp);
	struct http_link_req q = {
		.pid = e->pid, .tid = t->tid, .fd = e->fd, .tls = e->tls,
		.server = c->role == HTTP_ROLE_SERVER, .start = req->start_ts,
		.stream = req->stream,
		.tp = valid ? &tp : NULL, .sock = &e->sock,
	};

	if (req->traceparent[0] && !valid)
		t->tp_invalid++;
	http_link_begin(t->link, &q);
}

/* r.traceparent, parent_span_id, tracestate: the valid context the request came with;
 * r.trace_id, span_id, parent, tid: its span's (ids NULL: not followed). */
static void set_trace(lua_State *L, const struct http1_msg *req, const struct http_ids *ids)
{
	struct traceparent tp;

	if (req_traceparent(req, &tp)) {
		set_str(L, "traceparent", req->traceparent);
		set_hex(L, "parent_span_id", tp.parent_id, 8);
		if (req->tracestate[0])
			set_str(L, "tracestate", req->tracestate);
	}
	if (!ids)
		return;
	set_hex(L, "trace_id", ids->trace, 16);
	set_hex(L, "span_id", ids->span, 8);
	if (ids->has_parent)
		set_hex(L, "parent", ids->parent, 8);
	if (ids->tid > 0)
		set_int(L, "tid", ids->tid);
}

static void on_exchange(void *ctx, struct http_conn *c, const struct http1_msg *req,
			const struct http1_msg *resp)
{
	struct tracker *t = ctx;
	struct conn_entry *e = c->owner;
	lua_State *L = t->L;
	char version[8];
	struct http_ids ids;
	bool followed = http_link_end(t->link, e->pid, e->fd, e->tls, req->start_ts,
				      req->stream, resp ? resp->end_ts : req->end_ts, &ids);

	if (!L)
		return;
	if (!t->out_index) {	/* the call's first request: its list */
		lua_newtable(L);
		t->out_index = lua_gettop(L);
	}
	lua_newtable(L);
	set_int(L, "pid", e->pid);
	if (e->fd >= 0)		/* < 0: a TLS connection known only by its SSL * */
		set_int(L, "fd", e->fd);
	set_str(L, "role", c->role == HTTP_ROLE_SERVER ? "server" : "client");
	lua_pushboolean(L, e->tls);
	lua_setfield(L, -2, "tls");
	set_str(L, "method", req->method);
	set_text(t, "path", req->path);
	snprintf(version, sizeof(version), "1.%d", req->minor);
	set_str(L, "version", c->h2 ? "2" : version);
	set_str(L, "proto", c->h2 ? "h2" : req->minor ? "http/1.1" : "http/1.0");
	if (c->h2) {
		set_h2(t, H2_MSG(req), resp ? H2_MSG(resp) : NULL);
		set_int(L, "stream", req->stream);
	}
	if (req->host[0])
		set_text(t, "host", req->host);
	set_trace(L, req, followed ? &ids : NULL);
	set_int(L, "start", (lua_Integer)req->start_ts);
	set_int(L, "req_bytes", (lua_Integer)(req->head_bytes + req->body_bytes));
	set_int(L, "req_body", (lua_Integer)req->body_bytes);
	set_headers(t, "headers", req);
	if (req->head_truncated || (resp && resp->head_truncated)) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "truncated");
	}
	if (resp) {
		set_int(L, "status", resp->status);
		set_int(L, "bytes", (lua_Integer)resp->body_bytes);
		set_int(L, "resp_bytes", (lua_Integer)(resp->head_bytes + resp->body_bytes));
		set_int(L, "latency", (lua_Integer)(resp->end_ts - req->start_ts));
		set_int(L, "end", (lua_Integer)resp->end_ts);
		lua_pushboolean(L, resp->keep_alive);
		lua_setfield(L, -2, "keep_alive");
		set_headers(t, "resp_headers", resp);
	} else {
		set_int(L, "status", 0);	/* never answered while we watched */
		set_int(L, "bytes", 0);
	}
	if (e->sock.laddr[0]) {
		set_str(L, "laddr", e->sock.laddr);
		set_int(L, "lport", e->sock.lport);
	}
	if (e->sock.raddr[0]) {
		set_str(L, "raddr", e->sock.raddr);
		set_int(L, "rport", e->sock.rport);
	}
	lua_rawseti(L, t->out_index, (lua_Integer)luaL_len(L, t->out_index) + 1);
}

/* Starts a call that may produce requests: the list is made by the first one (most calls
 * produce none, and a table per syscall record is the tool's own cost at saturation). */
static void begin_out(struct tracker *t, lua_State *L)
{
	t->L = L;
	t->out_index = 0;
}

/* Returns the list (on the top of the stack), or nil when nothing was produced. */
static int end_out(struct tracker *t, lua_State *L)
{
	if (!t->out_index)
		lua_pushnil(L);
	t->L = NULL;
	t->out_index = 0;
	return 1;
}

static void forget(struct tracker *t, struct conn_entry *e, uint64_t ts)
{
	http_conn_close(&e->http, ts);
	t->dropped += e->http.dropped;
	t->h2_blocks_lost += e->http.h2_blocks_lost;
	t->h2_desyncs += e->http.h2_desyncs;
	t->h2_pushed += e->http.h2_pushed;
	conn_table_remove(&t->conns, e);
	free(e);
}

/* A new connection on (pid, fd): what the descriptor is, looked up at first sight (both
 * ends when it is TCP); a connection evicted to make room reports its requests. */
static struct conn_entry *fresh(struct tracker *t, int pid, int fd, int tls, uint64_t ts,
				const struct sockinfo *known)
{
	struct conn_entry *old, *e = conn_table_add(&t->conns, pid, fd, tls, &old);

	if (old) {	/* its requests in flight are reported unanswered */
		http_conn_close(&old->http, old->last_ts);
		t->dropped += old->http.dropped;
		t->h2_blocks_lost += old->http.h2_blocks_lost;
		t->h2_desyncs += old->http.h2_desyncs;
		t->h2_pushed += old->http.h2_pushed;
		free(old);
	}
	if (!e)
		return NULL;
	http_conn_init(&e->http, (const char *const *)t->interest, on_exchange, t);
	e->http.on_begin = on_begin;
	e->http.owner = e;
	if (known)
		e->sock = *known;
	else
		sockinfo_lookup(pid, fd, &e->sock);
	e->last_ts = ts;
	return e;
}

static struct conn_entry *entry(struct tracker *t, int pid, int fd, int tls, uint64_t ts)
{
	struct conn_entry *e = conn_table_find(&t->conns, pid, fd, tls);

	return e ? e : fresh(t, pid, fd, tls, ts, NULL);
}

/* total bytes moved on (pid, fd), the first len of them in bytes: to the connection. */
static void moved(struct tracker *t, int pid, int fd, int tls, int outbound, uint64_t ts,
		  const uint8_t *bytes, size_t len, uint64_t total)
{
	struct conn_entry *e = entry(t, pid, fd, tls, ts);

	if (total < len)
		len = (size_t)total;
	/* not a socket: a file read or written (a socket seen only by its bytes, once the
	 * process is gone, is kept: only HTTP-looking bytes are parsed) */
	if (e && e->sock.kind != SOCK_NONE) {
		e->last_ts = ts;
		http_conn_data(&e->http, outbound, bytes, len, total, ts);
	}
}

/* TLS connection id of pid (no fd: OpenSSL on memory BIOs) is carried by socket fd: it
 * takes the socket's ends (once), and so do its requests in flight (the link's rule 1). */
static void tls_socket(struct tracker *t, int pid, int id, int fd, uint64_t ts)
{
	struct conn_entry *sock = conn_table_find(&t->conns, pid, fd, 0), *e;

	if (!sock || sock->sock.kind != SOCK_TCP || !sock->sock.lport || !sock->sock.rport)
		return;
	if (!(e = entry(t, pid, id, 1, ts)) || e->sock.lport)
		return;
	e->sock = sock->sock;
	http_link_ends(t->link, pid, id, 1, &e->sock);
}

static int l_tls_socket(lua_State *L)
{
	struct tracker *t = check(L);

	tls_socket(t, (int)luaL_checkinteger(L, 2), (int)luaL_checkinteger(L, 3),
		   (int)luaL_checkinteger(L, 4), 0);
	return 0;
}

static int l_tls_wrote(lua_State *L)
{
	struct tracker *t = check(L);

	tls_sock_wrote(&t->tls_sock, (int)luaL_checkinteger(L, 2), (int)luaL_checkinteger(L, 3),
		       (int)luaL_checkinteger(L, 4), (uint64_t)luaL_checkinteger(L, 5));
	return 0;
}

static int l_data(lua_State *L)
{
	struct tracker *t = check(L);
	int pid = (int)luaL_checkinteger(L, 2), fd = (int)luaL_checkinteger(L, 3);
	int outbound = lua_toboolean(L, 4);
	uint64_t ts = (uint64_t)luaL_checkinteger(L, 5);
	size_t len = 0;
	const char *bytes = luaL_optlstring(L, 6, "", &len);
	lua_Integer total = luaL_checkinteger(L, 7);
	int tls = lua_toboolean(L, 8);

	t->tid = (int)luaL_optinteger(L, 9, 0);

	if (total <= 0)
		return lua_pushnil(L), 1;
	begin_out(t, L);
	moved(t, pid, fd, tls, outbound, ts, (const uint8_t *)bytes, len, (uint64_t)total);
	return end_out(t, L);
}

/* An accepted TCP connection's ends without /proc (a scan of the namespace's whole TCP
 * table per connection, the tool's dearest step under a load of short connections): the
 * peer from accept's address, the local end from its listener's (argument 6) unless that
 * is a wildcard. 1 when both are known. */
static int accepted(struct tracker *t, lua_State *L, int pid, const uint8_t *sa, size_t len,
		    struct sockinfo *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = SOCK_TCP;
	return !lua_isnoneornil(L, 6) &&
	       !sockaddr_format(sa, len, out->raddr, sizeof(out->raddr), &out->rport) &&
	       listeners_local(&t->listeners, pid, (int)luaL_checkinteger(L, 6), out->laddr,
			       sizeof(out->laddr), &out->lport) &&
	       strcmp(out->laddr, "0.0.0.0") && strcmp(out->laddr, "::");
}

static int l_opened(lua_State *L)
{
	struct tracker *t = check(L);
	int pid = (int)luaL_checkinteger(L, 2), fd = (int)luaL_checkinteger(L, 3);
	size_t len = 0;
	const char *sa = luaL_optlstring(L, 4, "", &len);
	uint64_t ts = (uint64_t)luaL_optinteger(L, 5, 0);
	struct sockinfo known;
	struct conn_entry *e;

	begin_out(t, L);
	/* a new socket on this fd: whatever was there before is over */
	for (int tls = 0; tls < 2; tls++)
		if ((e = conn_table_find(&t->conns, pid, fd, tls)))
			forget(t, e, e->last_ts);
	if (accepted(t, L, pid, (const uint8_t *)sa, len, &known)) {
		fresh(t, pid, fd, 0, ts, &known);
	} else if ((e = fresh(t, pid, fd, 0, ts, NULL))) {
		if (e->sock.kind == SOCK_UNKNOWN)	/* already gone: it was a socket */
			e->sock.kind = SOCK_OTHER;
		if (!e->sock.raddr[0] && len)
			sockaddr_format((const uint8_t *)sa, len, e->sock.raddr,
					sizeof(e->sock.raddr), &e->sock.rport);
		if (!e->sock.laddr[0] && !lua_isnoneornil(L, 6))	/* accepted on it */
			listeners_local(&t->listeners, pid, (int)luaL_checkinteger(L, 6),
					e->sock.laddr, sizeof(e->sock.laddr), &e->sock.lport);
	}
	return end_out(t, L);
}

static int l_bound(lua_State *L)
{
	struct tracker *t = check(L);
	int pid = (int)luaL_checkinteger(L, 2), fd = (int)luaL_checkinteger(L, 3), port;
	size_t len = 0;
	const char *sa = luaL_optlstring(L, 4, "", &len);
	char addr[48];

	if (!sockaddr_format((const uint8_t *)sa, len, addr, sizeof(addr), &port))
		listeners_bound(&t->listeners, pid, fd, addr, port);
	return 0;
}

/* A connected socket's own end, from the kernel (tcp_ends.h): its connection takes it when
 * /proc could not tell it (gone by the time its records were read), and so do its
 * requests in flight (the link's rule 1). */
static void own_end(struct tracker *t, struct tcp_end *e)
{
	struct conn_entry *c;

	if (!tcp_ends_complete(e))
		return;
	if ((c = conn_table_find(&t->conns, e->pid, e->fd, 0)) && !c->sock.lport) {
		memcpy(c->sock.laddr, e->laddr, sizeof(c->sock.laddr));
		c->sock.lport = e->lport;
		c->sock.kind = SOCK_TCP;
		http_link_ends(t->link, e->pid, e->fd, 0, &c->sock);
	}
	tcp_ends_done(e);
}

enum { TCP_ESTABLISHED = 1, TCP_SYN_SENT = 2, TCP_CLOSE = 7 };

static int l_tcp_state(lua_State *L)
{
	struct tracker *t = check(L);
	int tid = (int)luaL_checkinteger(L, 2), from = (int)luaL_checkinteger(L, 4);
	int to = (int)luaL_checkinteger(L, 5), family = (int)luaL_checkinteger(L, 6);
	uint64_t sk = (uint64_t)luaL_checkinteger(L, 3);
	size_t n = 0;
	const char *a = luaL_checklstring(L, 7, &n);
	char addr[48];

	if (from == TCP_CLOSE && to == TCP_SYN_SENT) {
		tcp_ends_connecting(&t->tcp_ends, sk, tid);
	} else if (from == TCP_SYN_SENT && to == TCP_ESTABLISHED &&
		   n == (family == AF_INET ? 4u : 16u) &&
		   inet_ntop(family, a, addr, sizeof(addr))) {
		own_end(t, tcp_ends_local(&t->tcp_ends, sk, addr, (int)luaL_checkinteger(L, 8)));
	}
	return 0;
}

static int l_connected(lua_State *L)
{
	struct tracker *t = check(L);

	own_end(t, tcp_ends_connected(&t->tcp_ends, (int)luaL_checkinteger(L, 2),
				      (int)luaL_checkinteger(L, 3), (int)luaL_checkinteger(L, 4)));
	return 0;
}

static int l_close(lua_State *L)
{
	struct tracker *t = check(L);
	int pid = (int)luaL_checkinteger(L, 2), fd = (int)luaL_checkinteger(L, 3);
	uint64_t ts = (uint64_t)luaL_checkinteger(L, 4);
	struct conn_entry *e;

	begin_out(t, L);
	listeners_forget(&t->listeners, pid, fd);
	for (int tls = 0; tls < 2; tls++)
		if ((e = conn_table_find(&t->conns, pid, fd, tls)))
			forget(t, e, ts);
	return end_out(t, L);
}

static const char *const SENDS[] = { "write", "sendto", "writev", "sendmsg", "sendfile", NULL };

/* The session's records of a fed probe (p->consume), on the loop's thread: a syscall that
 * moved bytes, its fd argument 1 and its data the capture of argument 2 (if any). Lua runs
 * only when a request completes: deliver(list, comm). */
static int consume(void *ctx, const struct probe *p, const struct lt_rec *rec)
{
	struct tracker *t = ctx;
	const char *name = rec->site < p->nsites ? p->sites[rec->site].name : "";
	const uint8_t *bytes = NULL;
	struct lt_cap cap = { 0 };
	int64_t ret = (int64_t)rec->ret;
	int fd = (int)rec->args[0], outbound = 0;
	struct last_fd *l = &t->last[rec->tid % LAST_FDS];
	lua_State *L = t->main;

	if (!t->conns.buckets || ret <= 0)
		return LUA_OK;
	for (int i = 0; SENDS[i]; i++)
		outbound |= !strcmp(name, SENDS[i]);
	*l = (struct last_fd){ (int)rec->tid, fd, outbound, rec->ts };
	if (p->args[1].capture >= 0 &&
	    capture_value(&p->cfg, p->args[1].capture, (const uint8_t *)(rec + 1), rec->data_len,
			  &cap, &bytes))
		bytes = NULL;
	begin_out(t, L);
	t->tid = (int)rec->tid;	/* the thread a request begins on (http_link.c) */
	if (outbound) {		/* the ciphertext of an SSL_write on memory BIOs? */
		int id = tls_sock_sent(&t->tls_sock, (int)rec->tid, (int)rec->pid, rec->ts);

		if (id)
			tls_socket(t, (int)rec->pid, id, fd, rec->ts);
	}
	moved(t, (int)rec->pid, fd, 0, outbound, rec->ts + rec->duration, bytes,
	      bytes ? cap.len : 0, (uint64_t)ret);
	if (!t->out_index) {
		end_out(t, L);
		lua_pop(L, 1);
		return LUA_OK;
	}
	end_out(t, L);					/* list */
	lua_rawgeti(L, LUA_REGISTRYINDEX, t->deliver);	/* list deliver */
	lua_insert(L, -2);				/* deliver list */
	lua_pushlstring(L, rec->comm, strnlen(rec->comm, sizeof(rec->comm)));
	return script_pcall(L, 2, 0);
}

static int l_feed(lua_State *L)
{
	struct tracker *t = check(L);
	struct probe *p = l_probe_check(L, 2);

	luaL_checktype(L, 3, LUA_TFUNCTION);
	if (t->deliver == LUA_NOREF) {
		lua_pushvalue(L, 3);
		t->deliver = luaL_ref(L, LUA_REGISTRYINDEX);
		lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
		t->main = lua_tothread(L, -1);
		lua_pop(L, 1);
	}
	p->consume = consume;
	p->consume_ctx = t;
	return 0;
}

static int l_last_fd(lua_State *L)
{
	struct tracker *t = check(L);
	int tid = (int)luaL_checkinteger(L, 2);
	const struct last_fd *l = &t->last[tid % LAST_FDS];

	if (l->tid != tid || !tid)
		return 0;
	lua_pushinteger(L, l->fd);
	lua_pushinteger(L, (lua_Integer)l->ts);
	lua_pushboolean(L, l->outbound);
	return 3;
}

static void flush_one(struct conn_entry *e, void *ctx)
{
	http_conn_close(&e->http, e->last_ts);
}

/* The session ends: requests still waiting for a response are reported without one, as at
 * a close (a close the ring buffer lost would leave them unsaid). */
static int l_flush(lua_State *L)
{
	struct tracker *t = check(L);

	begin_out(t, L);
	conn_table_each(&t->conns, flush_one, NULL);
	return end_out(t, L);
}

static int l_redact(lua_State *L)
{
	struct tracker *t = check(L);
	size_t n;
	const char *s = luaL_checklstring(L, 2, &n);
	char *out = malloc(n * 2 + 64);

	if (!out)
		return luaL_error(L, "out of memory");
	redact_text(&t->redact, s, n, out, n * 2 + 64);
	lua_pushstring(L, out);
	free(out);
	return 1;
}

struct stats {
	lua_Integer dropped, opaque, h2_blocks_lost, h2_desyncs, h2_pushed;
};

static void count(struct conn_entry *e, void *ctx)
{
	struct stats *s = ctx;

	s->dropped += (lua_Integer)e->http.dropped;
	s->opaque += http_conn_opaque(&e->http);
	s->h2_blocks_lost += (lua_Integer)e->http.h2_blocks_lost;
	s->h2_desyncs += (lua_Integer)e->http.h2_desyncs;
	s->h2_pushed += (lua_Integer)e->http.h2_pushed;
}

static int l_stats(lua_State *L)
{
	struct tracker *t = check(L);
	struct stats s = { (lua_Integer)t->dropped, 0, (lua_Integer)t->h2_blocks_lost,
			   (lua_Integer)t->h2_desyncs, (lua_Integer)t->h2_pushed };

	conn_table_each(&t->conns, count, &s);
	lua_newtable(L);
	set_int(L, "conns", (lua_Integer)t->conns.count);
	set_int(L, "evicted", (lua_Integer)t->conns.evicted);
	set_int(L, "dropped", s.dropped);
	set_int(L, "opaque", s.opaque);
	set_int(L, "h2_blocks_lost", s.h2_blocks_lost);
	set_int(L, "h2_desyncs", s.h2_desyncs);
	set_int(L, "h2_pushed", s.h2_pushed);
	set_int(L, "traceparent_invalid", (lua_Integer)t->tp_invalid);
	set_int(L, "ambiguous", (lua_Integer)t->link->ambiguous);
	return 1;
}

static int l_gc(lua_State *L)
{
	struct tracker *t = luaL_checkudata(L, 1, HTTP_MT);

	if (t->conns.buckets)
		conn_table_free(&t->conns);
	luaL_unref(L, LUA_REGISTRYINDEX, t->deliver);
	t->deliver = LUA_NOREF;
	redact_free(&t->redact);
	free(t->link);
	t->link = NULL;
	for (int i = 0; i < INTEREST_MAX && t->interest[i]; i++)
		free(t->interest[i]);
	memset(t->interest, 0, sizeof(t->interest));
	return 0;
}

/* The strings of opts[key] (a list), lower-cased when lower: their count. */
static int strings(lua_State *L, const char *key, const char **out, int max, int lower,
		   char *copies[])
{
	int n = 0;

	lua_getfield(L, 1, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	luaL_argcheck(L, lua_istable(L, -1), 1, "headers and redact are lists of strings");
	for (lua_Integer i = 1; i <= luaL_len(L, -1); i++) {
		lua_geti(L, -1, i);
		if (!lua_isstring(L, -1))
			luaL_error(L, "proto.http: %s[%d] is not a string", key, (int)i);
		if (n == max)
			luaL_error(L, "proto.http: at most %d %s", max, key);
		out[n] = lua_tostring(L, -1);
		if (copies) {
			copies[n] = strdup(out[n]);
			for (char *c = copies[n]; lower && c && *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		}
		lua_pop(L, 1);
		n++;
	}
	lua_pop(L, 1);
	return n;
}

static int l_http(lua_State *L)
{
	const char *patterns[REDACT_MAX + 1], *names[INTEREST_MAX];
	char err[256];
	struct tracker *t;
	lua_Integer max;
	int np;

	if (lua_isnoneornil(L, 1)) {
		lua_settop(L, 0);
		lua_newtable(L);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "max_conns");
	max = luaL_optinteger(L, -1, 4096);
	lua_pop(L, 1);
	luaL_argcheck(L, max >= 1 && max <= 1 << 20, 1, "max_conns: 1..1048576");
	t = lua_newuserdatauv(L, sizeof(*t), 0);
	memset(t, 0, sizeof(*t));
	t->deliver = LUA_NOREF;
	luaL_setmetatable(L, HTTP_MT);
	strings(L, "headers", names, INTEREST_MAX, 1, t->interest);
	np = strings(L, "redact", patterns, REDACT_MAX + 1, 0, NULL);
	if (np > REDACT_MAX)
		return luaL_error(L, "proto.http: at most %d redact patterns", REDACT_MAX);
	if (redact_init(&t->redact, patterns, np, err, sizeof(err)))
		return luaL_error(L, "%s", err);
	if (conn_table_init(&t->conns, (size_t)max) || !(t->link = calloc(1, sizeof(*t->link))))
		return luaL_error(L, "out of memory");
	return 1;
}

static int luaopen_ltrace_proto(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "data", l_data }, { "opened", l_opened }, { "bound", l_bound }, { "close", l_close },
		{ "flush", l_flush }, { "feed", l_feed }, { "last_fd", l_last_fd },
		{ "tls_socket", l_tls_socket }, { "tls_wrote", l_tls_wrote },
		{ "tcp_state", l_tcp_state }, { "connected", l_connected },
		{ "redact", l_redact }, { "stats", l_stats }, { "__gc", l_gc }, { NULL, NULL },
	};
	static const luaL_Reg fns[] = { { "http", l_http }, { NULL, NULL } };

	luaL_newmetatable(L, HTTP_MT);
	luaL_setfuncs(L, methods, 0);
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	luaL_newlib(L, fns);
	return 1;
}

void l_proto_preload(lua_State *L)
{
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);	/* preload */
	lua_pushcfunction(L, luaopen_ltrace_proto);
	lua_setfield(L, -2, "ltrace.proto");
	lua_pop(L, 1);
}
