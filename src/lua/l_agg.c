/* Reading a probe's in-kernel aggregate: walk lt_aggs for the probe's id (or read the
 * array slots of a keyless one, agg_flat.c), sum the per-CPU values, and hand Lua a list
 * of entries {key, count, sum, min, max, buckets} that agg.from_kernel turns into the same
 * objects Lua-side aggregation builds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <lauxlib.h>
#include <lua.h>
#include "agg_flat.h"
#include "l_core.h"
#include "l_stack.h"
#include "probe.h"
#include "session.h"
#include "shared_maps.skel.h"

static void sum_cpus(const struct lt_agg_val *per, int ncpu, struct lt_agg_val *out)
{
	*out = (struct lt_agg_val){ .min = UINT64_MAX };
	for (int i = 0; i < ncpu; i++) {
		if (!per[i].count)
			continue;
		out->count += per[i].count;
		out->sum += per[i].sum;
		if (per[i].min < out->min)
			out->min = per[i].min;
		if (per[i].max > out->max)
			out->max = per[i].max;
	}
}

static void push_key(lua_State *L, struct probe *p, const struct lt_agg_key *k)
{
	switch (p->cfg.agg_by) {
	case LT_BY_NONE:
	case LT_BY_PROBE:
		lua_pushboolean(L, 1);	/* one entry, printed without a key */
		break;
	case LT_BY_SITE:
		lua_pushstring(L, k->key < p->nsites ? p->sites[k->key].name : "?");
		break;
	case LT_BY_PID:
	case LT_BY_TID:
		lua_pushinteger(L, (lua_Integer)k->key);
		break;
	case LT_BY_COMM:
		lua_pushlstring(L, k->comm, strnlen(k->comm, sizeof(k->comm)));
		break;
	case LT_BY_RET:
		lua_pushinteger(L, value_extend(p->ret.type, k->key));
		break;
	case LT_BY_USTACK:
	case LT_BY_KSTACK:
	case LT_BY_STACK:
		l_stack_push_key(L, p, k);
		break;
	default:	/* an argument, decoded with its declared type */
		lua_pushinteger(L, value_extend(p->args[(p->cfg.agg_by - LT_BY_ARG1) % LT_MAX_ARGS].type,
						k->key));
	}
}

/* entries[key] -> the entry table for that key, created on first sight. Stack: ... index */
static void entry_for(lua_State *L, int index, int list, struct probe *p,
		      const struct lt_agg_key *k)
{
	push_key(L, p, k);					/* key */
	lua_pushvalue(L, -1);					/* key key */
	if (lua_gettable(L, index) != LUA_TNIL) {		/* key e */
		lua_remove(L, -2);				/* e */
		return;
	}
	lua_pop(L, 1);						/* key */
	lua_createtable(L, 0, 6);				/* key e */
	if (!lua_isboolean(L, -2)) {
		lua_pushvalue(L, -2);
		lua_setfield(L, -2, "key");
	}
	lua_pushvalue(L, -2);					/* key e key */
	lua_pushvalue(L, -2);					/* key e key e */
	lua_settable(L, index);					/* key e */
	lua_pushvalue(L, -1);
	lua_rawseti(L, list, lua_rawlen(L, list) + 1);		/* key e */
	lua_remove(L, -2);					/* e */
}

static void add_field(lua_State *L, const char *name, uint64_t v, int op)
{
	lua_Integer old = (lua_getfield(L, -1, name), lua_tointeger(L, -1));
	int had = !lua_isnil(L, -1);

	lua_pop(L, 1);
	if (op == '+')
		v += old;
	else if (had && ((op == '<' && (uint64_t)old < v) || (op == '>' && (uint64_t)old > v)))
		v = old;
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, name);
}

static void add_totals(lua_State *L, const struct lt_agg_val *v)
{
	add_field(L, "count", v->count, '+');
	add_field(L, "sum", v->sum, '+');
	add_field(L, "min", v->min, '<');
	add_field(L, "max", v->max, '>');
}

/* e.buckets[slot] = count (slot ~0: negatives, bucket -1). Stack: ... e */
static void set_bucket(lua_State *L, uint32_t slot, uint64_t count)
{
	if (lua_getfield(L, -1, "buckets") == LUA_TNIL) {	/* e b */
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, "buckets");
	}
	lua_pushinteger(L, (lua_Integer)count);
	lua_rawseti(L, -2, slot == UINT32_MAX ? -1 : (lua_Integer)slot);
	lua_pop(L, 1);						/* e */
}

static void add_entry(lua_State *L, struct probe *p, const struct lt_agg_key *k,
		      const struct lt_agg_val *v, int index, int list)
{
	entry_for(L, index, list, p, k);			/* e */
	add_totals(L, v);
	if (p->cfg.agg_kind == LT_AGG_HIST)
		set_bucket(L, k->slot, v->count);
	lua_pop(L, 1);
}

/* A keyless aggregate kept in array slots: the same one entry the hash walk would build. */
static int read_flat(lua_State *L, struct probe *p, int index, int list)
{
	struct lt_agg_key key = { .probe = p->id };
	struct agg_flat_sum sum;
	int rc = agg_flat_read(p, &sum);

	if (rc || !sum.total.count)
		return rc;
	entry_for(L, index, list, p, &key);			/* e */
	add_totals(L, &sum.total);
	for (int i = 0; p->cfg.agg_kind == LT_AGG_HIST && i < LT_HIST_SLOTS; i++)
		if (sum.slot[i])
			set_bucket(L, i == LT_HIST_SLOTS - 1 ? UINT32_MAX : (uint32_t)i,
				   sum.slot[i]);
	lua_pop(L, 1);
	return 0;
}

int l_agg_read(lua_State *L, struct probe *p)
{
	int ncpu = libbpf_num_possible_cpus(), fd, index, list;
	struct lt_agg_key key, next, *prev = NULL;
	struct lt_agg_val *per, sum;

	lua_newtable(L);					/* list */
	list = lua_gettop(L);
	if (!p->s->skel || p->id == UINT32_MAX || ncpu <= 0)
		return 1;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return luaL_error(L, "out of memory");
	lua_newtable(L);					/* list index */
	index = lua_gettop(L);
	if (p->cfg.flags & LT_CFG_AGG_FLAT) {
		int rc = read_flat(L, p, index, list);

		free(per);
		if (rc)
			return luaL_error(L, "cannot read the aggregate of %s: %s", p->text,
					  strerror(-rc));
		lua_pop(L, 1);					/* list */
		return 1;
	}
	fd = bpf_map__fd(p->s->skel->maps.lt_aggs);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.probe != p->id || bpf_map_lookup_elem(fd, &key, per))
			continue;
		sum_cpus(per, ncpu, &sum);
		if (sum.count)
			add_entry(L, p, &key, &sum, index, list);
	}
	free(per);
	lua_pop(L, 1);						/* list */
	return 1;
}

int agg_clear(struct probe *p)
{
	struct lt_agg_key key, next, *prev = NULL;
	int fd;

	if (!p->s->skel || p->id == UINT32_MAX)
		return 0;
	if (p->cfg.flags & LT_CFG_AGG_FLAT)
		return agg_flat_clear(p);
	fd = bpf_map__fd(p->s->skel->maps.lt_aggs);
	/* Deleting while walking restarts the walk; collect the probe's keys as we go. */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		if (key.probe == p->id) {
			bpf_map_delete_elem(fd, &key);
			prev = NULL;
		} else {
			prev = &key;
		}
	}
	return 0;
}
