/* require("ltrace.native"): the few things the ltrace front end (lua/ltrace.lua, lua/ltrace/) needs
 * from C and the probe API does not give: what an executable imports through its PLT and
 * GOT, its code range and dynamic names, library lookup, symbol lists, ltrace's name
 * matching (fnmatch globs, anchored POSIX basic regexes), C++ demangling through libstdc++'s
 * __cxa_demangle (dlopen'ed: no build dependency), clocks, the terminal width, the
 * traced command's exit status, which calls must not get a return probe, and the threads of
 * a -p process. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <lauxlib.h>
#include <lua.h>
#include "elf_plt.h"
#include "l_ltrace.h"
#include "libpath.h"
#include "libpath_needed.h"
#include "output_guard.h"
#include "return_safety.h"
#include "script_call.h"
#include "syscall_names.h"
#include "session.h"

#define REGEX_MT "ltrace.regex"

static int fail(lua_State *L, const char *msg)
{
	lua_pushnil(L);
	lua_pushstring(L, msg);
	return 2;
}

static void set_int(lua_State *L, const char *key, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, key);
}

static void set_str(lua_State *L, const char *key, const char *v)
{
	if (!v)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, key);
}

/* imports(path) -> { {name=, lib=, addr=, offset=, kind="plt"|"got", section=}, ... } */
static int l_imports(lua_State *L)
{
	struct plt_list list;
	char err[512];

	if (elf_plt_imports(luaL_checkstring(L, 1), &list, err, sizeof(err)))
		return fail(L, err);
	lua_createtable(L, list.n, 0);				/* t */
	for (size_t i = 0; i < list.n; i++) {
		const struct plt_import *imp = &list.v[i];

		lua_createtable(L, 0, 6);			/* t imp */
		set_str(L, "name", imp->name);
		set_str(L, "lib", imp->lib);
		set_int(L, "addr", imp->addr);
		set_int(L, "offset", imp->offset);
		set_str(L, "kind", imp->kind == PLT_STUB ? "plt" : "got");
		set_str(L, "section", imp->section);
		lua_rawseti(L, -2, i + 1);			/* t */
	}
	elf_plt_list_free(&list);
	return 1;
}

/* exe_info(path) -> {pie=, bind_now=, entry=, code_lo=, code_hi=, load_lo=} */
static int l_exe_info(lua_State *L)
{
	struct elf_exe_info info;
	char err[512];

	if (elf_exe_info(luaL_checkstring(L, 1), &info, err, sizeof(err)))
		return fail(L, err);
	lua_createtable(L, 0, 6);
	lua_pushboolean(L, info.pie);
	lua_setfield(L, -2, "pie");
	lua_pushboolean(L, info.bind_now);
	lua_setfield(L, -2, "bind_now");
	set_int(L, "entry", info.entry);
	set_int(L, "code_lo", info.code_lo);
	set_int(L, "code_hi", info.code_hi);
	set_int(L, "load_lo", info.load_lo);
	if (info.interp[0]) {
		lua_pushstring(L, info.interp);
		lua_setfield(L, -2, "interp");
	}
	return 1;
}

/* dyn_names(path) -> soname or false, { needed... } */
static int l_dyn_names(lua_State *L)
{
	struct elf_dyn_names names;
	char err[512];

	if (elf_dyn_names(luaL_checkstring(L, 1), &names, err, sizeof(err)))
		return fail(L, err);
	if (names.soname)
		lua_pushstring(L, names.soname);
	else
		lua_pushboolean(L, 0);
	lua_createtable(L, names.nneeded, 0);
	for (size_t i = 0; i < names.nneeded; i++) {
		lua_pushstring(L, names.needed[i]);
		lua_rawseti(L, -2, i + 1);
	}
	elf_dyn_names_free(&names);
	return 2;
}

/* resolve(name [, exe [, pid]]) -> path | nil, message: as probe specs resolve LIB. */
static int l_resolve(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1), *exe = luaL_optstring(L, 2, NULL);
	int pid = (int)luaL_optinteger(L, 3, 0);
	char path[4096], err[512];

	if ((!exe || strchr(name, '/') || libpath_resolve_for(name, exe, path, sizeof(path))) &&
	    libpath_resolve(name, pid, path, sizeof(path), err, sizeof(err)))
		return fail(L, err);
	lua_pushstring(L, path);
	return 1;
}

struct names_ctx {
	lua_State *L;
	int n;
};

static void add_name(const char *name, void *ctx)
{
	struct names_ctx *x = ctx;

	lua_pushstring(x->L, name);				/* set name */
	lua_pushboolean(x->L, 1);				/* set name true */
	lua_rawset(x->L, -3);					/* set */
	x->n++;
}

