/* The stack userdata ("ltrace.stack"): the frames of one stack (kernel frames, then user
 * frames, innermost first) and the process they belong to, symbolized only when a script
 * looks: s[i] and s:frames() give {addr, sym, offset, module, file, line, kernel, name},
 * s:folded() the "root;...;leaf" line of flame graphs, tostring(s) bpftrace's layout. Stacks
 * equal by value compare equal; those behind in-kernel aggregate keys are interned, so one
 * stack id is one Lua key. Also the module require("ltrace.stack"): symbolize(pid, addr),
 * ksymbolize(addr), new(pid, user_ips [, kernel_ips]), track(pid). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "l_stack.h"
#include "probe.h"
#include "script_call.h"
#include "session_stacks.h"
#include "stack.h"
#include "stack_text.h"
#include "symbolize.h"

#define STACK_MT "ltrace.stack"
#define MAX_FRAMES STACK_MAX_FRAMES

struct lstack {
	struct stack_ctx *c;
	int pid;
	int nk, nu;
	uint64_t ips[];
};

static struct lstack *check_stack(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, STACK_MT);
}

/* A new stack: kernel frames then user frames. Stack: ... -> ... s */
static struct lstack *push_stack(lua_State *L, struct stack_ctx *c, int pid, const uint64_t *k,
				 int nk, const uint64_t *u, int nu)
{
	struct lstack *st = lua_newuserdatauv(L, sizeof(*st) + (nk + nu) * 8, 2);

	st->c = c;
	st->pid = pid;
	st->nk = nk;
	st->nu = nu;
	memcpy(st->ips, k, nk * 8);
	memcpy(st->ips + nk, u, nu * 8);
	luaL_setmetatable(L, STACK_MT);
	return st;
}

