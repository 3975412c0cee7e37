/* The table of probe kinds. Adding a kind is one provider folder and one line here: the
 * provider spells its kinds (struct spec_kind), so spec strings know them from this table. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
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

#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

const struct provider *provider_for(const struct spec_kind *kind)
{
	for (size_t i = 0; i < NPROVIDERS; i++)
		for (const struct spec_kind *const *k = providers[i]->kinds; *k; k++)
			if (*k == kind)
				return providers[i];
	return NULL;
}

const struct spec_kind *provider_kind_at(size_t i)
{
	for (size_t p = 0; p < NPROVIDERS; p++)
		for (const struct spec_kind *const *k = providers[p]->kinds; *k; k++)
			if (!i--)
				return *k;
	return NULL;
}

static bool spelled(const char *spelling, const char *name, size_t len)
{
	return spelling && strlen(spelling) == len && !strncmp(spelling, name, len);
}

const struct spec_kind *provider_kind_named(const char *name, size_t len)
{
	const struct spec_kind *k;

	for (size_t i = 0; (k = provider_kind_at(i)); i++) {
		if (spelled(k->name, name, len))
			return k;
		for (size_t a = 0; a < sizeof(k->alias) / sizeof(k->alias[0]); a++)
			if (spelled(k->alias[a], name, len))
				return k;
	}
	return NULL;
}

const struct spec_kind *provider_kind_bare(void)
{
	const struct spec_kind *k;

	for (size_t i = 0; (k = provider_kind_at(i)); i++)
		if (k->bare)
			return k;
	return NULL;
}
