/* Field paths into kernel types ("prev.pid", "skb->dev->name", "comm[0]") resolved against
 * BTF into what a template needs to read them without any compiled-in knowledge: a chain of
 * offsets with a pointer read between two, and how to read the leaf. Pure user-space work
 * on a struct btf (the kernel's own, /sys/kernel/btf/vmlinux, in practice). */
#ifndef LT_BTF_PATH_H
#define LT_BTF_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;

#define BTF_PATH_MAX_STEPS 8

enum btf_leaf {
	BTF_LEAF_INT = 1,	/* integer, enum, bool or non-char pointer: `size` bytes */
	BTF_LEAF_STR,		/* char array: a string of at most `size` bytes */
	BTF_LEAF_STRP,		/* char pointer: the string it points to */
	BTF_LEAF_BYTES,		/* struct, union or non-char array: `size` raw bytes */
};

/* How to read a path from a value v held in a register (a tracepoint argument):
 * nsteps == 0: the leaf is v itself. Otherwise addr = v + off[0]; for each later step
 * v = *(u64 *)addr, addr = v + off[i]; the leaf is read at addr. */
struct btf_path {
	int nsteps;
	int32_t off[BTF_PATH_MAX_STEPS];
	enum btf_leaf leaf;
	uint32_t size;
	bool is_signed;
	char type[128];		/* the leaf's C type: "pid_t", "char[16]", "struct mm_struct *" */
};

/* Resolves `path` from a register value of BTF type `type_id` named `root` (in messages).
 * The path is a sequence of members (".name" or "->name", the first may omit the separator)
 * and indexes ("[N]"); pointers are followed as needed, as C's "->" would. An empty path is
 * the value itself. 0, or -EINVAL / -ENOENT / -E2BIG with a one-line message in err naming
 * the part of the path that failed. */
int btf_path_resolve(const struct btf *btf, uint32_t type_id, const char *root, const char *path,
		     struct btf_path *out, char *err, size_t errlen);
/* The C spelling of a type ("struct task_struct *", "unsigned int", "char[16]"). */
void btf_type_str(const struct btf *btf, uint32_t type_id, char *buf, size_t len);

#endif
