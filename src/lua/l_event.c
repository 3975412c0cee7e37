/* The event view passed to callbacks: one userdata, reused for every record, that decodes
 * a field only when the script reads it (no table per event). `e.args` is a second reusable
 * userdata indexing the same record. A view is valid only during its callback; e:table()
 * copies what a script wants to keep. */
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "event.h"
#include "l_probe_value.h"
#include "l_span.h"
#include "l_stack.h"
#include "probe.h"
#include "script_call.h"
#include "session.h"

#define EVENT_MT "ltrace.event"
#define ARGS_MT "ltrace.args"

struct event_view {
	const struct lt_rec *rec;
	const uint8_t *data;
	struct probe *p;
};

static struct event_view *check_view(lua_State *L, int idx, const char *mt)
{
	struct event_view **v = luaL_checkudata(L, idx, mt);

	if (!(*v)->rec)
		luaL_error(L, "event used outside its callback (copy it with e:table())");
	return *v;
}

/* Pushes a value per its format: a capture (string, or a word read from memory) or the
 * register itself. A capture that faulted is nil. */
static void push_value(lua_State *L, const struct event_view *v, const struct value_fmt *f,
		       uint64_t raw)
{
	struct lt_cap cap;
	const uint8_t *bytes;
	uint64_t word = 0;

	if (f->capture < 0) {
		lua_pushinteger(L, value_extend(f->type, raw));
		return;
	}
	if (capture_value(&v->p->cfg, f->capture, v->data, v->rec->data_len, &cap, &bytes) ||
	    (cap.flags & LT_CAP_FAULT)) {
		lua_pushnil(L);
		return;
	}
	if (f->type == VT_STR || f->type == VT_BYTES) {
		lua_pushlstring(L, (const char *)bytes, cap.len);
		return;
	}
	memcpy(&word, bytes, cap.len < 8 ? cap.len : 8);
	lua_pushinteger(L, value_extend(f->type, word));
}

/* How many arguments the event has: the 6 registers, and the stack arguments the probe
 * reads (7.. , captures made at entry). */
static int nargs_of(const struct probe *p)
{
	int n = LT_MAX_CALL_ARGS;

	while (n > LT_MAX_ARGS && p->args[n - 1].capture < 0)
		n--;
	return n;
}

/* Pushes argument i (0-based): a register or what the probe captured for it. */
static void push_arg(lua_State *L, const struct event_view *v, int i)
{
	if (i < LT_MAX_ARGS)
		push_value(L, v, &v->p->args[i], v->rec->args[i]);
	else if (v->p->args[i].capture >= 0)
		push_value(L, v, &v->p->args[i], 0);
	else
		lua_pushnil(L);
}

static int l_args_index(lua_State *L)
{
	struct event_view *v = check_view(L, 1, ARGS_MT);
	lua_Integer i = luaL_checkinteger(L, 2);

	if (i < 1 || (i > LT_MAX_ARGS && i > nargs_of(v->p)) || v->rec->type == LT_REC_RETURN)
		lua_pushnil(L);
	else
		push_arg(L, v, i - 1);
	return 1;
}

static int l_args_len(lua_State *L)
{
	lua_pushinteger(L, nargs_of(check_view(L, 1, ARGS_MT)->p));
	return 1;
}

static const char *const type_names[] = { [LT_REC_TP] = "tracepoint", [LT_REC_SYSCALL] = "syscall",
					  [LT_REC_ENTRY] = "entry", [LT_REC_RETURN] = "return",
					  [LT_REC_CALL] = "call" };

/* Field names sorted for bsearch. */
enum field { F_ARGS, F_COMM, F_CPU, F_DURATION, F_FUNC, F_HELD, F_KSTACK, F_PID, F_PROBE, F_RET,
	     F_TID, F_TS, F_TYPE, F_USTACK };
static const char *const fields[] = { "args", "comm", "cpu", "duration", "func", "held", "kstack",
				      "pid", "probe", "ret", "tid", "ts", "type", "ustack" };

