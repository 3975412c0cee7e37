/* Probe specifiers as users write them ("call:libc:malloc", "uprobe:/bin/bash:readline+4",
 * "libc:str*", "profile:hz:99") parsed into a struct spec. Pure string work: resolving
 * the library and the function happens later, in the provider. */
#ifndef LT_SPEC_H
#define LT_SPEC_H

/* profile:hz:N's bound (docs/stacks.md). */
#define SPEC_MAX_HZ 100000

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the part after "KIND:" reads. */
enum spec_form {
	SPEC_FORM_FUNC,		/* LIB:FUNC, LIB:FUNC+OFF, LIB:0xADDR: user functions */
	SPEC_FORM_USDT,		/* BIN:PROVIDER:NAME or BIN:NAME */
	SPEC_FORM_CATEGORY,	/* CATEGORY:NAME */
	SPEC_FORM_NAME,		/* NAME, NAME+OFF: syscalls, kernel functions */
	SPEC_FORM_HZ,		/* hz:N */
	SPEC_FORM_NONE,		/* nothing: the kind's knobs are options */
};

/* A probe kind as users spell it. Each provider owns its kinds (src/probes/<kind>/), so a
 * new kind is spelled where it is built; the core finds them through the providers' table
 * (provider.c), which is how spec_parse knows the names. */
struct spec_kind {
	const char *name;		/* the long spelling, as printed */
	const char *alias[3];		/* short spellings ("u", "tp_btf"), NULL-terminated */
	enum spec_form form;
	bool bare;			/* LIB:FUNC with no kind means this kind */
	int variant;			/* the provider's own tag for the kind (entry, return,
					 * call ...), for the kinds one provider shares */
};

#define SPEC_FIELD_MAX 4096

struct spec {
	const struct spec_kind *kind;
	char lib[SPEC_FIELD_MAX];	/* library or binary (user probes), category (tracepoint) */
	char func[512];			/* function or glob, probe name */
	char provider[256];		/* usdt provider */
	uint64_t offset;		/* FUNC+OFFSET */
	bool has_offset;
	bool is_addr;			/* FUNC was a bare address (0x...) */
	uint64_t interval_ns;		/* profile:hz: period */
};

/* 0, or -EINVAL with a message naming the bad part in err. */
int spec_parse(const char *text, struct spec *out, char *err, size_t errlen);
/* A user-space function probe (LIB:FUNC): uprobe, uretprobe, call. */
bool spec_is_user(const struct spec_kind *kind);
/* "1s", "250ms", "10us", "100ns", "2m", bare numbers are seconds; 0 or -EINVAL. */
int spec_parse_duration(const char *text, uint64_t *ns);
/* Does the function part contain glob characters? */
bool spec_is_glob(const char *func);

#endif
