/* The uprobe provider's option `plt = true | {names}`: a probe's sites are its binary's PLT
 * stubs (src/elf/elf_plt.c), named by the symbols they import, instead of function symbols.
 * Kept apart from provider_uprobe.c, which only calls in here; the option is read by the
 * kind's Lua table (src/lua/kinds/l_kind_uprobe.c). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf_plt.h"
#include "probe.h"
#include "uprobe_plt.h"

struct plt_sel {
	char **names;	/* only these imports (NULL: every one FUNC matches) */
	size_t n;
};

static void plt_sel_free(struct plt_sel *sel)
{
	if (!sel)
		return;
	for (size_t i = 0; i < sel->n; i++)
		free(sel->names[i]);
	free(sel->names);
	free(sel);
}

void uprobe_plt_release(struct probe *p)
{
	plt_sel_free(p->kind_data);
	p->kind_data = NULL;
}

int uprobe_plt_select(struct probe *p, char *err, size_t errlen)
{
	if (p->spec.is_addr || p->spec.has_offset) {
		snprintf(err, errlen, "option 'plt': the function must be a name or a glob");
		return -EINVAL;
	}
	uprobe_plt_release(p);
	if (!(p->kind_data = calloc(1, sizeof(struct plt_sel)))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int uprobe_plt_add(struct probe *p, const char *name)
{
	struct plt_sel *sel = p->kind_data;
	char **v = realloc(sel->names, (sel->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	sel->names = v;
	if (!(v[sel->n] = strdup(name)))
		return -ENOMEM;
	sel->n++;
	return 0;
}

static bool plt_selected(const struct plt_sel *sel, const char *func, const char *name)
{
	if (fnmatch(func, name, 0))
		return false;
	if (!sel->names)
		return true;
	for (size_t i = 0; i < sel->n; i++)
		if (!strcmp(sel->names[i], name))
			return true;
	return false;
}

int uprobe_plt_resolve(struct probe *p, char *err, size_t errlen)
{
	const struct plt_sel *sel = p->kind_data;
	struct plt_list list;
	int rc;

	if ((rc = elf_plt_imports(p->path, &list, err, errlen)))
		return rc;
	for (size_t i = 0; i < list.n && !rc; i++)
		if (list.v[i].kind == PLT_STUB && plt_selected(sel, p->spec.func, list.v[i].name))
			rc = probe_add_site(p, list.v[i].name, list.v[i].offset);
	elf_plt_list_free(&list);
	if (!rc && !p->nsites) {
		snprintf(err, errlen, "no PLT stub of %s calls '%s'%s", p->path, p->spec.func,
			 sel->names ? " (in the plt list)" : "");
		rc = -ENOENT;
	}
	return rc;
}
