/* The panels: as the script declared them with lua/dashboard.lua (its `panels` list, read
 * once, here, on the loop's thread), or a default view of its probes: a histogram for each
 * histogram aggregate, a top table for each keyed one, the probes' counters, the drops,
 * and the event log below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include "dash.h"
#include "dash_int.h"
#include "probe.h"

static const char *const type_names[] = { "log", "hist", "top", "counters", "drops", NULL };
/* The titles of the panels that have no probe. */
static const char *const default_titles[] = { "events", "", "", "probes", "session" };

static struct dash_panel *add(struct dash *d, enum dash_panel_type type)
{
	struct dash_panel *p = realloc(d->panels, (d->npanels + 1) * sizeof(*p));

	if (!p)
		return NULL;
	d->panels = p;
	p = &d->panels[d->npanels++];
	*p = (struct dash_panel){ .type = type, .probe = -1, .n = 10 };
	snprintf(p->title, sizeof(p->title), "%s", default_titles[type]);
	return p;
}

static struct probe *probe_of(struct dash *d, int id)
{
	return id >= 0 && id < d->s->nprobes ? d->s->probes[id] : NULL;
}

static int from_lua(struct dash *d, lua_State *L)
{
	int n = (int)luaL_len(L, -1);

	for (int i = 1; i <= n; i++) {
		struct dash_panel *p;
		int type;

		lua_rawgeti(L, -1, i);
		lua_getfield(L, -1, "type");
		for (type = 0; type_names[type] && (!lua_isstring(L, -1) ||
						    strcmp(type_names[type], lua_tostring(L, -1)));
		     type++)
			;
		lua_pop(L, 1);
		if (!type_names[type] || !(p = add(d, type))) {
			fprintf(stderr, "ltrace-ebpf: --dashboard: panel %d: no such panel type\n",
				i);
			return -1;
		}
		lua_getfield(L, -1, "probe");
		p->probe = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : -1;
		lua_getfield(L, -2, "title");
		if (lua_isstring(L, -1))
			snprintf(p->title, sizeof(p->title), "%s", lua_tostring(L, -1));
		lua_getfield(L, -3, "n");
		if (lua_isinteger(L, -1))
			p->n = lua_tointeger(L, -1);
		lua_getfield(L, -4, "sort");
		p->by_total = lua_isstring(L, -1) && !strcmp(lua_tostring(L, -1), "total");
		lua_pop(L, 5);
		if ((type == DASH_HIST || type == DASH_TOP) && !probe_of(d, p->probe)) {
			fprintf(stderr, "ltrace-ebpf: --dashboard: panel %d (%s): no such probe\n",
				i, p->title);
			return -1;
		}
	}
	return 0;
}

static int by_default(struct dash *d)
{
	for (int i = 0; i < d->s->nprobes; i++) {
		struct probe *pr = d->s->probes[i];
		bool keyed;
		struct dash_panel *p;

		if (!pr || !pr->attached || !pr->cfg.agg_kind)
			continue;
		keyed = pr->cfg.agg_by != LT_BY_NONE && pr->cfg.agg_by != LT_BY_PROBE;
		if (pr->cfg.agg_kind != LT_AGG_HIST && !keyed)
			continue; /* a single number: the counters show its hits */
		if (!(p = add(d, pr->cfg.agg_kind == LT_AGG_HIST ? DASH_HIST : DASH_TOP)))
			return -1;
		p->probe = i;
		snprintf(p->title, sizeof(p->title), "%s", dash_probe_label(d->s, i));
	}
	if (!add(d, DASH_COUNTERS) || !add(d, DASH_DROPS) || !add(d, DASH_LOG))
		return -1;
	return 0;
}

int dash_layout(struct dash *d, lua_State *L)
{
	int rc = 0, top = lua_gettop(L);

	lua_getglobal(L, "package");
	lua_getfield(L, -1, "loaded");
	lua_getfield(L, -1, "dashboard");
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "panels");
		if (lua_istable(L, -1) && luaL_len(L, -1) > 0)
			rc = from_lua(d, L);
	}
	lua_settop(L, top);
	if (!rc && !d->npanels)
		rc = by_default(d);
	if (rc && !d->npanels)
		fprintf(stderr, "ltrace-ebpf: --dashboard: out of memory\n");
	return rc;
}

bool dash_wanted(lua_State *L)
{
	int top = lua_gettop(L);
	bool on;

	lua_getglobal(L, "package");
	lua_getfield(L, -1, "loaded");
	lua_getfield(L, -1, "dashboard");
	on = lua_istable(L, -1) && lua_getfield(L, -1, "wanted") && lua_toboolean(L, -1);
	lua_settop(L, top);
	return on;
}

FILE *dash_output(lua_State *L)
{
	int top = lua_gettop(L);
	luaL_Stream *f = NULL;

	lua_getglobal(L, "package");
	lua_getfield(L, -1, "loaded");
	lua_getfield(L, -1, "dashboard");
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "output");
		f = luaL_testudata(L, -1, LUA_FILEHANDLE);
	}
	lua_settop(L, top);
	/* The Lua file stays the script's: closed with its state, after dash_close. */
	return f && f->closef ? f->f : NULL;
}
