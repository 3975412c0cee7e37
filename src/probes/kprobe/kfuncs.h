/* Kernel functions by name, for kprobe:/kretprobe:/kcall: text symbols of /proc/kallsyms
 * (the kernel's and its modules'); a glob keeps only what ftrace can attach to when
 * tracefs lists it (available_filter_functions), and leaves out compiler clones
 * ("foo.isra.0") and padding symbols ("__pfx_foo"). */
#ifndef LT_KFUNCS_H
#define LT_KFUNCS_H

#include <stddef.h>

struct kfunc_list {
	char **v;	/* sorted, distinct */
	size_t n;
};

/* 0 (possibly none) or -errno with a message in err. */
int kfuncs_match(const char *pattern, struct kfunc_list *out, char *err, size_t errlen);
void kfunc_list_free(struct kfunc_list *l);

#endif
