/* The table of the probe kinds' Lua tables. A kind with options of its own adds one line. */
#include <stddef.h>
#include <string.h>
#include "l_kind.h"
#include "probe.h"

extern const struct l_kind l_kind_uprobe;
extern const struct l_kind l_kind_usdt;
extern const struct l_kind l_kind_rawtp;
extern const struct l_kind l_kind_kprobe;
extern const struct l_kind l_kind_tracepoint;
extern const struct l_kind l_kind_syscall;
extern const struct l_kind l_kind_profile;

static const struct l_kind *const kinds[] = {
	&l_kind_uprobe,
	&l_kind_usdt,
	&l_kind_rawtp,
	&l_kind_kprobe,
	&l_kind_tracepoint,
	&l_kind_syscall,
	&l_kind_profile,
};

const struct l_kind *l_kind_of(const struct provider *pv)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i]->provider, pv->name))
			return kinds[i];
	return NULL;
}
