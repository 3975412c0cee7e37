/* The signature of a raw tracepoint, from the kernel's BTF: btf_trace_<name> gives the
 * argument types; the names come from __probestub_<name>, __traceiter_<name> or
 * __bpf_trace_<name> (or the event class's function when all candidates agree), else they
 * are arg1..argN. */
#ifndef LT_BTF_TP_H
#define LT_BTF_TP_H

#include <stddef.h>
#include <stdint.h>

struct btf;

#define BTF_TP_MAX_ARGS 12

struct btf_tp_arg {
	char name[64];
	uint32_t type;		/* BTF type id */
};

struct btf_tp {
	int nargs;
	struct btf_tp_arg args[BTF_TP_MAX_ARGS];
};

/* 0, or -ENOENT when the kernel has no raw tracepoint `name` (message in err). */
int btf_tp_lookup(const struct btf *btf, const char *name, struct btf_tp *out, char *err,
		  size_t errlen);
/* Index of the argument named `name` (or "argN", 1-based), or -1. */
int btf_tp_arg_index(const struct btf_tp *tp, const char *name);
/* Calls fn for each raw tracepoint whose name matches the glob; returns how many. */
int btf_tp_each(const struct btf *btf, const char *glob, void (*fn)(void *ctx, const char *name),
		void *ctx);

#endif