static int cmp_field(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int push_field(lua_State *L, struct event_view *v, enum field f)
{
	const struct lt_rec *r = v->rec;

	switch (f) {
	case F_ARGS: lua_getiuservalue(L, 1, 1); break;
	case F_COMM: lua_pushlstring(L, r->comm, strnlen(r->comm, sizeof(r->comm))); break;
	case F_CPU: lua_pushinteger(L, r->cpu); break;
	case F_DURATION: lua_pushinteger(L, r->duration); break;
	case F_FUNC: lua_pushstring(L, r->site < v->p->nsites ? v->p->sites[r->site].name : "?"); break;
	/* The thread was stopped at this record (hold, lossless) until its callback ran. */
	case F_HELD: lua_pushboolean(L, r->flags & LT_RF_HELD); break;
	case F_PID: lua_pushinteger(L, r->pid); break;
	case F_PROBE: lua_pushstring(L, v->p->text); break;
	case F_RET:
		if (r->type == LT_REC_ENTRY)
			lua_pushnil(L);
		else
			push_value(L, v, &v->p->ret, r->ret);
		break;
	case F_TID: lua_pushinteger(L, r->tid); break;
	case F_TS: lua_pushinteger(L, r->ts); break;
	case F_TYPE: lua_pushstring(L, type_names[r->type <= LT_REC_SYSCALL ? r->type : 0] ?: "?"); break;
	case F_KSTACK: l_stack_push_record(L, v->p, r, v->data, true); break;
	case F_USTACK: l_stack_push_record(L, v->p, r, v->data, false); break;
	}
	return 1;
}

static int l_event_table(lua_State *L);

static int l_event_index(lua_State *L)
{
	struct event_view *v = check_view(L, 1, EVENT_MT);
	const char *key = luaL_checkstring(L, 2);
	const char *const *f = bsearch(key, fields, sizeof(fields) / sizeof(fields[0]),
				       sizeof(fields[0]), cmp_field);

	if (f)
		return push_field(L, v, f - fields);
	if (l_push_kind_field(L, v->p, v->rec, v->data, key))
		return 1;
	if (!strcmp(key, "table")) {
		lua_pushcfunction(L, l_event_table);
		return 1;
	}
	return luaL_error(L, "event has no field '%s'", key);
}

/* A plain table copy: fields plus args as a sequence. */
static int l_event_table(lua_State *L)
{
	struct event_view *v = check_view(L, 1, EVENT_MT);

	lua_createtable(L, 0, 12);					/* t */
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (i == F_ARGS)
			continue;
		push_field(L, v, i);					/* t val */
		lua_setfield(L, -2, fields[i]);				/* t */
	}
	lua_createtable(L, nargs_of(v->p), 0);				/* t args */
	for (int i = 0; i < nargs_of(v->p) && v->rec->type != LT_REC_RETURN; i++) {
		push_arg(L, v, i);					/* t args val */
		lua_rawseti(L, -2, i + 1);				/* t args */
	}
	lua_setfield(L, -2, "args");					/* t */
	return 1;
}

static int l_event_tostring(lua_State *L)
{
	struct event_view **v = luaL_checkudata(L, 1, EVENT_MT);

	lua_pushfstring(L, "event(%s)", (*v)->rec ? (*v)->p->text : "stale");
	return 1;
}

static struct event_view the_view;
static void dispatch(void *ctx, struct session *s, const struct lt_rec *rec);
static const char VIEW_KEY = 'v';

void l_event_open(lua_State *L)
{
	struct event_view **ev, **av;
	struct session *s;

	luaL_newmetatable(L, ARGS_MT);				/* amt */
	lua_pushcfunction(L, l_args_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, l_args_len);
	lua_setfield(L, -2, "__len");
	lua_pop(L, 1);						/* */
	l_stack_open(L);
	luaL_newmetatable(L, EVENT_MT);				/* emt */
	lua_pushcfunction(L, l_event_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, l_event_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);						/* */

	ev = lua_newuserdatauv(L, sizeof(*ev), 1);		/* ev */
	*ev = &the_view;
	luaL_setmetatable(L, EVENT_MT);
	av = lua_newuserdatauv(L, sizeof(*av), 0);		/* ev av */
	*av = &the_view;
	luaL_setmetatable(L, ARGS_MT);
	lua_setiuservalue(L, -2, 1);				/* ev */
	lua_rawsetp(L, LUA_REGISTRYINDEX, &VIEW_KEY);		/* */
	/* Records reach the callbacks from now on, run on the main thread (this may be
	 * opened from a coroutine); script_close removes the sink. */
	if (!(s = script_session(L)))
		return;
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);	/* main */
	session_set_sink(s, dispatch, lua_tothread(L, -1));
	lua_pop(L, 1);						/* */
}

/* The session's sink (installed by l_event_open): hands one record to its probe's
 * callback; errors are reported and stop the session unless it keeps going. */
static void dispatch(void *ctx, struct session *s, const struct lt_rec *rec)
{
	lua_State *L = ctx;
	struct probe *p;
	int status;

	p = session_probe(s, rec->probe);
	if (p && p->span && !s->stopping && rec->type == LT_REC_CALL) {
		l_span_call(p, rec);
		if (p->callback == LUA_NOREF)	/* its records are for the spans alone */
			return;
	}
	if (p && p->consume && !s->stopping) {	/* taken in C: no event view, no call */
		s->events++;
		status = p->consume(p->consume_ctx, p, rec);
		if (script_callback_failed(L, status, "callback of", p->text) &&
		    !s->opts.keep_going) {
			s->error = 1;
			session_stop(s, 1);
		}
		return;
	}
	if (!p || p->callback == LUA_NOREF || s->stopping) {
		s->lost_lua++;
		return;
	}
	s->events++;
	the_view = (struct event_view){ rec, (const uint8_t *)(rec + 1), p };
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->callback);		/* fn */
	lua_rawgetp(L, LUA_REGISTRYINDEX, &VIEW_KEY);		/* fn ev */
	status = script_pcall(L, 1, 0);
	the_view.rec = NULL;
	if (script_callback_failed(L, status, "callback of", p->text) && !s->opts.keep_going) {
		s->error = 1;
		session_stop(s, 1);
	}
}