static void set_str(lua_State *L, const char *k, const char *v)
{
	if (v) {
		lua_pushstring(L, v);
		lua_setfield(L, -2, k);
	}
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

/* Stack: ... -> ... frame */
static void push_frame(lua_State *L, struct lstack *st, int i)
{
	struct sym_info si;
	bool kernel = stack_frame_info(st->c, st->pid, st->ips, st->nk, i, SYM_LINES, &si);
	char buf[512];

	lua_createtable(L, 0, 8);
	set_int(L, "addr", (lua_Integer)st->ips[i]);
	set_str(L, "sym", si.name);
	if (si.name)
		set_int(L, "offset", (lua_Integer)si.offset);
	set_str(L, "module", si.module);
	set_str(L, "file", si.file);
	if (si.file)
		set_int(L, "line", si.line);
	lua_pushboolean(L, kernel);
	lua_setfield(L, -2, "kernel");
	set_str(L, "name", stack_frame_name(&si, st->ips[i], true, buf, sizeof(buf)));
}

static int l_stack_frames(lua_State *L)
{
	struct lstack *st = check_stack(L, 1);
	int n = st->nk + st->nu;

	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		push_frame(L, st, i);
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

static int l_stack_ips(lua_State *L)
{
	struct lstack *st = check_stack(L, 1);

	lua_createtable(L, st->nk + st->nu, 0);
	for (int i = 0; i < st->nk + st->nu; i++) {
		lua_pushinteger(L, (lua_Integer)st->ips[i]);
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

/* Joins frame names: root first with ';' (folded) or one per line (tostring). Cached in
 * the user value `slot`. */
static int render(lua_State *L, struct lstack *st, int slot, bool folded)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (lua_getiuservalue(L, 1, slot) == LUA_TSTRING)
		return 1;
	lua_pop(L, 1);
	if (!(f = open_memstream(&text, &len)))
		return luaL_error(L, "out of memory");
	stack_write(f, st->c, st->pid, st->ips, st->nk, st->nu, folded);
	if (fclose(f)) {
		free(text);
		return luaL_error(L, "out of memory");
	}
	lua_pushlstring(L, text, len);
	free(text);
	lua_pushvalue(L, -1);
	lua_setiuservalue(L, 1, slot);
	return 1;
}

static int l_stack_folded(lua_State *L)
{
	return render(L, check_stack(L, 1), 1, true);
}

static int l_stack_tostring(lua_State *L)
{
	return render(L, check_stack(L, 1), 2, false);
}

/* A binary string equal for equal stacks (pid and frames), without symbolizing: a cheap
 * key for interning stacks in Lua tables. */
static int l_stack_id(lua_State *L)
{
	struct lstack *st = check_stack(L, 1);
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	luaL_addlstring(&b, (const char *)&st->pid, sizeof(st->pid));
	luaL_addlstring(&b, (const char *)&st->nk, sizeof(st->nk));
	luaL_addlstring(&b, (const char *)st->ips, (st->nk + st->nu) * 8);
	luaL_pushresult(&b);
	return 1;
}

static int l_stack_len(lua_State *L)
{
	struct lstack *st = check_stack(L, 1);

	lua_pushinteger(L, st->nk + st->nu);
	return 1;
}

static int l_stack_eq(lua_State *L)
{
	struct lstack *a = check_stack(L, 1), *b = check_stack(L, 2);

	lua_pushboolean(L, a->pid == b->pid && a->nk == b->nk && a->nu == b->nu &&
			       !memcmp(a->ips, b->ips, (a->nk + a->nu) * 8));
	return 1;
}

static int l_stack_index(lua_State *L)
{
	struct lstack *st = check_stack(L, 1);

	if (lua_type(L, 2) == LUA_TNUMBER) {
		lua_Integer i = lua_tointeger(L, 2);

		if (i < 1 || i > st->nk + st->nu)
			lua_pushnil(L);
		else
			push_frame(L, st, i - 1);
		return 1;
	}
	if (lua_type(L, 2) == LUA_TSTRING && !strcmp(lua_tostring(L, 2), "pid")) {
		lua_pushinteger(L, st->pid);
		return 1;
	}
	if (lua_type(L, 2) == LUA_TSTRING && !strcmp(lua_tostring(L, 2), "comm")) {
		const char *comm = symbolizer_comm(st->c->sy, st->pid);

		lua_pushstring(L, comm ? comm : "?");
		return 1;
	}
	luaL_getmetafield(L, 1, "methods");
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	return 1;
}

/* ---- constructors used by events and aggregates ---------------------------------------- */

int l_stack_push_record(lua_State *L, struct probe *p, const struct lt_rec *rec,
			const uint8_t *data, bool kernel)
{
	struct stack_ctx *c = stack_ctx_get(p->s);
	uint64_t ips[MAX_FRAMES];
	int n = c ? stack_from_record(c, rec, data, kernel, ips, MAX_FRAMES) : 0;

	if (kernel && n > 0)
		n = stack_trim_bpf(c, ips, n);
	else if (n > 0)
		n = stack_trim_user(c, rec->pid, ips, n);

	if (n > p->cfg.stack_depth && p->cfg.stack_depth)
		n = p->cfg.stack_depth;
	if (n <= 0) {
		lua_pushnil(L);
		return 1;
	}
	push_stack(L, c, rec->pid, ips, kernel ? n : 0, ips, kernel ? 0 : n);
	return 1;
}

static const char INTERN_KEY = 'i';

/* The stack behind an in-kernel aggregate key, one userdata per distinct key. */
void l_stack_push_key(lua_State *L, struct probe *p, const struct lt_agg_key *k)
{
	struct stack_ctx *c = stack_ctx_get(p->s);
	struct stack_frames f;
	char id[64];

	if (!c) {
		lua_pushnil(L);
		return;
	}
	snprintf(id, sizeof(id), "%u:%u:%u:%llx:%d", k->stk.pid, (uint32_t)(k->key >> 32),
		 (uint32_t)k->key, (unsigned long long)k->stk.caller, p->cfg.agg_by);
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &INTERN_KEY) != LUA_TTABLE) {	/* t */
		lua_pop(L, 1);
		lua_newtable(L);
		lua_createtable(L, 0, 1);
		lua_pushliteral(L, "v");
		lua_setfield(L, -2, "__mode");
		lua_setmetatable(L, -2);
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &INTERN_KEY);
	}
	if (lua_getfield(L, -1, id) != LUA_TNIL) {				/* t s */
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);								/* t */
	stack_frames_of_key(c, k, p->cfg.agg_by, p->cfg.stack_depth, &f);
	push_stack(L, c, f.pid, f.ips, f.nk, f.ips + f.nk, f.nu);		/* t s */
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, id);						/* t s */
	lua_remove(L, -2);							/* s */
}