/* functions(path) -> { [name] = true }: defined functions of .symtab and .dynsym, every
 * alias (puts, _IO_puts) included. */
static int l_functions(lua_State *L)
{
	struct names_ctx x = { L, 0 };
	char err[512];

	lua_newtable(L);
	if (elf_func_names(luaL_checkstring(L, 1), add_name, &x, err, sizeof(err)))
		return fail(L, err);
	return 1;
}

/* glob(pattern, name) -> bool: fnmatch(3), the whole name. */
static int l_glob(lua_State *L)
{
	lua_pushboolean(L, !fnmatch(luaL_checkstring(L, 1), luaL_checkstring(L, 2), 0));
	return 1;
}

/* regex(pattern) -> matcher | nil, message. ltrace anchors rules as ^pattern$ and compiles
 * them as POSIX basic regular expressions; matcher(name) -> bool. */
static int l_regex_match(lua_State *L)
{
	regex_t *re = luaL_checkudata(L, lua_upvalueindex(1), REGEX_MT);

	lua_pushboolean(L, !regexec(re, luaL_checkstring(L, 1), 0, NULL, 0));
	return 1;
}

static int l_regex_gc(lua_State *L)
{
	regfree(luaL_checkudata(L, 1, REGEX_MT));
	return 0;
}

static int l_regex(lua_State *L)
{
	const char *pattern = luaL_checkstring(L, 1);
	regex_t *re = lua_newuserdatauv(L, sizeof(*re), 0);	/* re */
	char msg[128];
	int rc;

	lua_pushfstring(L, "^%s$", pattern);			/* re text */
	rc = regcomp(re, lua_tostring(L, -1), REG_NOSUB);
	lua_pop(L, 1);						/* re */
	if (rc) {
		regerror(rc, re, msg, sizeof(msg));
		return fail(L, msg);
	}
	luaL_setmetatable(L, REGEX_MT);
	lua_pushcclosure(L, l_regex_match, 1);			/* fn */
	return 1;
}

typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

/* demangle(name) -> readable name, or nil when it is not a C++ name (or no libstdc++). */
static int l_demangle(lua_State *L)
{
	static cxa_demangle_fn demangle;
	static int tried;
	const char *name = luaL_checkstring(L, 1);
	int status = -1;
	char *out;

	if (!tried) {
		void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);

		tried = 1;
		if (h)
			demangle = (cxa_demangle_fn)dlsym(h, "__cxa_demangle");
	}
	if (!demangle) {
		lua_pushnil(L);
		lua_pushliteral(L, "libstdc++.so.6 (its __cxa_demangle) is not available");
		return 2;
	}
	out = demangle(name, NULL, NULL, &status);
	if (status || !out) {
		free(out);
		lua_pushnil(L);
		return 1;
	}
	lua_pushstring(L, out);
	free(out);
	return 1;
}

/* which(command) -> canonical path of the program execvp would run, or nil, message */
static int l_which(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1), *path = getenv("PATH");
	char buf[PATH_MAX], real[PATH_MAX];

	if (strchr(name, '/')) {
		if (!realpath(name, real) || access(real, X_OK))
			return fail(L, strerror(errno));
		lua_pushstring(L, real);
		return 1;
	}
	for (const char *p = path ? path : "/usr/bin:/bin", *colon; p; p = colon ? colon + 1 : NULL) {
		size_t len;

		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)len, p, len ? "/" : "", name);
		if (!access(buf, X_OK) && realpath(buf, real)) {
			lua_pushstring(L, real);
			return 1;
		}
	}
	return fail(L, "command not found");
}

/* realpath(path) -> canonical path (follows /proc/PID/exe), or nil, message */
static int l_realpath(lua_State *L)
{
	char real[PATH_MAX];

	if (!realpath(luaL_checkstring(L, 1), real))
		return fail(L, strerror(errno));
	lua_pushstring(L, real);
	return 1;
}

/* threads(pid) -> { tid, ... } | nil, message: the threads of process pid now (its
 * /proc/PID/task). Under -p they may be inside calls when the probes attach: returns of
 * calls they began before are not shown (lua/ltrace/events.lua). */
static int l_threads(lua_State *L)
{
	char path[64];
	struct dirent *d;
	lua_Integer n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%lld/task", (long long)luaL_checkinteger(L, 1));
	if (!(dir = opendir(path)))
		return fail(L, strerror(errno));
	lua_newtable(L);
	while ((d = readdir(dir))) {
		char *end;
		long tid = strtol(d->d_name, &end, 10);

		if (*end || tid <= 0)
			continue;	/* "." and ".." */
		lua_pushinteger(L, tid);
		lua_rawseti(L, -2, ++n);
	}
	closedir(dir);
	return 1;
}

