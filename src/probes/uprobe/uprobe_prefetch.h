/* Programs of the uprobe template verified ahead of the probes that will need them: every
 * group and build asked for is opened at once and loaded in background threads, in
 * parallel, while the script goes on (uprobe_programs_prefetch). */
#ifndef LT_UPROBE_PREFETCH_H
#define LT_UPROBE_PREFETCH_H

#include <stdbool.h>
#include "uprobe_template.h"

struct prefetch;

/* Opens the groups in the builds marked in want[group][variant] and not in have (the
 * sleepable build only when sleepable_ok) and starts verifying them; NULL when there is
 * no memory (then nothing is prefetched: the probes load what they need). */
struct prefetch *prefetch_start(struct session *s, bool multi, bool sleepable_ok,
				const bool want[TMPL_GROUPS][TMPL_VARIANTS],
				const bool have[TMPL_GROUPS][TMPL_VARIANTS]);
/* Waits for pf and frees it. The groups that loaded whole go to inst[group][variant] (for
 * pf's link kind) where that is empty, the others are destroyed; a sleepable build the
 * kernel refused clears *sleepable_ok. */
void prefetch_join(struct prefetch *pf, struct uprobe_bpf *inst[TMPL_GROUPS][2][TMPL_VARIANTS][2],
		   bool *sleepable_ok);

#endif
