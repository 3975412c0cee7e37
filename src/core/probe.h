/* One probe() of a script: its spec, its configuration (written to lt_probes[id]), the
 * sites it resolved to and the links that attach them, and the Lua callback its events go
 * to. A probe is created detached and only then attached, so a failure never leaks a link. */
#ifndef LT_PROBE_H
#define LT_PROBE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fetch.h"
#include "probe_value.h"
#include "provider.h"
#include "spec.h"
#include "lt_abi.h"

struct session;
struct bpf_link;

struct probe_site {
	char *name;
	uint64_t offset;	/* file offset (user probes) */
};

/* A kernel attachment: a libbpf link, or a raw link fd (uprobe_multi). */
struct probe_link {
	struct bpf_link *link;
	int fd;
};

/* Arguments a probe's `args` option may type: 6 in registers, the rest on the stack. */
#define LT_MAX_CALL_ARGS 12

struct probe {
	uint32_t id;
	char *text;			/* the spec as written */
	char *name;			/* the aggregate's name when printed (default: text) */
	struct spec spec;
	const struct provider *provider;
	struct session *s;
	char path[PATH_MAX];		/* resolved library or binary */
	struct lt_probe_cfg cfg;
	struct value_fmt args[LT_MAX_CALL_ARGS];	/* 7.. only with provider->stack_arg */
	struct value_fmt ret;
	unsigned strsize;
	struct probe_site *sites;
	size_t nsites;
	struct probe_link *links;
	size_t nlinks;
	int callback;			/* Lua registry ref, PROBE_NO_CALLBACK when none */
	bool attached;
	bool print_agg;			/* print the in-kernel aggregate when the session ends */
	bool agg_printed;
	bool span;			/* --otlp: its paired calls become spans (l_span.c) */
	/* A consumer in C that takes the probe's records instead of its callback (the
	 * protocol layer fed straight from the ring, src/lua/l_proto.c): 0, or a Lua status
	 * with the error on the script's stack. NULL: none. */
	int (*consume)(void *ctx, const struct probe *p, const struct lt_rec *rec);
	void *consume_ctx;
	void *kind_data;		/* the provider's own per-probe state */
};

/* probe.callback when the probe has none: Lua's LUA_NOREF, spelled here so that the core
 * includes no Lua header (src/lua/l_probe.c asserts they agree). */
#define PROBE_NO_CALLBACK (-2)

/* A detached probe with default config for `text`; NULL and errno, message in err. */
struct probe *probe_new(struct session *s, const char *text, char *err, size_t errlen);
/* Resolve, register an id, write the config, attach. On failure nothing stays attached. */
int probe_attach(struct probe *p, char *err, size_t errlen);
/* Writes p->cfg to the kernel (live: filters change without reattaching). */
int probe_write_cfg(struct probe *p);
void probe_set_enabled(struct probe *p, bool on);
/* Closes one link (idempotent: marks it closed). */
void probe_link_close(struct probe_link *l);
/* Closes every link; idempotent. */
void probe_detach(struct probe *p);
void probe_free(struct probe *p);
int probe_add_site(struct probe *p, const char *name, uint64_t offset);
int probe_add_link(struct probe *p, struct bpf_link *link, int fd);
/* Per-probe statistics summed over CPUs. */
int probe_stats(struct probe *p, struct lt_probe_stats *out);

#endif
