/* l_span.h: records and export.span{} -> struct otlp_span -> the nest (parent/child of
 * calls on a thread) or straight to the sender. Runs on the event loop's thread only. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_check.h"
#include "l_span.h"
#include "loop.h"
#include "otlp.h"
#include "trace_ids.h"
#include "otlp_nest.h"
#include "probe.h"
#include "provider.h"
#include "script_call.h"
#include "session.h"
#include "spec.h"
#include "traceparent.h"

#define COMMS 64	/* processes whose comm is remembered (service.name) */

static struct {
	struct otlp *o;			/* NULL: --otlp is off */
	struct otlp_nest *nest;
	struct session *s;
	struct loop_timer *aging;
	char *service;			/* export.otlp{service=}; NULL: the process's comm */
	int64_t mono_to_unix;		/* CLOCK_REALTIME - CLOCK_MONOTONIC at attach */
	struct { uint32_t pid; char comm[16]; } comms[COMMS];
	unsigned ncomms;
} st;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void emit(void *ctx, struct otlp_span *sp)
{
	otlp_submit(st.o, sp);
}

static void age(void *ctx, struct loop_timer *t)
{
	otlp_nest_age(st.nest, clock_ns(CLOCK_REALTIME), OTLP_NEST_HOLD_MS);
}

void l_span_attach(lua_State *L, struct otlp *o)
{
	struct session *s = script_session(L);

	if (!o || !s || !(st.nest = otlp_nest_new(emit, NULL)))
		return;
	st.o = o;
	st.s = s;
	st.mono_to_unix = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
	/* Trees whose root waited long enough go even while no record comes; the timer does
	 * not keep the session alive (internal). */
	if ((st.aging = loop_add_timer(s->loop, OTLP_NEST_HOLD_MS * 250000ull, true, age, NULL)))
		loop_timer_internal(st.aging);
}

void l_span_detach(void)
{
	if (st.aging)
		loop_del_timer(st.s->loop, st.aging);
	otlp_nest_free(st.nest);
	free(st.service);
	st = (typeof(st)){ 0 };
}

/* ---- paired calls -------------------------------------------------------------------- */

/* A paired call's record (LT_REC_CALL): a user function's (call:) or a kernel function's
 * (kcall:), both with LT_CFG_CALL from their provider; syscall: and offcpu: durations have
 * records of their own. Asked of the providers, not by kind names (test_layers). */
static bool paired(const struct probe *p)
{
	return (p->cfg.flags & LT_CFG_CALL) &&
	       (spec_is_user(p->spec.kind) || !strcmp(p->provider->name, "kprobe"));
}

void l_span_option(lua_State *L, int t, struct probe *p)
{
	int type = t ? lua_getfield(L, t, "span") : LUA_TNIL;

	if (type != LUA_TNIL && type != LUA_TBOOLEAN)
		luaL_error(L, "option 'span': expected true or false");
	if (type == LUA_TBOOLEAN && lua_toboolean(L, -1) && !paired(p))
		luaL_error(L, "option 'span': spans are made of paired calls (call:, kcall:); "
			   "export.span{} makes others");
	/* Under --otlp every paired call is a span unless the script says span = false. */
	p->span = st.o && paired(p) && (type == LUA_TNIL || lua_toboolean(L, -1));
	if (t)
		lua_pop(L, 1);
	if (p->span)
		p->cfg.flags |= LT_CFG_EMIT;	/* a probe without a callback sends records too */
}

/* The process's name for service.name: its comm, read once per process (a thread's comm
 * may be its own); the record's when the process is gone. */
static const char *process_comm(uint32_t pid, const char *fallback, size_t len)
{
	char path[32], buf[17];
	unsigned i;
	ssize_t n;
	int fd;

	for (i = 0; i < st.ncomms && i < COMMS; i++)
		if (st.comms[i].pid == pid)
			return st.comms[i].comm;
	i = st.ncomms++ % COMMS;
	st.comms[i].pid = pid;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0 && (n = read(fd, buf, 16)) > 0) {
		while (n && buf[n - 1] == '\n')
			n--;
		memcpy(st.comms[i].comm, buf, n);
		st.comms[i].comm[n] = 0;
	} else {
		len = strnlen(fallback, len < 15 ? len : 15);
		memcpy(st.comms[i].comm, fallback, len);
		st.comms[i].comm[len] = 0;
	}
	if (fd >= 0)
		close(fd);
	return st.comms[i].comm;
}

void l_span_call(const struct probe *p, const struct lt_rec *rec)
{
	const char *func = rec->site < p->nsites ? p->sites[rec->site].name : "?";
	struct otlp_span *sp;
	size_t clen = strnlen(rec->comm, sizeof(rec->comm));

	if (!st.o || !(sp = otlp_span_new(func)))
		return;
	trace_random_id(sp->span_id, 8);
	sp->start_ns = rec->ts + st.mono_to_unix;
	sp->end_ns = sp->start_ns + rec->duration;
	sp->pid = rec->pid;
	if (otlp_span_service(sp, st.service ? st.service :
			      process_comm(rec->pid, rec->comm, clen)) ||
	    otlp_span_str(sp, "code.function", func, strlen(func)) ||
	    otlp_span_int(sp, "thread.id", rec->tid) ||
	    otlp_span_str(sp, "thread.name", rec->comm, clen) ||
	    otlp_span_str(sp, "ltrace.probe", p->text, strlen(p->text)) ||
	    otlp_span_int(sp, "ltrace.return", (int64_t)rec->ret)) {
		otlp_span_free(sp);
		return;
	}
	otlp_nest_add(st.nest, rec->tid, sp);
}

