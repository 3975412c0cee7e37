/* `plt = true | {names}` for user probes (see src/probes/uprobe/uprobe_plt.c). Hooks of
 * the uprobe provider; the setters are called by the kind's Lua table. */
#ifndef LT_UPROBE_PLT_H
#define LT_UPROBE_PLT_H

#include <stddef.h>

struct probe;

/* The probe's sites are PLT stubs, every one FUNC matches until uprobe_plt_add narrows
 * them; 0 or -errno with a one-line message in err. */
int uprobe_plt_select(struct probe *p, char *err, size_t errlen);
/* Only the stubs of these imports (after uprobe_plt_select); 0 or -ENOMEM. */
int uprobe_plt_add(struct probe *p, const char *name);
void uprobe_plt_release(struct probe *p);
/* Sites for a probe with the plt option (p->kind_data set); 0 or -errno, message in err. */
int uprobe_plt_resolve(struct probe *p, char *err, size_t errlen);

#endif
