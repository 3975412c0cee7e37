/* The uprobe provider's option `plt = true | {names}`: a probe's sites are its binary's PLT
 * stubs (src/elf/elf_plt.c), named by the symbols they import, instead of function symbols; and
 * the e.reg1..e.reg6 / e.reg_ret event fields (the registers themselves). Kept apart from
 * provider_uprobe.c, which only calls in here. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include "elf_plt.h"
#include "probe.h"
#include "uprobe_plt.h"

struct plt_sel {
	char **names;	/* only these imports (NULL: every one FUNC matches) */
	size_t n;
};

const char *const uprobe_plt_opt_keys[] = { "plt", NULL };

static void plt_sel_free(struct plt_sel *sel)
{
	if (!sel)
		return;
	for (size_t i = 0; i < sel->n; i++)
		free(sel->names[i]);
	free(sel->names);
	free(sel);
}

void uprobe_plt_release(struct probe *p)
{
	plt_sel_free(p->kind_data);
	p->kind_data = NULL;
}

void uprobe_plt_parse_opts(lua_State *L, int t, struct probe *p)
{
	int type = lua_getfield(L, t, "plt");		/* v */
	struct plt_sel *sel;

	if (type == LUA_TNIL || (type == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
		lua_pop(L, 1);
		return;
	}
	if (type != LUA_TBOOLEAN && type != LUA_TTABLE)
		luaL_error(L, "option 'plt' must be true or a list of imported function names");
	if (p->spec.is_addr || p->spec.has_offset)
		luaL_error(L, "option 'plt': the function must be a name or a glob");
	uprobe_plt_release(p);
	if (!(sel = p->kind_data = calloc(1, sizeof(*sel))))
		luaL_error(L, "out of memory");
	for (lua_Integer i = 1; type == LUA_TTABLE && lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
		char **v = realloc(sel->names, (sel->n + 1) * sizeof(*v));

		if (!lua_isstring(L, -1))
			luaL_error(L, "option 'plt'[%d] must be a function name", (int)i);
		if (!v || !(v[sel->n] = strdup(lua_tostring(L, -1))))
			luaL_error(L, "out of memory");
		sel->names = v;
		sel->n++;
		lua_pop(L, 1);
	}
	lua_pop(L, type == LUA_TTABLE ? 2 : 1);		/* */
}

static bool plt_selected(const struct plt_sel *sel, const char *func, const char *name)
{
	if (fnmatch(func, name, 0))
		return false;
	if (!sel->names)
		return true;
	for (size_t i = 0; i < sel->n; i++)
		if (!strcmp(sel->names[i], name))
			return true;
	return false;
}

int uprobe_plt_resolve(struct probe *p, char *err, size_t errlen)
{
	const struct plt_sel *sel = p->kind_data;
	struct plt_list list;
	int rc;

	if ((rc = elf_plt_imports(p->path, &list, err, errlen)))
		return rc;
	for (size_t i = 0; i < list.n && !rc; i++)
		if (list.v[i].kind == PLT_STUB && plt_selected(sel, p->spec.func, list.v[i].name))
			rc = probe_add_site(p, list.v[i].name, list.v[i].offset);
	elf_plt_list_free(&list);
	if (!rc && !p->nsites) {
		snprintf(err, errlen, "no PLT stub of %s calls '%s'%s", p->path, p->spec.func,
			 sel->names ? " (in the plt list)" : "");
		rc = -ENOENT;
	}
	return rc;
}

/* e.reg1..e.reg6, e.reg_ret: the registers themselves, also where args/ret are read as
 * strings or buffers (so a NULL pointer can be told from memory that could not be read).
 * e.reg7..e.reg12: the stack slots the probe reads (args 7..12), likewise: the pointer
 * under a string (nil when the slot is not read). */
int uprobe_push_regs(lua_State *L, struct probe *p, const struct lt_rec *rec,
		     const uint8_t *data, const char *key)
{
	char *end;
	long i;
	uint64_t word;

	if (!strcmp(key, "reg_ret")) {
		if (rec->type == LT_REC_ENTRY)
			lua_pushnil(L);
		else
			lua_pushinteger(L, (lua_Integer)rec->ret);
		return 1;
	}
	if (strncmp(key, "reg", 3) || key[3] < '1' || key[3] > '9')
		return 0;
	i = strtol(key + 3, &end, 10);
	if (*end || i > LT_MAX_CALL_ARGS)
		return 0;
	if (rec->type == LT_REC_RETURN)
		lua_pushnil(L);
	else if (i <= LT_MAX_ARGS)
		lua_pushinteger(L, (lua_Integer)rec->args[i - 1]);
	else if (!capture_word(&p->cfg, p->args[i - 1].capture, data, rec->data_len, &word))
		lua_pushinteger(L, (lua_Integer)word);
	else
		lua_pushnil(L);
	return 1;
}

