/* SPDX-License-Identifier: GPL-2.0 */
/*
 * btf_tp_lookup's argument names on a BTF built here in the shapes kernels use:
 * - 6.1 (no __probestub_): sched_process_exit's class sched_process_template shares the
 *   parameter types (void *, struct task_struct *) with a class that names the task `tsk`,
 *   so the class scan is ambiguous; __traceiter_sched_process_exit has the names.
 * - 6.4+: __probestub_<tp>.
 * - nothing named: arg1..argN.
 */
#include <bpf/btf.h>
#include "../../src/probes/rawtp/btf_tp.h"
#include "unit.h"

struct ids {
	int vp, task, intt, boolt;
};

/* FUNC_PROTO (void *__data, <arg types>) with the given names (NULL: unnamed). */
static int proto(struct btf *btf, int ret, int vp, int n, const int *types,
		 const char *const *names)
{
	int id = btf__add_func_proto(btf, ret);

	btf__add_func_param(btf, names ? "__data" : "", vp);
	for (int i = 0; i < n; i++)
		btf__add_func_param(btf, names ? names[i] : "", types[i]);
	return id;
}

/* typedef btf_trace_<tp>: pointer to an unnamed prototype, as the kernel declares it. */
static void add_tp(struct btf *btf, const struct ids *t, const char *tp, int n, const int *types)
{
	char name[128];
	int fp = proto(btf, t->intt, t->vp, n, types, NULL);

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	btf__add_typedef(btf, name, btf__add_ptr(btf, fp));
}

static void add_fn(struct btf *btf, const struct ids *t, const char *name, int n,
		   const int *types, const char *const *names)
{
	btf__add_func(btf, name, BTF_FUNC_STATIC, proto(btf, t->intt, t->vp, n, types, names));
}

static struct btf *kernel_btf(struct ids *t)
{
	struct btf *btf = btf__new_empty();

	t->intt = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	t->boolt = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	t->vp = btf__add_ptr(btf, 0);
	t->task = btf__add_ptr(btf, btf__add_struct(btf, "task_struct", 0));
	return btf;
}

static void check_names(struct btf *btf, const char *tp, int n, const char *const *want)
{
	struct btf_tp out;
	char err[256];

	CHECK_EQ_INT(btf_tp_lookup(btf, tp, &out, err, sizeof(err)), 0);
	CHECK_EQ_INT(out.nargs, n);
	for (int i = 0; i < n && i < out.nargs; i++)
		CHECK_EQ_STR(out.args[i].name, want[i]);
}

int main(void)
{
	struct ids t;
	struct btf *btf = kernel_btf(&t);
	int task1[] = { t.task }, task_bool[] = { t.task, t.boolt };
	const char *p[] = { "p" }, *tsk[] = { "tsk" }, *p_gd[] = { "p", "group_dead" };
	const char *arg1[] = { "arg1" }, *args2[] = { "arg1", "arg2" };

	/* 6.1: the class functions disagree (p, tsk); the iterator names the arguments. */
	add_tp(btf, &t, "sched_process_exit", 1, task1);
	add_fn(btf, &t, "__bpf_trace_sched_process_template", 1, task1, p);
	add_fn(btf, &t, "__bpf_trace_task_newtask", 1, task1, tsk);
	add_fn(btf, &t, "__traceiter_sched_process_exit", 1, task1, p);
	check_names(btf, "sched_process_exit", 1, p);

	/* No named function at all: arg1. */
	add_tp(btf, &t, "task_rename", 1, task1);
	check_names(btf, "task_rename", 1, arg1);

	/* An iterator whose parameters do not match the tracepoint's is not used. */
	add_tp(btf, &t, "odd", 2, task_bool);
	add_fn(btf, &t, "__traceiter_odd", 1, task1, p);
	check_names(btf, "odd", 2, args2);

	/* 6.4+: the probe stub, whatever the iterator says. */
	add_tp(btf, &t, "sched_exit2", 2, task_bool);
	add_fn(btf, &t, "__probestub_sched_exit2", 2, task_bool, p_gd);
	check_names(btf, "sched_exit2", 2, p_gd);

	btf__free(btf);
	return unit_summary();
}
