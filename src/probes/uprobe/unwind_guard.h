/* SPDX-License-Identifier: GPL-2.0 */
/* Keeps C++ exceptions (and forced unwinds) working through return probes: see
 * bpf-templates/unwind_guard.bpf.c. */
#ifndef LT_UNWIND_GUARD_H
#define LT_UNWIND_GUARD_H

#include <stdbool.h>
#include <stddef.h>

struct session;

enum unwind_guard_state {
	GUARD_UNNEEDED,		/* the target does not link an unwinder (C programs) */
	GUARD_ACTIVE,
	GUARD_UNAVAILABLE,	/* needed, but the kernel refused it (lockdown) or no libgcc_s */
};

/* Sets the guard up once per session (later calls return the same state): when the target
 * can unwind (it links libgcc_s or libstdc++, or is not known), attaches it to libgcc_s's
 * unwinder. why (may be NULL) says why it is unavailable. Called before a return probe
 * attaches; a caller that asks first (`quiet`) has taken care of the unavailable case, else
 * it is a warning on stderr, once. */
enum unwind_guard_state unwind_guard_ensure(struct session *s, bool quiet, char *why,
					    size_t whylen);

#endif
