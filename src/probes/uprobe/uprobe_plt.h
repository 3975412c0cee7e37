/* `plt = true | {names}` for user probes, and the raw registers as event fields (see
 * src/probes/uprobe/uprobe_plt.c). Hooks of the uprobe provider. */
#ifndef LT_UPROBE_PLT_H
#define LT_UPROBE_PLT_H

#include <stddef.h>
#include <stdint.h>

struct lua_State;
struct probe;
struct lt_rec;

extern const char *const uprobe_plt_opt_keys[];
void uprobe_plt_parse_opts(struct lua_State *L, int t, struct probe *p);
void uprobe_plt_release(struct probe *p);
/* Sites for a probe with the plt option (p->kind_data set); 0 or -errno, message in err. */
int uprobe_plt_resolve(struct probe *p, char *err, size_t errlen);
int uprobe_push_regs(struct lua_State *L, struct probe *p, const struct lt_rec *rec,
		     const uint8_t *data, const char *key);

#endif
