/* The table of probe kinds. Adding a kind is one provider file and one line here. */
#include <stddef.h>
#include "provider.h"

extern const struct provider uprobe_provider;
extern const struct provider usdt_provider;
extern const struct provider rawtp_provider;
extern const struct provider kprobe_provider;
extern const struct provider tracepoint_provider;
extern const struct provider syscall_provider;
extern const struct provider profile_provider;

static const struct provider *const providers[] = {
	&uprobe_provider,
	&usdt_provider,
	&rawtp_provider,
	&kprobe_provider,
	&tracepoint_provider,
	&syscall_provider,
	&profile_provider,
};

const struct provider *provider_for(enum spec_kind kind)
{
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (providers[i]->handles(kind))
			return providers[i];
	return NULL;
}