/* ---- require("ltrace.stack") ------------------------------------------------------------ */

static struct stack_ctx *ctx_of(lua_State *L)
{
	struct stack_ctx *c = stack_ctx_get(script_session(L));

	if (!c)
		luaL_error(L, "cannot set up stacks: out of memory");
	return c;
}

static int push_symbol(lua_State *L, int rc, const struct sym_info *si, uint64_t addr)
{
	char buf[512];

	lua_createtable(L, 0, 7);
	set_int(L, "addr", (lua_Integer)addr);
	set_str(L, "sym", si->name);
	if (!rc)
		set_int(L, "offset", (lua_Integer)si->offset);
	set_str(L, "module", si->module);
	set_str(L, "file", si->file);
	if (si->file)
		set_int(L, "line", si->line);
	set_str(L, "name", stack_frame_name(si, addr, true, buf, sizeof(buf)));
	return 1;
}

static int l_symbolize(lua_State *L)
{
	int pid = luaL_checkinteger(L, 1);
	uint64_t addr = luaL_checkinteger(L, 2);
	struct sym_info si;
	int rc = symbolize_user(ctx_of(L)->sy, pid, addr, SYM_LINES, &si);

	return push_symbol(L, rc, &si, addr);
}

static int l_ksymbolize(lua_State *L)
{
	uint64_t addr = luaL_checkinteger(L, 1);
	struct sym_info si;
	int rc = symbolize_kernel(ctx_of(L)->sy, addr, 0, &si);

	return push_symbol(L, rc, &si, addr);
}

static int read_ips(lua_State *L, int idx, uint64_t *ips)
{
	int n = 0;

	if (lua_isnoneornil(L, idx))
		return 0;
	luaL_checktype(L, idx, LUA_TTABLE);
	while (n < MAX_FRAMES && lua_rawgeti(L, idx, n + 1) != LUA_TNIL) {
		ips[n++] = luaL_checkinteger(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return n;
}

static int l_new(lua_State *L)
{
	int pid = luaL_checkinteger(L, 1);
	uint64_t u[MAX_FRAMES], k[MAX_FRAMES];
	int nu = read_ips(L, 2, u), nk = read_ips(L, 3, k);

	push_stack(L, ctx_of(L), pid, k, nk, u, nu);
	return 1;
}

static int l_track(lua_State *L)
{
	int rc = symbolizer_track(ctx_of(L)->sy, luaL_checkinteger(L, 1));

	lua_pushboolean(L, rc == 0);
	return 1;
}

static int luaopen_ltrace_stack(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "symbolize", l_symbolize }, { "ksymbolize", l_ksymbolize },
		{ "new", l_new },	      { "track", l_track },
		{ NULL, NULL },
	};

	luaL_newlib(L, fns);
	return 1;
}

void l_stack_open(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "frames", l_stack_frames }, { "folded", l_stack_folded },
		{ "ips", l_stack_ips },	      { "id", l_stack_id },
		{ NULL, NULL },
	};
	static const luaL_Reg meta[] = {
		{ "__index", l_stack_index }, { "__len", l_stack_len },
		{ "__eq", l_stack_eq },	      { "__tostring", l_stack_tostring },
		{ NULL, NULL },
	};

	luaL_newmetatable(L, STACK_MT);					/* mt */
	luaL_setfuncs(L, meta, 0);
	luaL_newlib(L, methods);					/* mt methods */
	lua_setfield(L, -2, "methods");					/* mt */
	lua_pop(L, 1);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);	/* preload */
	lua_pushcfunction(L, luaopen_ltrace_stack);
	lua_setfield(L, -2, "ltrace.stack");
	lua_pop(L, 1);
}
