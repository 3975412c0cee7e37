/* A probe kind as the core sees it: the hooks of its provider (src/probes/<kind>/) and the
 * table that finds the provider of a spec's kind (provider.c). Apart from probe.h so that
 * the table depends on the kinds' interface only, not on the probe lifecycle. */
#ifndef LT_PROVIDER_H
#define LT_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "spec.h"

struct lt_rec;
struct probe;
struct probe_value;
struct session;

/* Where a kind's events fire, for their stacks (provider->stack_origin). */
struct stack_origin {
	bool user_mode;		/* in user mode: no kernel stack */
	bool entry;		/* at a function's first instruction: the caller's frame is whole */
	bool sampled;		/* sampled (profile:, offcpu:): stacks key its counts by default */
	const char *lib;	/* the library a user stack starts in besides the program, NULL
				 * when not known */
};

/* Kinds of probes behind one table (ply's providers): one folder and one line in
 * provider.c per provider; the provider spells its kinds itself (struct spec_kind).
 * What a script says to a kind (options beyond the core ones) goes through the kind's
 * table in the scripting layer (src/lua/kinds/), which sets it with the C functions the
 * kind exposes; the core and the providers know no scripting language. */
struct provider {
	const char *name;
	/* The kinds it serves, as users spell them (spec.h), NULL-terminated. */
	const struct spec_kind *kinds[4];
	/* Optional: the kind's defaults on a new probe, before any option is read (a paired
	 * call's LT_CFG_CALL). */
	void (*init)(struct probe *p);
	/* Finds the sites; 0 or -errno with a one-line message in err. */
	int (*resolve)(struct probe *p, char *err, size_t errlen);
	int (*attach)(struct probe *p, char *err, size_t errlen);
	/* Optional: starts what may overlap loading the templates, between resolve (the id
	 * is assigned) and attach; failing quietly leaves attach to do it all. */
	void (*prepare)(struct probe *p);
	/* Optional: event field `key` of a record beyond the core ones (e.g. a tracepoint's
	 * named fields) as a value; 1 when set in *out, 0 when the kind has no such field. */
	int (*field)(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
		     const char *key, struct probe_value *out);
	/* Optional, with field returning PV_FIELDS: the record's i-th named field; 1 with
	 * *name and *out set, 0 past the last. */
	int (*field_at)(struct probe *p, const struct lt_rec *rec, const uint8_t *data,
			size_t i, const char **name, struct probe_value *out);
	/* Optional: frees what resolve() allocated beyond sites (called by probe_free). */
	void (*release)(struct probe *p);
	/* Optional: closes what the kind holds for the probe beyond its links, once they are
	 * closed (called by probe_detach, so it must be idempotent). */
	void (*detach)(struct probe *p);
	/* Optional: arguments 7..LT_MAX_CALL_ARGS can be read from the stack (user functions:
	 * the x86-64 SysV ABI passes them at sp + 8, sp + 16, ...); 0 when this probe may read
	 * one (at return too when `out`), else -EINVAL with the reason in err. */
	int (*stack_arg)(const struct probe *p, bool out, char *err, size_t errlen);
	/* Optional: where the probe's events fire (NULL: in the kernel, on behalf of a system
	 * call, so a user stack starts in the C library's wrappers). */
	void (*stack_origin)(const struct probe *p, struct stack_origin *o);
	/* The kind's template never stops a thread: options hold and lossless are refused. */
	bool no_hold;
	/* Optional: probe points matching spec, each passed to emit as a full spec string
	 * (verbose: with their arguments, as -l -v shows them); 0 or -errno with a one-line
	 * message in err (list(), -l). */
	int (*list)(struct session *s, const struct spec *spec, bool verbose,
		    void (*emit)(void *ctx, const char *name), void *ctx, char *err, size_t errlen);
	/* Optional: the value source (LT_SRC_*) a named field of this kind reads ("fd" -> arg1 of
	 * a syscall), for where, of, by and fetch; -errno with a message naming it otherwise. */
	int (*field_src)(struct probe *p, const char *name, char *err, size_t errlen);
};

const struct provider *provider_for(const struct spec_kind *kind);
/* The kind spelled name[0..len) (a name or an alias), NULL when no provider has it. */
const struct spec_kind *provider_kind_named(const char *name, size_t len);
/* The kind a bare LIB:FUNC means (uprobe), NULL when none is built. */
const struct spec_kind *provider_kind_bare(void);
/* The i-th kind of all providers, NULL past the last (completion, help). */
const struct spec_kind *provider_kind_at(size_t i);

#endif