/* ---- export.span{}, export.otlp{} -------------------------------------------------- */

static int64_t opt_ns(lua_State *L, int t, const char *key, int64_t dflt)
{
	int64_t v = dflt;

	if (lua_getfield(L, t, key) != LUA_TNIL) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0)
			luaL_error(L, "export.span: '%s' must be an integer of nanoseconds >= 0", key);
		v = lua_tointeger(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

static int opt_choice(lua_State *L, int t, const char *key, const char *const *names, int dflt)
{
	int v = dflt;

	if (lua_getfield(L, t, key) != LUA_TNIL) {
		const char *s = lua_tostring(L, -1);

		for (v = 0; s && names[v] && strcmp(names[v], s); v++)
			;
		if (!s || !names[v])
			luaL_error(L, "export.span: '%s' must be one of %s ...", key, names[1]);
	}
	lua_pop(L, 1);
	return v;
}

/* attrs = { key = string | integer | number | boolean }: raises on anything else, before
 * a span is allocated. */
static void check_attrs(lua_State *L, int t)
{
	int type = lua_getfield(L, t, "attrs");

	if (type != LUA_TNIL && type != LUA_TTABLE)
		luaL_error(L, "export.span: 'attrs' must be a table");
	for (lua_pushnil(L); type == LUA_TTABLE && lua_next(L, -2); lua_pop(L, 1)) {
		int vt = lua_type(L, -1);

		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "export.span: attrs keys must be strings");
		if (vt != LUA_TSTRING && vt != LUA_TNUMBER && vt != LUA_TBOOLEAN)
			luaL_error(L, "export.span: attribute '%s' must be a string, number or "
				   "boolean", lua_tostring(L, -2));
	}
	lua_pop(L, 1);
}

