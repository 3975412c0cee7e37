/* Raw tracepoint signatures from BTF. The typedef btf_trace_<tp> is a pointer to a function
 * prototype (void *__data, args...) without parameter names; the kernel's functions with
 * the same parameters (__probestub_<tp>, __traceiter_<tp>, __bpf_trace_<class>) carry the
 * names. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btf_tp.h"

#define TP_PREFIX "btf_trace_"
#define FN_PREFIX "__bpf_trace_"
#define STUB_PREFIX "__probestub_"
#define ITER_PREFIX "__traceiter_"

/* The prototype behind btf_trace_<name>, or NULL. */
static const struct btf_type *tp_proto(const struct btf *btf, const char *name)
{
	char tname[256];
	const struct btf_type *t;
	int id;

	snprintf(tname, sizeof(tname), TP_PREFIX "%s", name);
	id = btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return NULL;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_ptr(t))
		return NULL;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) && btf_vlen(t) >= 1 ? t : NULL;
}

static const struct btf_type *func_proto(const struct btf *btf, const struct btf_type *fn)
{
	const struct btf_type *t = btf__type_by_id(btf, fn->type);

	return t && btf_is_func_proto(t) ? t : NULL;
}

static bool same_params(const struct btf_type *a, const struct btf_type *b)
{
	const struct btf_param *pa = btf_params(a), *pb = btf_params(b);

	if (btf_vlen(a) != btf_vlen(b))
		return false;
	for (int i = 1; i < btf_vlen(a); i++)
		if (pa[i].type != pb[i].type)
			return false;
	return true;
}

static bool names_equal(const struct btf *btf, const struct btf_type *a,
			const struct btf_type *b)
{
	for (int i = 1; i < btf_vlen(a); i++)
		if (strcmp(btf__name_by_offset(btf, btf_params(a)[i].name_off),
			   btf__name_by_offset(btf, btf_params(b)[i].name_off)))
			return false;
	return true;
}

/* A function with the tracepoint's parameters, named: __probestub_<name> (6.4+: one per
 * tracepoint), __traceiter_<name> (5.10+: one per tracepoint; what 6.1 has, where the
 * class scan below is ambiguous for sched_process_exit), __bpf_trace_<name> (one per event
 * class, often named after its first event), else the only naming shared by every
 * __bpf_trace_ function with the same parameter types. */
static const struct btf_type *named_proto(const struct btf *btf, const char *name,
					  const struct btf_type *proto)
{
	static const char *const prefixes[] = { STUB_PREFIX, ITER_PREFIX, FN_PREFIX };
	const struct btf_type *found = NULL, *fp;
	char fname[256];
	int id;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(fname, sizeof(fname), "%s%s", prefixes[i], name);
		id = btf__find_by_name_kind(btf, fname, BTF_KIND_FUNC);
		fp = id > 0 ? func_proto(btf, btf__type_by_id(btf, id)) : NULL;
		if (fp && same_params(fp, proto))
			return fp;
	}
	for (uint32_t i = 1; i < btf__type_cnt(btf); i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (!btf_is_func(t) || strncmp(btf__name_by_offset(btf, t->name_off), FN_PREFIX,
					       sizeof(FN_PREFIX) - 1))
			continue;
		fp = func_proto(btf, t);
		if (!fp || !same_params(fp, proto))
			continue;
		if (found && !names_equal(btf, found, fp))
			return NULL;	/* classes disagree on the names */
		found = fp;
	}
	return found;
}

int btf_tp_lookup(const struct btf *btf, const char *name, struct btf_tp *out, char *err,
		  size_t errlen)
{
	const struct btf_type *proto = tp_proto(btf, name), *named;

	memset(out, 0, sizeof(*out));
	if (!proto) {
		snprintf(err, errlen, "the kernel has no raw tracepoint '%s' (no " TP_PREFIX
			 "%s in its BTF)", name, name);
		return -ENOENT;
	}
	named = named_proto(btf, name, proto);
	if (named && btf_vlen(named) != btf_vlen(proto))
		named = NULL;
	out->nargs = btf_vlen(proto) - 1;
	if (out->nargs > BTF_TP_MAX_ARGS)
		out->nargs = BTF_TP_MAX_ARGS;
	for (int i = 0; i < out->nargs; i++) {
		const struct btf_param *np = named ? &btf_params(named)[i + 1] : NULL;
		const char *n = np ? btf__name_by_offset(btf, np->name_off) : NULL;

		out->args[i].type = btf_params(proto)[i + 1].type;
		if (n && *n)
			snprintf(out->args[i].name, sizeof(out->args[i].name), "%s", n);
		else
			snprintf(out->args[i].name, sizeof(out->args[i].name), "arg%d", i + 1);
	}
	return 0;
}

int btf_tp_arg_index(const struct btf_tp *tp, const char *name)
{
	char *end;
	long n;

	for (int i = 0; i < tp->nargs; i++)
		if (!strcmp(tp->args[i].name, name))
			return i;
	if (!strncmp(name, "arg", 3) && name[3] >= '1' && name[3] <= '9') {
		n = strtol(name + 3, &end, 10);
		if (!*end && n >= 1 && n <= tp->nargs)
			return n - 1;
	}
	return -1;
}

int btf_tp_each(const struct btf *btf, const char *glob, void (*fn)(void *ctx, const char *name),
		void *ctx)
{
	int n = 0;

	for (uint32_t i = 1; i < btf__type_cnt(btf); i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name;

		if (!btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (strncmp(name, TP_PREFIX, sizeof(TP_PREFIX) - 1) ||
		    fnmatch(glob, name + sizeof(TP_PREFIX) - 1, 0))
			continue;
		fn(ctx, name + sizeof(TP_PREFIX) - 1);
		n++;
	}
	return n;
}
