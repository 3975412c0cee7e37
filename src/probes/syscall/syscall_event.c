/* Syscall events in Lua: arguments by name (paths and names as strings, the rest as
 * integers of their C type), the syscall's name and number, the errno name of a failed
 * call, and every argument at once as e.fields. */
#include <string.h>
#include <lua.h>
#include "tp_value.h"
#include "probe.h"
#include "syscall_probe.h"

static void count_phases(const struct probe *p, int upto, int *entry, int *exit)
{
	*entry = *exit = 0;
	for (int k = 0; k < upto; k++)
		*(p->cfg.fetch[k].at_return ? exit : entry) += 1;
}

/* The record's data holds, in order: the probe's entry captures, this syscall's strings
 * read at entry (exec), the probe's exit captures, its strings read at exit. */
static int user_index(const struct probe *p, const struct sys_site *ss, int j)
{
	int e_before, x_before, e_all, x_all;

	count_phases(p, j, &e_before, &x_before);
	count_phases(p, p->cfg.nfetch, &e_all, &x_all);
	if (!p->cfg.fetch[j].at_return)
		return e_before;
	return e_all + (ss->str_at_entry ? ss->nstr : 0) + x_before;
}

static int str_index(const struct probe *p, const struct sys_site *ss, int k)
{
	int e_all, x_all;

	count_phases(p, p->cfg.nfetch, &e_all, &x_all);
	return ss->str_at_entry ? e_all + k : e_all + x_all + k;
}

static void push_arg(lua_State *L, const struct probe *p, const struct sys_site *ss,
		     const struct lt_rec *rec, const uint8_t *data, int a)
{
	enum value_type vt = a < ss->nargs ? ktype_value_type(&ss->args[a].type) : VT_INT;

	if (p->args[a].capture >= 0) {
		l_push_capture(L, data, rec->data_len, user_index(p, ss, p->args[a].capture),
			       p->args[a].type);
		return;
	}
	for (int k = 0; k < ss->nstr; k++) {
		if (ss->str_args[k] == a) {
			l_push_capture(L, data, rec->data_len, str_index(p, ss, k), VT_STR);
			return;
		}
	}
	lua_pushinteger(L, value_extend(vt, rec->args[a]));
}

static void push_errno(lua_State *L, int64_t ret)
{
	const char *name = ret < 0 && ret >= -4095 ? strerrorname_np(-ret) : NULL;

	if (name)
		lua_pushstring(L, name);
	else
		lua_pushnil(L);
}

int syscall_push_field(lua_State *L, struct probe *p, const struct lt_rec *rec,
		       const uint8_t *data, const char *key)
{
	const struct sys_state *st = p->kind_data;
	const struct sys_site *ss;

	if (!st || rec->type != LT_REC_SYSCALL || rec->site >= st->n)
		return 0;
	ss = &st->sites[rec->site];
	if (!strcmp(key, "syscall")) {
		lua_pushstring(L, p->sites[rec->site].name);
	} else if (!strcmp(key, "nr")) {
		lua_pushinteger(L, ss->nr);
	} else if (!strcmp(key, "errno")) {
		push_errno(L, (int64_t)rec->ret);
	} else if (!strcmp(key, "fields")) {
		lua_createtable(L, 0, ss->nargs > 0 ? ss->nargs : 0);	/* t */
		for (int a = 0; a < ss->nargs; a++) {
			push_arg(L, p, ss, rec, data, a);			/* t v */
			lua_setfield(L, -2, ss->args[a].name);			/* t */
		}
	} else {
		for (int a = 0; a < ss->nargs; a++) {
			if (!strcmp(key, ss->args[a].name)) {
				push_arg(L, p, ss, rec, data, a);
				return 1;
			}
		}
		return 0;
	}
	return 1;
}
