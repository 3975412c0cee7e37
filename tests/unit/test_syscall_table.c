// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of syscall_names.c (the table generated from <asm/unistd_64.h>) and ktypes.c
 * (C type spellings to sizes; BTF typedefs when the kernel's BTF is readable): known
 * numbers both ways, sorted iteration, unknown names, qualifiers and pointers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

#include "ktypes.h"
#include "syscall_names.h"
#include "unit.h"

static void test_numbers(void)
{
	const char *prev = "", *name;
	int nr;

	CHECK_EQ_INT(syscall_nr("read"), 0);
	CHECK_EQ_INT(syscall_nr("openat"), 257);
	CHECK_EQ_INT(syscall_nr("exit_group"), 231);
	CHECK_EQ_INT(syscall_nr("nosuchcall"), -ENOENT);
	CHECK_EQ_INT(syscall_nr(""), -ENOENT);
	CHECK_EQ_STR(syscall_name(0), "read");
	CHECK_EQ_STR(syscall_name(59), "execve");
	CHECK(syscall_name(-1) == NULL);
	CHECK(syscall_name(100000) == NULL);
	CHECK(syscall_count() > 300);
	for (size_t i = 0; i < syscall_count(); i++) {
		name = syscall_at(i, &nr);
		CHECK(strcmp(prev, name) < 0);	/* sorted: names are found by bsearch */
		CHECK_EQ_INT(syscall_nr(name), nr);
		prev = name;
	}
	CHECK(syscall_at(syscall_count(), &nr) == NULL);
}

static void check_type(const struct btf *btf, const char *text, unsigned size, bool is_signed,
		       bool is_ptr, enum value_type vt)
{
	struct ktype t;

	ktype_resolve(btf, text, &t);
	CHECK_EQ_INT(t.size, size);
	CHECK_EQ_INT(t.is_signed, is_signed);
	CHECK_EQ_INT(t.is_ptr, is_ptr);
	CHECK_EQ_INT(ktype_value_type(&t), vt);
	if (t.size != size || t.is_signed != is_signed || t.is_ptr != is_ptr)
		fprintf(stderr, "  (type '%s'%s)\n", text, btf ? " with BTF" : "");
}

static void test_types(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct ktype t;

	check_type(NULL, "int", 4, true, false, VT_I32);
	check_type(NULL, "unsigned int", 4, false, false, VT_U32);
	check_type(NULL, "const int", 4, true, false, VT_I32);
	check_type(NULL, "  const  unsigned long ", 8, false, false, VT_UINT);
	check_type(NULL, "long", 8, true, false, VT_INT);
	check_type(NULL, "size_t", 8, false, false, VT_UINT);
	check_type(NULL, "u16", 2, false, false, VT_U16);
	check_type(NULL, "const char *", 8, false, true, VT_PTR);
	check_type(NULL, "struct stat *", 8, false, true, VT_PTR);
	check_type(NULL, "dev_t", 8, false, false, VT_UINT);	/* unknown without BTF */
	check_type(NULL, "umode_t", 2, false, false, VT_U16);	/* syscall ABI: known by name */
	check_type(NULL, "enum foo", 4, false, false, VT_U32);
	CHECK(ktype_base("unsigned char", &t) && t.size == 1);
	CHECK(ktype_base("pid_t", &t) && t.size == 4 && t.is_signed);
	CHECK(!ktype_base("dev_t", &t));
	if (!btf) {
		fprintf(stderr, "no kernel BTF: typedef checks skipped\n");
		return;
	}
	check_type(btf, "umode_t", 2, false, false, VT_U16);
	check_type(btf, "pid_t", 4, true, false, VT_I32);
	check_type(btf, "const clockid_t", 4, true, false, VT_I32);
	check_type(btf, "cap_user_header_t", 8, false, true, VT_PTR);
	check_type(btf, "dev_t", 4, false, false, VT_U32);
	check_type(btf, "no_such_typedef_t", 8, false, false, VT_UINT);
	btf__free(btf);
}

int main(void)
{
	test_numbers();
	test_types();
	return unit_summary();
}
