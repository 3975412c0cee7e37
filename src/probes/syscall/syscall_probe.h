/* What the syscall provider knows about each syscall a probe traces (shared by its probe
 * side, provider_syscall.c, and its event side, syscall_event.c). */
#ifndef LT_SYSCALL_PROBE_H
#define LT_SYSCALL_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include "ktypes.h"
#include "lt_abi.h"

struct probe;
struct probe_value;

struct sys_arg {
	char name[48];
	char decl[128];		/* as the format declares it: "const char * filename" */
	struct ktype type;
	bool is_str;		/* a path or name: read as a string when the probe emits */
};

struct sys_site {
	int nr;
	int nargs;		/* -1: no format (args unnamed) */
	struct sys_arg args[LT_MAX_ARGS];
	uint8_t str_args[LT_MAX_ARGS];	/* arguments read as strings, in capture order */
	uint8_t nstr;
	bool str_at_entry;	/* exec: read at entry (the memory is gone at exit) */
};

struct sys_state {
	struct sys_site *sites;	/* parallel to the probe's sites */
	size_t n;
	uint32_t id;		/* the probe id site entries were written under */
	bool written;
	bool dispatched;	/* in lt_sys_disp (sys_dispatch.h) */
	uint16_t tag;		/* its entry there: id + 1, LT_SYS_LEAN for the lean build */
	uint16_t own_pid;	/* 1: exempt from the session's process filter */
};

/* Event field `key` of a syscall record (an argument by name, syscall, nr, errno, fields);
 * 1 when set in *out, 0 when there is no such field. */
int syscall_field(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		  const char *key, struct probe_value *out);
/* The record's i-th argument by name (e.fields); 0 past the last. */
int syscall_field_at(struct probe *p, const struct lt_rec *rec, const uint8_t *data, size_t i,
		     const char **name, struct probe_value *out);
/* Finds the probe's syscalls and their arguments (the provider's resolve); called early by
 * the kind's Lua table, whose options name arguments. 0 or -errno, message in err. */
int syscall_resolve(struct probe *p, char *err, size_t errlen);

#endif