/* The attributes check_attrs allowed; -ENOMEM or 0. */
static int add_attrs(lua_State *L, int t, struct otlp_span *sp)
{
	int rc = 0;

	if (lua_getfield(L, t, "attrs") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		const char *key = lua_tostring(L, -2);
		size_t len;

		switch (lua_type(L, -1)) {
		case LUA_TSTRING: {
			const char *v = lua_tolstring(L, -1, &len);	/* len set before use */

			rc = rc ?: otlp_span_str(sp, key, v, len);
			break;
		}
		case LUA_TNUMBER:
			rc = rc ?: lua_isinteger(L, -1) ? otlp_span_int(sp, key, lua_tointeger(L, -1)) :
						    otlp_span_double(sp, key, lua_tonumber(L, -1));
			break;
		default:
			rc = rc ?: otlp_span_bool(sp, key, lua_toboolean(L, -1));
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

static bool opt_traceparent(lua_State *L, int t, const char *key, const char *what,
			    uint8_t trace[16], uint8_t span[8])
{
	bool set = false;

	if (lua_getfield(L, t, key) != LUA_TNIL && lua_toboolean(L, -1)) {
		const char *tp = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";

		if (!traceparent_ids_parse(tp, trace, span))
			luaL_error(L, "%s: '%s' is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 "
				   "hex>): '%s'", what, key, tp);
		set = true;
	}
	lua_pop(L, 1);
	return set;
}

/* key = an id as lowercase hex (trace: 16 bytes, id: 8): true when given. */
static bool opt_id(lua_State *L, int t, const char *key, uint8_t *id, size_t n)
{
	size_t len = 0;
	const char *s;

	if (lua_getfield(L, t, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return false;
	}
	s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : "";
	if (!traceparent_id_parse(s, len, id, n))
		luaL_error(L, "export.span: '%s' must be %d lowercase hex digits, not all zero",
			   key, (int)(2 * n));
	lua_pop(L, 1);
	return true;
}

static struct {
	bool set;
	uint8_t trace[16], span[8];
} session_parent;	/* export.otlp{traceparent=}: also for export.span without parent */

int l_span_new(lua_State *L)
{
	static const char *const keys[] = { "name", "start", "duration", "attrs", "parent",
					    "kind", "status", "message", "pid", "trace", "id",
					    "tracestate", NULL };
	static const char *const kinds[] = { "unspecified", "internal", "server", "client",
					     "producer", "consumer", NULL };
	static const char *const codes[] = { "unset", "ok", "error", NULL };
	uint8_t trace[16], parent[8], own_trace[16], own_id[8];
	char tp[TRACEPARENT_LEN + 1];
	struct otlp_span *sp;
	int64_t start, duration, pid;
	const char *name, *message, *trace_state;
	bool has_parent, has_trace, has_id;
	int kind, status;

	luaL_checktype(L, 1, LUA_TTABLE);
	l_check_keys(L, 1, "export.span", keys);
	if (lua_getfield(L, 1, "name") != LUA_TSTRING)
		return luaL_error(L, "export.span: 'name' (a string) is needed");
	name = lua_tostring(L, -1);
	duration = opt_ns(L, 1, "duration", 0);
	start = opt_ns(L, 1, "start", (int64_t)clock_ns(CLOCK_MONOTONIC) - duration);
	pid = opt_ns(L, 1, "pid", st.s ? st.s->opts.pid : 0);
	kind = opt_choice(L, 1, "kind", kinds, OTLP_KIND_INTERNAL);
	status = opt_choice(L, 1, "status", codes, OTLP_STATUS_UNSET);
	has_parent = opt_traceparent(L, 1, "parent", "export.span", trace, parent);
	/* trace, id: a span whose ids were decided elsewhere (a request's: lua/http.lua) */
	has_trace = opt_id(L, 1, "trace", own_trace, 16);
	has_id = opt_id(L, 1, "id", own_id, 8);
	if (has_trace && has_parent && memcmp(trace, own_trace, 16))
		return luaL_error(L, "export.span: 'trace' is not the trace of 'parent'");
	lua_getfield(L, 1, "message");
	message = luaL_optstring(L, -1, NULL);
	lua_getfield(L, 1, "tracestate");	/* as it came: W3C's vendor entries */
	trace_state = luaL_optstring(L, -1, NULL);
	check_attrs(L, 1);	/* everything that can raise is done before the span exists */
	if (!has_parent && !has_trace && (has_parent = session_parent.set)) {
		memcpy(trace, session_parent.trace, 16);
		memcpy(parent, session_parent.span, 8);
	}
	if (!(sp = otlp_span_new(name)))
		return luaL_error(L, "out of memory");
	if (has_parent) {
		memcpy(sp->trace_id, trace, 16);
		memcpy(sp->parent_id, parent, 8);
	} else if (has_trace) {
		memcpy(sp->trace_id, own_trace, 16);
	} else {
		trace_random_id(sp->trace_id, 16);
	}
	sp->has_parent = has_parent;
	if (has_id)
		memcpy(sp->span_id, own_id, 8);
	else
		trace_random_id(sp->span_id, 8);
	sp->kind = kind;
	sp->status = status;
	sp->start_ns = start + st.mono_to_unix;
	sp->end_ns = sp->start_ns + duration;
	sp->pid = pid;
	if ((message && !(sp->status_msg = strdup(message))) ||
	    (trace_state && !(sp->trace_state = strdup(trace_state))) || add_attrs(L, 1, sp)) {
		otlp_span_free(sp);
		return luaL_error(L, "out of memory");
	}
	traceparent_format(tp, sp->trace_id, sp->span_id);
	if (st.o && !otlp_span_service(sp, st.service ? st.service :
				       pid ? process_comm(pid, "?", 1) : "ltrace-ebpf"))
		otlp_submit(st.o, sp);
	else
		otlp_span_free(sp);
	lua_pushstring(L, tp);
	return 1;
}

int l_span_config(lua_State *L)
{
	static const char *const keys[] = { "service", "traceparent", NULL };
	struct otlp_stats s = { 0 };

	if (!lua_isnoneornil(L, 1)) {
		luaL_checktype(L, 1, LUA_TTABLE);
		l_check_keys(L, 1, "export.otlp", keys);
		if (lua_getfield(L, 1, "service") != LUA_TNIL) {
			char *copy = strdup(luaL_checkstring(L, -1));

			if (!copy)
				return luaL_error(L, "out of memory");
			free(st.service);
			st.service = copy;
		}
		lua_pop(L, 1);
		if (lua_getfield(L, 1, "traceparent") == LUA_TBOOLEAN && !lua_toboolean(L, -1))
			session_parent.set = false;	/* traceparent = false: new traces again */
		lua_pop(L, 1);
		if (opt_traceparent(L, 1, "traceparent", "export.otlp", session_parent.trace,
				    session_parent.span))
			session_parent.set = true;
		if (st.nest)
			otlp_nest_set_parent(st.nest, session_parent.set ? session_parent.trace : NULL,
					     session_parent.set ? session_parent.span : NULL);
	}
	if (st.o)
		otlp_get_stats(st.o, &s);
	lua_createtable(L, 0, 6);
	lua_pushboolean(L, st.o != NULL);
	lua_setfield(L, -2, "enabled");
	lua_pushinteger(L, (lua_Integer)s.queued);
	lua_setfield(L, -2, "queued");
	lua_pushinteger(L, (lua_Integer)s.sent);
	lua_setfield(L, -2, "sent");
	lua_pushinteger(L, (lua_Integer)(s.dropped_full + s.dropped_failed));
	lua_setfield(L, -2, "dropped");
	lua_pushinteger(L, (lua_Integer)s.retries);
	lua_setfield(L, -2, "retries");
	return 1;
}