/* return_unsafe(path, name [, plt]) -> why, or nil: would a return probe on the function
 * `name` of path (plt: on path's PLT stub importing it) harm the program? The uprobe
 * provider refuses these sites anyway (src/probes/uprobe/return_safety.c); asking first
 * lets the front end count them with entry probes and print them without a return. */
static int l_return_unsafe(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1), *name = luaL_checkstring(L, 2);
	char why[200];
	bool bad = lua_toboolean(L, 3) ? return_unsafe_import(path, name, why, sizeof(why)) :
					 return_unsafe_func(path, name, why, sizeof(why));

	if (!bad)
		return 0;
	lua_pushstring(L, why);
	return 1;
}

/* strsignal(n) -> "User defined signal 1" */
static int l_strsignal(lua_State *L)
{
	lua_pushstring(L, strsignal((int)luaL_checkinteger(L, 1)));
	return 1;
}

/* clocks() -> realtime ns, monotonic ns (read back to back: record ts -> wall time) */
static int l_clocks(lua_State *L)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	lua_pushinteger(L, (lua_Integer)rt.tv_sec * 1000000000 + rt.tv_nsec);
	lua_pushinteger(L, (lua_Integer)mono.tv_sec * 1000000000 + mono.tv_nsec);
	return 2;
}

/* localtime(sec) -> h, m, s in the local time zone */
static int l_localtime(lua_State *L)
{
	time_t t = (time_t)luaL_checkinteger(L, 1);
	struct tm tm;

	localtime_r(&t, &tm);
	lua_pushinteger(L, tm.tm_hour);
	lua_pushinteger(L, tm.tm_min);
	lua_pushinteger(L, tm.tm_sec);
	return 3;
}

/* tty_columns() -> width of the terminal on stdout or stderr, or nil */
static int l_tty_columns(lua_State *L)
{
	struct winsize ws;

	for (int fd = 1; fd <= 2; fd++) {
		if (!ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col > 0) {
			lua_pushinteger(L, ws.ws_col);
			return 1;
		}
	}
	lua_pushnil(L);
	return 1;
}

/* exit_status() -> the session's exit code: the target's status (code, or 128+signal) once
 * it has exited. */
static int l_exit_status(lua_State *L)
{
	struct session *s = script_session(L);

	lua_pushinteger(L, s ? s->exit_code : 0);
	return 1;
}

/* native.guard_output(file): the -o file joins stdout and stderr under the output guard
 * (a stop request cuts it if its reader stalls: src/base/output_guard.c). */
static int l_guard_output(lua_State *L)
{
	luaL_Stream *f = luaL_checkudata(L, 1, LUA_FILEHANDLE);

	if (f->closef && f->f)
		output_guard_watch(fileno(f->f));
	return 0;
}

/* native.syscall_nr(name) -> the x86_64 number, or nil: -S names syscalls as ltrace's
 * table does, which ends before the newer ones. */
static int l_syscall_nr(lua_State *L)
{
	int nr = syscall_nr(luaL_checkstring(L, 1));

	if (nr < 0)
		return 0;
	lua_pushinteger(L, nr);
	return 1;
}

static int luaopen_ltrace_native(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "imports", l_imports },	{ "exe_info", l_exe_info },
		{ "dyn_names", l_dyn_names },	{ "resolve", l_resolve },
		{ "functions", l_functions },	{ "glob", l_glob },
		{ "regex", l_regex },		{ "demangle", l_demangle },
		{ "clocks", l_clocks },		{ "localtime", l_localtime },
		{ "tty_columns", l_tty_columns }, { "exit_status", l_exit_status },
		{ "which", l_which },		{ "realpath", l_realpath },
		{ "strsignal", l_strsignal },	{ "guard_output", l_guard_output },
		{ "return_unsafe", l_return_unsafe }, { "syscall_nr", l_syscall_nr },
		{ "threads", l_threads },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, REGEX_MT);				/* mt */
	lua_pushcfunction(L, l_regex_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);						/* */
	luaL_newlib(L, fns);
	return 1;
}

void l_ltrace_preload(lua_State *L)
{
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);	/* preload */
	lua_pushcfunction(L, luaopen_ltrace_native);
	lua_setfield(L, -2, "ltrace.native");
	lua_pop(L, 1);
}
