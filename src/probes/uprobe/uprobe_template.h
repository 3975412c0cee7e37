/* The uprobe template's objects: one per program, opened with only that program loadable
 * and every map the session's owner has shared (session_share_maps_using), in one of the
 * template's builds. uprobe_programs.c keeps them per session; this file opens and loads. */
#ifndef LT_UPROBE_TEMPLATE_H
#define LT_UPROBE_TEMPLATE_H

#include <stdbool.h>
#include "session.h"

struct bpf_program;
struct uprobe_bpf;

/* Program groups of the uprobe template, loaded on first use. */
enum tmpl_group {
	TMPL_ENTRY,	/* uprobe */
	TMPL_RETURN,	/* uretprobe */
	TMPL_CALL,	/* paired entry + return */
	TMPL_GROUPS,
};

/* How many programs (so objects) group g has: 2 for a paired call, else 1. */
int tmpl_group_size(enum tmpl_group g);
/* Program i of group g in object k, for a multi or a classic link. */
struct bpf_program *tmpl_group_prog(struct uprobe_bpf *k, enum tmpl_group g, bool multi, int i);
/* The group's programs opened, one object each: all of them, or none and -errno. */
int tmpl_open_group(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		    struct uprobe_bpf *out[2]);
/* The same, loaded: the programs verified in parallel (parallel_load.h); 0 or -errno,
 * nothing kept on failure. */
int tmpl_load_group(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		    struct uprobe_bpf *inst[2]);

#endif
