/* The uprobe kind's state in a session, kept as one of the session's objects
 * (session_own_object): the template's programs loaded so far, one object per program, per
 * (group, link kind, build), loaded on first use or prefetched; what the kernel was found
 * to refuse; the first probe's early links (early_link.h, provider_uprobe.c). */
#ifndef LT_UPROBE_PROGRAMS_H
#define LT_UPROBE_PROGRAMS_H

#include <stdbool.h>
#include "uprobe_template.h"

struct early_link;
struct prefetch;
struct probe;

struct uprobe_session {
	/* [group][multi][variant][program]: programs loaded so far, one object per program
	 * (a paired call's two verify in parallel) */
	struct uprobe_bpf *instances[TMPL_GROUPS][2][TMPL_VARIANTS][2];
	struct prefetch *prefetch;	/* programs verifying in the background */
	bool multi_ok;		/* kernel has uprobe_multi links (and took their programs) */
	bool sleepable_ok;	/* kernel takes sleepable uprobe programs */
	/* The first uprobe probe's links, made while its template verifies */
	struct early_link *early;
	struct probe *early_probe;
	bool early_tried;
};

/* The session's uprobe state, made on first use; NULL when there is no memory. */
struct uprobe_session *uprobe_session(struct session *s);
/* The same, NULL when there is none yet. */
struct uprobe_session *uprobe_session_find(struct session *s);
/* Whether programs for uprobe_multi links can be used (usdt asks too); false once the
 * kernel refused them. */
bool uprobe_multi_ok(struct session *s);
/* The programs of a group (second NULL unless paired), loading them on first use; 0 or
 * -errno. Programs for multi links are loaded with the multi attach type. The sleepable
 * variant falls back to the plain one where the kernel refuses it. */
int uprobe_programs(struct session *s, enum tmpl_group g, bool multi, enum tmpl_variant v,
		    struct bpf_program *out[2]);
/* Starts verifying, in the background and in parallel, the programs of the groups in the
 * builds marked in want[group][variant] that are not loaded yet: for a front end that
 * knows what its probes will need (the ltrace front end). The next uprobe_programs()
 * waits for them. Loads the session first (ringbuf_size() is then too late); 0 or -errno. */
int uprobe_programs_prefetch(struct session *s, const bool want[TMPL_GROUPS][TMPL_VARIANTS]);

#endif
