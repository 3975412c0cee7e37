/* require("ltrace.core"): the small C surface the Lua DSL is built on. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "elf_symbols.h"
#include "event.h"
#include "fd_limit.h"
#include "l_core.h"
#include "l_json.h"
#include "l_span.h"
#include "libpath.h"
#include "probe.h"
#include "script_call.h"
#include "session.h"
#include "session_stacks.h"
#include "spec.h"
#include "stack.h"
#include "unwind_guard.h"
#include "uprobe_programs.h"
#include "l_check.h"

/* core.exit([code]) ends the session after the current callback. */
static int l_exit(lua_State *L)
{
	struct session *s = script_session(L);

	s->exit_called = true;
	session_stop(s, lua_isnoneornil(L, 1) ? 0 : (int)l_check_range(L, 1, "exit code", 0, 255));
	return 0;
}

static int l_counters(lua_State *L)
{
	struct session *s = script_session(L);

	lua_createtable(L, 0, LT_CNT_MAX + 3);
	for (int i = 0; i < LT_CNT_MAX; i++) {
		lua_pushinteger(L, (lua_Integer)session_counter(s, i));
		lua_setfield(L, -2, session_counter_name(i));
	}
	lua_pushinteger(L, (lua_Integer)s->lost_lua);
	lua_setfield(L, -2, "lost_detached");
	lua_pushinteger(L, (lua_Integer)stack_maps_lost(s));
	lua_setfield(L, -2, "maps_lost");
	lua_pushinteger(L, (lua_Integer)s->events);
	lua_setfield(L, -2, "events");
	return 1;
}

static int l_target(lua_State *L)
{
	struct session *s = script_session(L);

	if (s->opts.have_target)
		lua_pushinteger(L, s->opts.pid);
	else
		lua_pushnil(L);
	return 1;
}

static bool any_probe(const struct session *s)
{
	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i])
			return true;
	return false;
}

/* core.trace_pid(pid): pid joins the traced set. In a session without a target and before
 * any probe, it also becomes the target, as -p PID would: user probes attached from then
 * on are limited to it by the kernel, so other processes do not trap into them. */
static int l_trace_pid(lua_State *L)
{
	struct session *s = script_session(L);
	int pid = (int)l_check_range(L, 1, "trace_pid: the pid", 1, LT_PID_MAX), rc;

	if ((rc = session_load(s)) || (rc = session_trace_pid(s, pid)))
		return luaL_error(L, "cannot trace pid %d: %s", pid, strerror(-rc));
	if (!s->opts.have_target && !any_probe(s)) {
		s->opts.pid = pid;
		s->opts.have_target = true;
	}
	return 0;
}

struct list_ctx {
	lua_State *L;
	int n;
};

static void list_emit(void *ctx, const char *name)
{
	struct list_ctx *x = ctx;

	lua_pushstring(x->L, name);				/* t name */
	lua_rawseti(x->L, -2, ++x->n);				/* t */
}

/* Kinds that list their own probe points (USDT notes, kernel functions ...). */
static int list_provider(lua_State *L, const struct provider *pv, const struct spec *spec,
			 const char *pattern)
{
	struct list_ctx x = { L, 0 };
	char err[512] = "";

	lua_newtable(L);					/* t */
	if (pv->list(script_session(L), spec, script_verbose, list_emit, &x, err, sizeof(err))) {
		lua_pop(L, 1);					/* */
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", pattern, err);
		return 2;
	}
	return 1;
}

/* core.list("libc:str*") -> { "libc.so.6:strlen", ... } or nil, message */
static int l_list(lua_State *L)
{
	struct session *s = script_session(L);
	const char *pattern = luaL_checkstring(L, 1);
	char path[4096], err[512];
	struct elf_func_list list = {};
	const struct provider *pv;
	struct spec spec;
	int rc;

	if (!spec_parse(pattern, &spec, err, sizeof(err)) && (pv = provider_for(spec.kind)) &&
	    pv->list)
		return list_provider(L, pv, &spec, pattern);
	if (spec_parse(pattern, &spec, err, sizeof(err)) || !spec_is_user(spec.kind)) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", pattern, spec_is_user(spec.kind) ? err :
				"only LIB:FUNC patterns can be listed so far");
		return 2;
	}
	if (libpath_resolve(spec.lib, s->opts.pid, path, sizeof(path), err, sizeof(err))) {
		lua_pushnil(L);
		lua_pushfstring(L, "library '%s' not found: %s", spec.lib, err);
		return 2;
	}
	if ((rc = elf_funcs_match(path, spec.func, &list, NULL, NULL, 0)) && rc != -ENOTSUP) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", path, strerror(-rc));
		return 2;
	}
	lua_createtable(L, list.n, 0);
	for (size_t i = 0; i < list.n; i++) {
		lua_pushfstring(L, "%s:%s", path, list.v[i].name);
		lua_rawseti(L, -2, i + 1);
	}
	elf_func_list_free(&list);
	return 1;
}

static int l_parse_duration(lua_State *L)
{
	uint64_t ns;

	if (spec_parse_duration(luaL_checkstring(L, 1), &ns))
		return luaL_error(L, "bad duration '%s'", lua_tostring(L, 1));
	lua_pushinteger(L, (lua_Integer)ns);
	return 1;
}

static int l_drain(lua_State *L)
{
	session_drain(script_session(L));
	return 0;
}

