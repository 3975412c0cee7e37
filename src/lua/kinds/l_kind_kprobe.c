/* kprobe:, kretprobe:, kcall: options: fetch = { NAME = TYPE } (l_fetch_opt.c). Captures
 * read kernel memory unless a fetch type says "user:". */
#include <stddef.h>
#include <lua.h>
#include "l_fetch_opt.h"
#include "l_kind.h"
#include "probe.h"

static const char *const keys[] = { "fetch", NULL };

/* Core `args` captures read kernel memory; `fetch` says per entry ("user:str"). */
static void parse_opts(lua_State *L, int t, struct probe *p)
{
	for (int i = 0; i < p->cfg.nfetch; i++)
		p->cfg.fetch[i].space = LT_SPACE_KERNEL;
	l_fetch_option(L, t, p, LT_SPACE_KERNEL);
}

const struct l_kind l_kind_kprobe = {
	.provider = "kprobe",
	.opt_keys = keys,
	.parse_opts = parse_opts,
};
