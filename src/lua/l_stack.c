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
#include "script.h"
#include "session_stacks.h"
#include "stack.h"
#include "symbolize.h"

#define STACK_MT "ltrace.stack"
#define MAX_FRAMES (LT_STACK_DEPTH + 2)

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

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Frame i (0-based): symbolized; returns whether it is a kernel frame. */
static bool frame_info(struct lstack *st, int i, unsigned flags, struct sym_info *si)
{
	bool kernel = i < st->nk;
	int within = kernel ? i : i - st->nk;

	if (within > 0)
		flags |= SYM_RETADDR;
	if (kernel)
		symbolize_kernel(st->c->sy, st->ips[i], flags, si);
	else
		symbolize_user(st->c->sy, st->pid, st->ips[i], flags, si);
	return kernel;
}

/* "sym+off", "module+0xoff" or "0xaddr" into buf. */
static const char *frame_name(const struct sym_info *si, uint64_t addr, bool offsets, char *buf,
			      size_t len)
{
	if (si->name && !offsets)
		return si->name;
	if (si->name)
		snprintf(buf, len, "%s+%llu", si->name, (unsigned long long)si->offset);
	else if (si->module)
		snprintf(buf, len, "%s+0x%llx", base_name(si->module),
			 (unsigned long long)si->module_off);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
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
	bool kernel = frame_info(st, i, SYM_LINES, &si);
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
	set_str(L, "name", frame_name(&si, st->ips[i], true, buf, sizeof(buf)));
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
	luaL_Buffer b;
	char buf[512];

	if (lua_getiuservalue(L, 1, slot) == LUA_TSTRING)
		return 1;
	lua_pop(L, 1);
	luaL_buffinit(L, &b);
	for (int k = 0; k < st->nk + st->nu; k++) {
		int i = folded ? st->nk + st->nu - 1 - k : k;
		struct sym_info si;
		bool kernel = frame_info(st, i, 0, &si);

		if (folded && k)
			luaL_addchar(&b, ';');
		if (!folded)
			luaL_addstring(&b, "\n        ");
		luaL_addstring(&b, frame_name(&si, st->ips[i], !folded, buf, sizeof(buf)));
		if (folded && kernel)
			luaL_addstring(&b, "_[k]");
	}
	if (!folded)
		luaL_addchar(&b, '\n');
	luaL_pushresult(&b);
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
	uint64_t u[MAX_FRAMES], kk[MAX_FRAMES];
	uint32_t uid = k->key >> 32, kid = (uint32_t)k->key;
	int nu = 0, nk = 0, depth = p->cfg.stack_depth ? p->cfg.stack_depth : LT_STACK_DEPTH;
	char id[64];

	if (!c) {
		lua_pushnil(L);
		return;
	}
	snprintf(id, sizeof(id), "%u:%u:%u:%llx:%d", k->stk.pid, uid, kid,
		 (unsigned long long)k->stk.caller, p->cfg.agg_by);
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
	if (p->cfg.agg_by != LT_BY_KSTACK)
		nu = stack_trim_user(c, k->stk.pid, u,
				     stack_from_id(c, uid, k->stk.caller, u, depth));
	if (p->cfg.agg_by != LT_BY_USTACK)	/* depth counts after the probe's own frames */
		nk = stack_trim_bpf(c, kk, stack_from_id(c, kid, 0, kk, MAX_FRAMES));
	if (nk > depth)
		nk = depth;
	push_stack(L, c, k->stk.pid, kk, nk, u, nu);				/* t s */
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
	set_str(L, "name", frame_name(si, addr, true, buf, sizeof(buf)));
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