/* core.ringbuf_size(bytes): before the first probe; rounded up to a power of two. */
static int l_ringbuf_size(lua_State *L)
{
	struct session *s = script_session(L);
	lua_Integer want = luaL_checkinteger(L, 1);
	uint32_t size = 4096;

	luaL_argcheck(L, want > 0 && want <= (1 << 30), 1, "size must be 1 byte to 1 GiB");
	if (s->skel)
		return luaL_error(L, "ringbuf_size() must be called before the first probe");
	while (size < want)
		size <<= 1;
	s->ringbuf_size = size;
	return 0;
}

/* core.keep_going(bool): report callback errors and continue (what -k does). */
static int l_keep_going(lua_State *L)
{
	script_session(L)->opts.keep_going = lua_toboolean(L, 1);
	return 0;
}

/* core.unwind_guard() -> "active" | "unneeded" | "unavailable", why: whether return probes
 * are safe from exceptions in this session's target (src/probes/uprobe/unwind_guard.c).
 * Asking takes the warning over: the caller handles an unguarded target. */
static int l_unwind_guard(lua_State *L)
{
	static const char *const names[] = { [GUARD_UNNEEDED] = "unneeded",
					      [GUARD_ACTIVE] = "active",
					      [GUARD_UNAVAILABLE] = "unavailable" };
	char why[160] = "";

	lua_pushstring(L, names[unwind_guard_ensure(script_session(L), true, why, sizeof(why))]);
	lua_pushstring(L, why);
	return 2;
}

/* core.hold_execs(bool) -> "ptrace" | "signal": with -f, a traced process that execs
 * stops until core.resume(pid) (the ltrace front end probes the new program meanwhile);
 * how it stops: a ptrace stop nothing else sees, or a SIGSTOP (the process is traced by a
 * debugger already) whose signal_deliver the caller may want to hide. */
static int l_hold_execs(lua_State *L)
{
	struct session *s = script_session(L);
	int rc = session_hold_execs(s, lua_toboolean(L, 1));

	if (rc == -EINVAL)
		return luaL_error(L, "hold_execs: only with -f (no followed processes)");
	if (rc)
		return luaL_error(L, "hold_execs: %s", strerror(-rc));
	lua_pushstring(L, s->hold.ptraced ? "ptrace" : "signal");
	return 1;
}

/* core.resume(pid): a process held at exec runs again. */
static int l_resume(lua_State *L)
{
	int rc = exec_hold_resume_exec(&script_session(L)->hold, (int)luaL_checkinteger(L, 1));

	if (rc) {
		luaL_pushfail(L);
		lua_pushstring(L, strerror(-rc));
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

/* core.prefetch({ {"uprobe", "plain"}, {"call", "sleepable"}, ... }): kinds "uprobe",
 * "uretprobe", "call", builds "plain", "sleepable", "lean". Starts verifying those
 * programs in the background, in parallel, before the probes that will need them
 * (uprobe_programs_prefetch). A hint: nothing fails later for a wrong one. */
static int l_prefetch(lua_State *L)
{
	static const char *const groups[] = { [TMPL_ENTRY] = "uprobe", [TMPL_RETURN] = "uretprobe",
					      [TMPL_CALL] = "call", NULL };
	static const char *const builds[] = { [TMPL_PLAIN] = "plain",
					      [TMPL_SLEEPABLE] = "sleepable",
					      [TMPL_LEAN] = "lean", NULL };
	bool want[TMPL_GROUPS][TMPL_VARIANTS] = {};
	int rc;

	luaL_checktype(L, 1, LUA_TTABLE);
	for (lua_Integer k = 1; lua_geti(L, 1, k) != LUA_TNIL; k++) {
		int g, v;

		luaL_checktype(L, -1, LUA_TTABLE);
		lua_geti(L, -1, 1);
		lua_geti(L, -2, 2);
		g = luaL_checkoption(L, -2, NULL, groups);
		v = luaL_checkoption(L, -1, NULL, builds);
		want[g][v] = true;
		lua_pop(L, 3);
	}
	lua_pop(L, 1);	/* the nil that ended the list */
	if ((rc = uprobe_programs_prefetch(script_session(L), want))) {
		luaL_pushfail(L);
		lua_pushstring(L, strerror(-rc));
		return 2;
	}
	lua_pushboolean(L, 1);
	return 1;
}

static int l_stopping(lua_State *L)
{
	lua_pushboolean(L, script_session(L)->stopping);
	return 1;
}

/* core.fd_limit_inherited(): the open-file soft limit the tool was started with (it runs
 * with its hard limit: src/base/fd_limit.h), for a shell that starts a target. */
static int l_fd_limit_inherited(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)fd_limit_inherited());
	return 1;
}

int luaopen_ltrace_core(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "probe", l_probe_new },	{ "timer", l_timer_new },
		{ "exit", l_exit },		{ "counters", l_counters },
		{ "target", l_target },		{ "trace_pid", l_trace_pid },
		{ "list", l_list },		{ "parse_duration", l_parse_duration },
		{ "drain", l_drain },		{ "stopping", l_stopping },
		{ "keep_going", l_keep_going },	{ "ringbuf_size", l_ringbuf_size },
		{ "unwind_guard", l_unwind_guard },
		{ "hold_execs", l_hold_execs },	{ "resume", l_resume },
		{ "prefetch", l_prefetch },
		{ "create", l_file_create },	{ "read_file", l_file_read },
		{ "export_prometheus", l_export_prometheus },
		{ "otlp_span", l_span_new },	{ "otlp_config", l_span_config },
		{ "fd_limit_inherited", l_fd_limit_inherited },
		{ NULL, NULL },
	};

	l_probe_open(L);
	l_timer_open(L);
	l_event_open(L);
	luaL_newlib(L, fns);
	l_json_open(L);
	return 1;
}
