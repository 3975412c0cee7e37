// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the BTF field-path resolver (src/probes/kernel/btf_path.c) and raw tracepoint signatures
 * (src/probes/rawtp/btf_tp.c) against this machine's real kernel BTF (/sys/kernel/btf/vmlinux). Expected
 * offsets are computed here independently, from the top-level members of each struct, so a
 * layout change in the kernel does not break the test, only a wrong walk does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btf_path.h"
#include "btf_tp.h"
#include "unit.h"

static struct btf *btf;

/* Byte offset of a top-level member of struct `sname` (no anonymous members), or -1. */
static long member_off(const char *sname, const char *member)
{
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
	const struct btf_type *t;

	if (id <= 0)
		return -1;
	t = btf__type_by_id(btf, id);
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, btf_members(t)[i].name_off), member))
			return btf_member_bit_offset(t, i) / 8;
	return -1;
}

static long struct_size(const char *sname)
{
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);

	return id > 0 ? btf__resolve_size(btf, id) : -1;
}

/* The id of a pointer to struct `sname`. */
static uint32_t ptr_to(const char *sname)
{
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);

	for (uint32_t i = 1; id > 0 && i < btf__type_cnt(btf); i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (btf_is_ptr(t) && t->type == (uint32_t)id)
			return i;
	}
	return 0;
}

struct want {
	int rc;
	int nsteps;
	long off[3];
	enum btf_leaf leaf;
	unsigned size;
	bool is_signed;
	const char *type;	/* NULL: not checked */
	const char *msg;	/* for errors: a part the message must contain */
};

static void check_path(int line, uint32_t root, const char *path, struct want w)
{
	struct btf_path out;
	char err[256] = "";
	int before = unit_failed;
	int rc = btf_path_resolve(btf, root, "root", path, &out, err, sizeof(err));

	CHECK_EQ_INT(rc, w.rc);
	if (w.rc) {
		CHECK(strstr(err, w.msg) != NULL);
	} else {
		CHECK_EQ_INT(out.nsteps, w.nsteps);
		for (int i = 0; i < w.nsteps && i < 3; i++)
			CHECK_EQ_INT(out.off[i], w.off[i]);
		CHECK_EQ_INT(out.leaf, w.leaf);
		CHECK_EQ_INT(out.size, w.size);
		CHECK_EQ_INT(out.is_signed, w.is_signed);
		if (w.type)
			CHECK_EQ_STR(out.type, w.type);
	}
	if (unit_failed != before)
		fprintf(stderr, "  (line %d: path '%s': err '%s')\n", line, path, err);
}

#define PATH(root, path, ...) check_path(__LINE__, root, path, (struct want){ __VA_ARGS__ })

static void test_task_paths(uint32_t task)
{
	long pid = member_off("task_struct", "pid"), comm = member_off("task_struct", "comm");
	long parent = member_off("task_struct", "real_parent");
	long se = member_off("task_struct", "se"), load = member_off("sched_entity", "load");
	long weight = member_off("load_weight", "weight");

	CHECK(pid > 0 && comm > 0 && parent > 0 && se >= 0 && load >= 0 && weight >= 0);
	PATH(task, "", .nsteps = 0, .leaf = BTF_LEAF_INT, .size = 8,
	     .type = "struct task_struct *");
	PATH(task, "pid", .nsteps = 1, .off = { pid }, .leaf = BTF_LEAF_INT, .size = 4,
	     .is_signed = true, .type = "pid_t");
	PATH(task, ".pid", .nsteps = 1, .off = { pid }, .leaf = BTF_LEAF_INT, .size = 4,
	     .is_signed = true);
	PATH(task, "->pid", .nsteps = 1, .off = { pid }, .leaf = BTF_LEAF_INT, .size = 4,
	     .is_signed = true);
	PATH(task, "comm", .nsteps = 1, .off = { comm }, .leaf = BTF_LEAF_STR, .size = 16,
	     .type = "char[16]");
	PATH(task, "comm[3]", .nsteps = 1, .off = { comm + 3 }, .leaf = BTF_LEAF_INT, .size = 1,
	     .is_signed = false, .type = "char");	/* BTF encodes char as BTF_INT_CHAR */
	/* A pointer in the middle: read it, then a new offset from where it points. */
	PATH(task, "real_parent.pid", .nsteps = 2, .off = { parent, pid },
	     .leaf = BTF_LEAF_INT, .size = 4, .is_signed = true);
	PATH(task, "real_parent->real_parent->comm", .nsteps = 3, .off = { parent, parent, comm },
	     .leaf = BTF_LEAF_STR, .size = 16);
	/* Embedded structs: offsets add up, nothing is read on the way. */
	PATH(task, "se.load.weight", .nsteps = 1, .off = { se + load + weight },
	     .leaf = BTF_LEAF_INT, .size = 8, .is_signed = false);
	PATH(task, "se", .nsteps = 1, .off = { se }, .leaf = BTF_LEAF_BYTES,
	     .size = struct_size("sched_entity"), .type = "struct sched_entity");
	/* A pointer as the leaf is its value. */
	PATH(task, "real_parent", .nsteps = 1, .off = { parent }, .leaf = BTF_LEAF_INT,
	     .size = 8, .type = "struct task_struct *");
	/* Indexing a pointer reads it and steps by the pointee's size. */
	PATH(task, "[1].pid", .nsteps = 1, .off = { struct_size("task_struct") + pid },
	     .leaf = BTF_LEAF_INT, .size = 4, .is_signed = true);
}

