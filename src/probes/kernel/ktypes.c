/* Sizes of the C types syscall and tracepoint formats name. Base types and the typedefs of
 * the x86-64 syscall ABI are known by their spelling; any other typedef is followed through
 * the kernel's BTF to what it really is. BTF is loaded only then: reading and parsing
 * /sys/kernel/btf/vmlinux costs ~10 ms and ~5 MB, most of a syscall probe's start-up. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "ktypes.h"
#include "session.h"

static const struct {
	const char *name;
	unsigned size;
	bool is_signed;
} base[] = {
	{ "char", 1, true }, { "signed char", 1, true }, { "unsigned char", 1, false },
	{ "bool", 1, false }, { "_Bool", 1, false }, { "short", 2, true },
	{ "unsigned short", 2, false }, { "int", 4, true }, { "unsigned int", 4, false },
	{ "unsigned", 4, false }, { "long", 8, true }, { "unsigned long", 8, false },
	{ "long long", 8, true }, { "unsigned long long", 8, false }, { "u8", 1, false },
	{ "__u8", 1, false }, { "s8", 1, true }, { "__s8", 1, true }, { "u16", 2, false },
	{ "__u16", 2, false }, { "s16", 2, true }, { "__s16", 2, true }, { "u32", 4, false },
	{ "__u32", 4, false }, { "s32", 4, true }, { "__s32", 4, true }, { "u64", 8, false },
	{ "__u64", 8, false }, { "s64", 8, true }, { "__s64", 8, true }, { "size_t", 8, false },
	{ "ssize_t", 8, true },
	/* typedefs in syscall formats (x86-64; test_ktypes checks them against BTF) */
	{ "pid_t", 4, true }, { "uid_t", 4, false }, { "gid_t", 4, false },
	{ "qid_t", 4, false }, { "umode_t", 2, false }, { "loff_t", 8, true },
	{ "off_t", 8, true }, { "clockid_t", 4, true }, { "timer_t", 4, true },
	{ "mqd_t", 4, true }, { "key_t", 4, true }, { "key_serial_t", 4, true },
	{ "rwf_t", 4, true }, { "aio_context_t", 8, false },
	{ "enum landlock_rule_type", 4, false },
};

/* Pointer typedefs in syscall formats. */
static const char *const ptr_typedefs[] = { "cap_user_header_t", "cap_user_data_t" };

/* Drops qualifiers: "const unsigned int" -> "unsigned int". */
static void strip(const char *text, char *out, size_t len)
{
	static const char *const quals[] = { "const ", "volatile " };
	bool again = true;

	while (isspace((unsigned char)*text))
		text++;
	while (again) {
		again = false;
		for (size_t i = 0; i < 2; i++) {
			if (!strncmp(text, quals[i], strlen(quals[i]))) {
				text += strlen(quals[i]);
				again = true;
			}
		}
	}
	snprintf(out, len, "%s", text);
	for (size_t n = strlen(out); n && isspace((unsigned char)out[n - 1]); n--)
		out[n - 1] = 0;
}

static bool from_base(const char *name, struct ktype *out)
{
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		if (!strcmp(name, base[i].name)) {
			*out = (struct ktype){ base[i].size, base[i].is_signed, false };
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(ptr_typedefs) / sizeof(ptr_typedefs[0]); i++) {
		if (!strcmp(name, ptr_typedefs[i])) {
			*out = (struct ktype){ 8, false, true };
			return true;
		}
	}
	return false;
}

/* A typedef or enum, followed through BTF. */
static bool from_btf(const struct btf *btf, const char *name, struct ktype *out)
{
	bool is_enum = !strncmp(name, "enum ", 5);
	int id = btf__find_by_name_kind(btf, is_enum ? name + 5 : name,
					is_enum ? BTF_KIND_ENUM : BTF_KIND_TYPEDEF);
	const struct btf_type *t;

	if (id <= 0 || (id = btf__resolve_type(btf, id)) < 0 || !(t = btf__type_by_id(btf, id)))
		return false;
	if (btf_is_ptr(t)) {
		*out = (struct ktype){ 8, false, true };
		return true;
	}
	if (btf_is_int(t) && (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8)) {
		*out = (struct ktype){ t->size, btf_int_encoding(t) & BTF_INT_SIGNED, false };
		return true;
	}
	if (btf_is_enum(t) && (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8)) {
		*out = (struct ktype){ t->size, btf_kflag(t), false };
		return true;
	}
	return false;
}

bool ktype_base(const char *text, struct ktype *out)
{
	char name[128];

	strip(text, name, sizeof(name));
	return from_base(name, out);
}

void ktype_resolve(const struct btf *btf, const char *text, struct ktype *out)
{
	char name[128];

	*out = (struct ktype){ 8, false, false };
	if (strchr(text, '*')) {
		out->is_ptr = true;
		return;
	}
	strip(text, name, sizeof(name));
	if (from_base(name, out))
		return;
	if (btf && from_btf(btf, name, out))
		return;
	if (!strncmp(name, "enum ", 5))
		out->size = 4;	/* without BTF: the usual enum */
}

void ktype_resolve_in(struct session *s, const char *text, struct ktype *out)
{
	if (strchr(text, '*') || ktype_base(text, out))
		ktype_resolve(NULL, text, out);
	else
		ktype_resolve(ktypes_btf(s), text, out);
}

enum value_type ktype_value_type(const struct ktype *t)
{
	if (t->is_ptr)
		return VT_PTR;
	switch (t->size) {
	case 1: return t->is_signed ? VT_I8 : VT_U8;
	case 2: return t->is_signed ? VT_I16 : VT_U16;
	case 4: return t->is_signed ? VT_I32 : VT_U32;
	}
	return t->is_signed ? VT_INT : VT_UINT;
}

static const char btf_key = 'b';

static void destroy_btf(void *obj)
{
	btf__free(obj);
}

/* The kernel maps its BTF into our memory (Linux 6.16 and later): parsing it from there
 * takes 6.5 ms here against 15 for libbpf's read() into a buffer, and its copy. NULL
 * where the file cannot be mapped. */
static struct btf *map_vmlinux_btf(void)
{
	int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	struct btf *btf = NULL;
	struct stat st;
	void *data;

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && st.st_size > 0 &&
	    (data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) != MAP_FAILED) {
		btf = btf__new(data, st.st_size);	/* copies what it keeps; NULL on error */
		munmap(data, st.st_size);
	}
	close(fd);
	return btf;
}

const struct btf *ktypes_btf(struct session *s)
{
	struct btf *btf = session_object(s, &btf_key);

	if (btf)
		return btf;
	if (!(btf = map_vmlinux_btf()))
		btf = btf__load_vmlinux_btf();
	if (btf && session_own_object(s, &btf_key, btf, destroy_btf)) {
		btf__free(btf);
		btf = NULL;
	}
	return btf;
}
