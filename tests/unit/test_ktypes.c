// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the type spellings src/probes/kernel/ktypes.c knows without BTF: every typedef and enum of
 * the syscall ABI in its table must have the size, signedness and pointer-ness the running
 * kernel's BTF gives it (computed here independently), and every non-pointer argument type
 * of this kernel's syscall formats must be known by spelling, so that a syscall probe never
 * has to load /sys/kernel/btf/vmlinux (~10 ms, ~5 MB) to type its arguments.
 */
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "ktypes.h"
#include "unit.h"

/* The kernel's view of NAME ("pid_t", "enum x"); false when BTF has no such type. */
static bool btf_view(const struct btf *btf, const char *name, struct ktype *out)
{
	bool is_enum = !strncmp(name, "enum ", 5);
	int id = btf__find_by_name_kind(btf, is_enum ? name + 5 : name,
					is_enum ? BTF_KIND_ENUM : BTF_KIND_TYPEDEF);
	const struct btf_type *t;

	while (id > 0 && (t = btf__type_by_id(btf, id)) &&
	       (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t)))
		id = t->type;
	if (id <= 0 || !(t = btf__type_by_id(btf, id)))
		return false;
	if (btf_is_ptr(t))
		*out = (struct ktype){ 8, false, true };
	else if (btf_is_int(t))
		*out = (struct ktype){ t->size, (btf_int_encoding(t) & BTF_INT_SIGNED) != 0, false };
	else if (btf_is_enum(t))
		*out = (struct ktype){ t->size, btf_kflag(t), false };
	else
		return false;
	return true;
}

static void check_typedefs(const struct btf *btf)
{
	static const char *const names[] = {
		"pid_t", "uid_t", "gid_t", "qid_t", "umode_t", "loff_t", "off_t", "clockid_t",
		"timer_t", "mqd_t", "key_t", "key_serial_t", "rwf_t", "aio_context_t",
		"cap_user_header_t", "cap_user_data_t", "enum landlock_rule_type", "size_t",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ktype k, b;

		CHECK(ktype_base(names[i], &k));
		if (!btf_view(btf, names[i], &b)) {
			fprintf(stderr, "note: %s not in this kernel's BTF\n", names[i]);
			continue;
		}
		if (k.size != b.size || k.is_signed != b.is_signed || k.is_ptr != b.is_ptr)
			fprintf(stderr, "%s: table %u/%d/%d, BTF %u/%d/%d\n", names[i], k.size,
				k.is_signed, k.is_ptr, b.size, b.is_signed, b.is_ptr);
		CHECK_EQ_INT(k.size, b.size);
		CHECK_EQ_INT(k.is_signed, b.is_signed);
		CHECK_EQ_INT(k.is_ptr, b.is_ptr);
	}
}

/* "field:const umode_t mode;" -> "umode_t"; false for pointers and the common fields. */
static bool arg_type(const char *line, char *type, size_t len)
{
	const char *f = strstr(line, "field:"), *semi;
	char decl[256];
	char *sp;

	if (!f || strstr(line, "common_") || strstr(line, "__syscall_nr") || strchr(line, '*'))
		return false;
	f += 6;
	if (!(semi = strchr(f, ';')) || semi - f >= (long)sizeof(decl))
		return false;
	snprintf(decl, sizeof(decl), "%.*s", (int)(semi - f), f);
	if (!(sp = strrchr(decl, ' ')))
		return false;
	*sp = 0;	/* drop the name */
	snprintf(type, len, "%s", decl);
	return true;
}

static void check_syscall_formats(void)
{
	glob_t g;
	int files = 0;

	if (glob("/sys/kernel/tracing/events/syscalls/sys_enter_*/format", 0, NULL, &g)) {
		fprintf(stderr, "note: no syscall formats readable: that part skipped\n");
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		char line[512], type[256];

		if (!f)
			continue;
		files++;
		while (fgets(line, sizeof(line), f)) {
			struct ktype k;

			if (!arg_type(line, type, sizeof(type)))
				continue;
			if (!ktype_base(type, &k))
				fprintf(stderr, "%s: '%s' needs BTF\n", g.gl_pathv[i], type);
			CHECK(ktype_base(type, &k));
		}
		fclose(f);
	}
	globfree(&g);
	CHECK(files > 100);
}

int main(void)
{
	struct btf *btf = btf__load_vmlinux_btf();

	CHECK(btf != NULL);
	if (btf)
		check_typedefs(btf);
	check_syscall_formats();
	btf__free(btf);
	return unit_summary();
}