static void test_bad_paths(uint32_t task, uint32_t uint_arg)
{
	PATH(task, "pidd", .rc = -ENOENT,
	     .msg = "'root' (struct task_struct) has no member 'pidd'");
	PATH(task, "real_parent.nope", .rc = -ENOENT,
	     .msg = "'root.real_parent' (struct task_struct) has no member 'nope'");
	PATH(task, "pid.x", .rc = -EINVAL,
	     .msg = "'root.pid' is a pid_t, not a struct or union (no member 'x')");
	PATH(task, "comm[16]", .rc = -EINVAL, .msg = "index 16 out of bounds of 'root.comm'");
	PATH(task, "comm[x]", .rc = -EINVAL, .msg = "bad index at '[x]'");
	PATH(task, "comm[-1]", .rc = -EINVAL, .msg = "bad index");
	PATH(task, "comm.", .rc = -EINVAL, .msg = "expected a member name");
	PATH(task, "pid pid", .rc = -EINVAL, .msg = "expected '.', '->' or '['");
	PATH(task, "sched_reset_on_fork", .rc = -EINVAL, .msg = "bitfield");
	PATH(task, "real_parent.real_parent.real_parent.real_parent.real_parent.real_parent."
		   "real_parent.real_parent.pid", .rc = -E2BIG, .msg = "more than 8 pointers");
	PATH(uint_arg, "x", .rc = -EINVAL, .msg = "cannot take a member of 'root' (unsigned int)");
	PATH(uint_arg, "", .nsteps = 0, .leaf = BTF_LEAF_INT, .size = 4, .is_signed = false,
	     .type = "unsigned int");
}

/* Anonymous unions and structs: their members are found as the parent's. */
static void test_anonymous(void)
{
	uint32_t skb = ptr_to("sk_buff");
	long name = member_off("net_device", "name");

	CHECK(skb != 0 && name >= 0);
	PATH(skb, "dev", .nsteps = 1, .off = { 16 }, .leaf = BTF_LEAF_INT, .size = 8,
	     .type = "struct net_device *");
	PATH(skb, "dev->name", .nsteps = 2, .off = { 16, name }, .leaf = BTF_LEAF_STR,
	     .size = 16);
}

/* A char pointer leaf is a string; in a register, the register is the pointer. */
static void test_char_pointers(void)
{
	struct btf_tp tp;
	char err[256];
	int bprm;

	CHECK_EQ_INT(btf_tp_lookup(btf, "sched_process_exec", &tp, err, sizeof(err)), 0);
	bprm = btf_tp_arg_index(&tp, "bprm");
	CHECK(bprm >= 0);
	if (bprm < 0)
		return;
	PATH(tp.args[bprm].type, "filename", .nsteps = 1,
	     .off = { member_off("linux_binprm", "filename") }, .leaf = BTF_LEAF_STRP, .size = 8,
	     .type = "const char *");
}

static void test_tracepoints(uint32_t *task, uint32_t *uint_arg)
{
	struct btf_tp tp;
	char err[256] = "";

	CHECK_EQ_INT(btf_tp_lookup(btf, "sched_switch", &tp, err, sizeof(err)), 0);
	CHECK_EQ_INT(tp.nargs, 4);
	CHECK_EQ_STR(tp.args[0].name, "preempt");
	CHECK_EQ_STR(tp.args[1].name, "prev");
	CHECK_EQ_STR(tp.args[2].name, "next");
	CHECK_EQ_STR(tp.args[3].name, "prev_state");
	CHECK_EQ_INT(btf_tp_arg_index(&tp, "next"), 2);
	CHECK_EQ_INT(btf_tp_arg_index(&tp, "arg2"), 1);
	CHECK_EQ_INT(btf_tp_arg_index(&tp, "arg5"), -1);
	CHECK_EQ_INT(btf_tp_arg_index(&tp, "nope"), -1);
	*task = tp.args[1].type;
	*uint_arg = tp.args[3].type;
	/* sched_wakeup has no function of its own: named through its event class. */
	CHECK_EQ_INT(btf_tp_lookup(btf, "sched_wakeup", &tp, err, sizeof(err)), 0);
	CHECK_EQ_INT(tp.nargs, 1);
	CHECK_EQ_STR(tp.args[0].name, "p");
	CHECK_EQ_INT(btf_tp_lookup(btf, "no_such_tracepoint", &tp, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "no raw tracepoint 'no_such_tracepoint'") != NULL);
}

static void count_one(void *ctx, const char *name)
{
	(*(int *)ctx)++;
}

int main(void)
{
	uint32_t task = 0, uint_arg = 0;
	int n = 0;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		fprintf(stderr, "cannot load the kernel's BTF: %s\n", strerror(errno));
		return 1;
	}
	test_tracepoints(&task, &uint_arg);
	test_task_paths(task);
	test_bad_paths(task, uint_arg);
	test_anonymous();
	test_char_pointers();
	CHECK(btf_tp_each(btf, "sched_switch", count_one, &n) == 1 && n == 1);
	CHECK(btf_tp_each(btf, "sched_*", count_one, &n) > 5);
	btf__free(btf);
	return unit_summary();
}
