/* Probe specifiers as users write them ("call:libc:malloc", "uprobe:/bin/bash:readline+4",
 * "libc:str*", "interval:500ms") parsed into a struct spec. Pure string work: resolving
 * the library and the function happens later, in the provider. */
#ifndef LT_SPEC_H
#define LT_SPEC_H

/* profile:hz:N's bound (docs/stacks.md). */
#define SPEC_MAX_HZ 100000

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spec_kind {
	SPEC_UPROBE,
	SPEC_URETPROBE,
	SPEC_CALL,
	SPEC_USDT,
	SPEC_TRACEPOINT,
	SPEC_SYSCALL,
	SPEC_KPROBE,
	SPEC_KRETPROBE,
	SPEC_KCALL,
	SPEC_PROFILE,
	SPEC_BEGIN,
	SPEC_END,
	SPEC_INTERVAL,
	SPEC_RAWTP,	/* rawtracepoint:NAME, tp_btf:NAME */
	SPEC_OFFCPU,	/* offcpu: time threads spend blocked (profile's off-CPU mode) */
};

#define SPEC_FIELD_MAX 4096

struct spec {
	enum spec_kind kind;
	char lib[SPEC_FIELD_MAX];	/* library or binary (user probes), category (tracepoint) */
	char func[512];			/* function or glob, probe name */
	char provider[256];		/* usdt provider */
	uint64_t offset;		/* FUNC+OFFSET */
	bool has_offset;
	bool is_addr;			/* FUNC was a bare address (0x...) */
	uint64_t interval_ns;		/* interval:, profile:hz: period */
};

/* 0, or -EINVAL with a message naming the bad part in err. */
int spec_parse(const char *text, struct spec *out, char *err, size_t errlen);
const char *spec_kind_name(enum spec_kind kind);
bool spec_is_user(enum spec_kind kind);
/* "1s", "250ms", "10us", "100ns", "2m", bare numbers are seconds; 0 or -EINVAL. */
int spec_parse_duration(const char *text, uint64_t *ns);
/* Does the function part contain glob characters? */
bool spec_is_glob(const char *func);

#endif
