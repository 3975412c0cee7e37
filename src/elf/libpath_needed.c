/* DT_NEEDED lookup with libelf: collect the needed sonames and the run paths of the
 * executable, pick the soname matching what the user typed, and search the run paths
 * before handing the soname to the general resolver (ld.so.conf, default dirs). */
#include <errno.h>
#include <gelf.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf_file.h"
#include "libpath.h"
#include "libpath_needed.h"

#define MAX_NEEDED 128

struct dyn_info {
	char *needed[MAX_NEEDED];
	int nneeded;
	char *runpath;	/* RUNPATH, or RPATH when there is none */
};

static void dyn_free(struct dyn_info *d)
{
	for (int i = 0; i < d->nneeded; i++)
		free(d->needed[i]);
	free(d->runpath);
}

static void dyn_take(Elf *elf, GElf_Shdr *sh, Elf_Data *data, struct dyn_info *d)
{
	GElf_Dyn dyn;

	for (size_t i = 0; gelf_getdyn(data, i, &dyn); i++) {
		const char *str = NULL;

		if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RUNPATH || dyn.d_tag == DT_RPATH)
			str = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
		if (!str)
			continue;
		if (dyn.d_tag == DT_NEEDED && d->nneeded < MAX_NEEDED)
			d->needed[d->nneeded++] = strdup(str);
		else if (dyn.d_tag == DT_RUNPATH || (dyn.d_tag == DT_RPATH && !d->runpath)) {
			free(d->runpath);
			d->runpath = strdup(str);
		}
	}
}

/* Nothing to say when exe cannot be read: the caller falls back to libpath_resolve(). */
static int dyn_read(const char *exe, struct dyn_info *d)
{
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int rc = elf_file_open(&ef, exe, 0, NULL, 0);

	if (rc)
		return rc;
	while ((scn = elf_file_next(&ef, scn, SHT_DYNAMIC, &sh)))
		dyn_take(ef.elf, &sh, elf_getdata(scn, NULL), d);
	elf_file_close(&ef);
	return 0;
}

/* "foo", "libfoo", "libfoo.so", "libfoo.so.1" all name libfoo.so.1. */
static bool soname_matches(const char *soname, const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(soname, name))
		return true;
	if (!strncmp(soname, name, n) && !strncmp(soname + n, ".so", 3))
		return true;
	return !strncmp(soname, "lib", 3) && !strncmp(soname + 3, name, n) &&
	       !strncmp(soname + 3 + n, ".so", 3);
}

/* Each run path entry, $ORIGIN replaced by the executable's directory. */
static int search_runpath(const char *runpath, const char *exe, const char *soname, char *out,
			  size_t outlen)
{
	char *copy = strdup(runpath), *save = NULL, *origin_buf = strdup(exe);
	const char *origin = origin_buf ? dirname(origin_buf) : ".";
	int rc = -ENOENT;

	for (char *dir = strtok_r(copy, ":", &save); copy && dir; dir = strtok_r(NULL, ":", &save)) {
		char path[PATH_MAX];

		if (!strncmp(dir, "$ORIGIN", 7))
			snprintf(path, sizeof(path), "%s%s/%s", origin, dir + 7, soname);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, soname);
		if (!access(path, R_OK) && realpath(path, out) && strlen(out) < outlen) {
			rc = 0;
			break;
		}
	}
	free(copy);
	free(origin_buf);
	return rc;
}

int libpath_resolve_for(const char *name, const char *exe, char *out, size_t outlen)
{
	struct dyn_info d = {};
	char *exe_copy = strdup(exe);
	int rc = -ENOENT;

	if (exe_copy && !strcmp(basename(exe_copy), name) && realpath(exe, out))
		rc = 0;
	free(exe_copy);
	if (rc == 0 || dyn_read(exe, &d))
		return rc;
	for (int i = 0; i < d.nneeded && rc; i++) {
		if (!soname_matches(d.needed[i], name))
			continue;
		if (d.runpath)
			rc = search_runpath(d.runpath, exe, d.needed[i], out, outlen);
		if (rc)
			rc = libpath_resolve(d.needed[i], 0, out, outlen, NULL, 0);
	}
	dyn_free(&d);
	return rc;
}
