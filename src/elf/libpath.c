// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the file behind a name a user types. This file owns the search order: an explicit
 * path, what a running process has mapped (the only answer that is certainly right for that
 * process, possibly in another mount namespace), what this process has loaded, the loader's
 * directories from /etc/ld.so.conf and the built-in defaults, and finally $PATH. Nothing here
 * parses ELF beyond its magic: "libc.so" on Debian is a linker script, and skipping files that
 * are not ELF is all it takes to land on libc.so.6.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd_limit.h"
#include "proc_maps.h"
#include "safe_file.h"
#include "libpath.h"

#define LDCONF_PATH "/etc/ld.so.conf"
#define LDCONF_MAX_DEPTH 8

/* After ld.so.conf, in the order the loader and ldconfig use on Debian x86-64. */
static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
};

struct str_vec {
	char **v;
	size_t n;
	size_t cap;
};

/* The best library file seen so far; lower score is better, -1 while none. */
struct lib_pick {
	char path[PATH_MAX];
	char base[NAME_MAX + 1];
	int score;
	int open_err;		/* the first candidate this process could not open (EMFILE...) */
	char err_path[PATH_MAX];
};

/* ---- small helpers ------------------------------------------------------------------------ */

static int strv_has(const struct str_vec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

static int strv_push(struct str_vec *sv, const char *s)
{
	size_t cap;
	char **v;

	if (sv->n == sv->cap) {
		cap = sv->cap ? sv->cap * 2 : 16;
		v = reallocarray(sv->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n] = strdup(s);
	if (!sv->v[sv->n])
		return -ENOMEM;
	sv->n++;
	return 0;
}

static void strv_free(struct str_vec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* 1: a regular file starting with the ELF magic; 0: a file read that is something else
 * (anything but ELF cannot be traced); or sf_open_read's negative code when it could not
 * be opened: -EMFILE must not read as "not an ELF file" (sf_strerror says which). */
static int file_is_elf(const char *path)
{
	char magic[SELFMAG];
	struct stat st;
	int fd, ok;

	fd = sf_open_read(path, SF_MAX_ELF, 0, 0);
	if (fd < 0)
		return fd;
	ok = !fstat(fd, &st) && S_ISREG(st.st_mode) &&
	     read(fd, magic, SELFMAG) == SELFMAG && !memcmp(magic, ELFMAG, SELFMAG);
	close(fd);
	return ok;
}

/* An open that failed for want of this process's resources, not because of the file: the
 * search cannot tell that the library is not there, so it says why instead. */
static int out_of_resources(int err)
{
	return fd_limit_ran_out(err) || err == -ENOMEM;
}

static int copy_out(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t len = strlen(path);

	if (len >= outlen) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(out, path, len + 1);
	return 0;
}

static int canon_out(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	char real[PATH_MAX];
	int rc;

	if (!realpath(path, real)) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	return copy_out(real, out, outlen, err, errlen);
}

/* ---- matching library names ---------------------------------------------------------------- */

/*
 * How well basename `base` fits `stem`: 0 the soname form ("libc.so.6"), 1 the development name
 * ("libc.so", often a linker script), 2 anything else under the stem ("libfoo.so.1.2.3"),
 * -1 no match. A stem the user already wrote with ".so" must match exactly or up to a '.'.
 */
static int stem_form(const char *base, const char *stem)
{
	size_t n = strlen(stem);
	const char *r = base + n;

	if (strncmp(base, stem, n))
		return -1;
	if (strstr(stem, ".so"))
		return !*r ? 0 : *r == '.' ? 2 : -1;
	if (strncmp(r, ".so", 3))
		return -1;
	r += 3;
	if (!*r)
		return 1;
	if (*r != '.')
		return -1;
	r++;
	return *r && strspn(r, "0123456789") == strlen(r) ? 0 : 2;
}

/* "<name>.so*" before "lib<name>.so*"; -1 when neither fits. */
static int lib_score(const char *base, const char *name)
{
	char libname[NAME_MAX + 1];
	int form;

	form = stem_form(base, name);
	if (form >= 0)
		return form;
	if (snprintf(libname, sizeof(libname), "lib%s", name) >= (int)sizeof(libname))
		return -1;
	form = stem_form(base, libname);
	return form < 0 ? -1 : 4 + form;
}

/* Equal scores prefer the higher version, so libfoo.so.2 wins over libfoo.so.1. */
static void pick_consider(struct lib_pick *p, const char *path, const char *name)
{
	const char *base = base_name(path);
	int score = lib_score(base, name), elf;

	if (score < 0 || strlen(path) >= sizeof(p->path) || strlen(base) >= sizeof(p->base))
		return;
	if (p->score >= 0 &&
	    (score > p->score || (score == p->score && strverscmp(base, p->base) <= 0)))
		return;
	elf = file_is_elf(path);
	if (elf <= 0) {
		if (out_of_resources(elf) && !p->open_err) {
			p->open_err = elf;
			strcpy(p->err_path, path);
		}
		return;
	}
	strcpy(p->path, path);
	strcpy(p->base, base);
	p->score = score;
}

/* ---- the loader's directories ---------------------------------------------------------- */

static int dirs_add(struct str_vec *dirs, const char *dir)
{
	char real[PATH_MAX];

	/* /lib is /usr/lib on merged-/usr systems: canonical names keep each directory once. */
	if (!realpath(dir, real) || strv_has(dirs, real))
		return 0;
	return strv_push(dirs, real);
}

static int ldconf_parse(const char *file, struct str_vec *dirs, int depth);

/* ldconfig reads relative include globs from the including file's directory. */
static int ldconf_include(const char *pattern, const char *file, struct str_vec *dirs, int depth)
{
	char full[PATH_MAX], dir[PATH_MAX];
	glob_t g;
	size_t i;
	int err = 0;

	snprintf(dir, sizeof(dir), "%s", file);
	if (pattern[0] != '/')
		snprintf(full, sizeof(full), "%s/%s", dirname(dir), pattern);
	else
		snprintf(full, sizeof(full), "%s", pattern);
	if (glob(full, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && !err; i++)
		err = ldconf_parse(g.gl_pathv[i], dirs, depth + 1);
	globfree(&g);
	return err;
}

static int ldconf_line(char *line, const char *file, struct str_vec *dirs, int depth)
{
	char *save, *tok;
	int err = 0;

	line[strcspn(line, "#\n")] = '\0';
	tok = strtok_r(line, " \t:,", &save);
	if (!tok || !strcmp(tok, "hwcap"))
		return 0;
	if (!strcmp(tok, "include")) {
		while (!err && (tok = strtok_r(NULL, " \t", &save)))
			err = ldconf_include(tok, file, dirs, depth);
		return err;
	}
	/* The old format allows "dir=TYPE"; the type does not matter for finding files. */
	for (; tok && !err; tok = strtok_r(NULL, " \t:,", &save)) {
		tok[strcspn(tok, "=")] = '\0';
		err = dirs_add(dirs, tok);
	}
	return err;
}

static int ldconf_parse(const char *file, struct str_vec *dirs, int depth)
{
	size_t cap = 0;
	char *line = NULL;
	int err = 0;
	FILE *f;

	if (depth > LDCONF_MAX_DEPTH)
		return 0;
	f = sf_fopen_read(file, SF_MAX_TEXT);
	if (!f)
		return 0;
	while (!err && getline(&line, &cap, f) > 0)
		err = ldconf_line(line, file, dirs, depth);
	free(line);
	fclose(f);
	return err;
}

static int search_dirs(struct str_vec *dirs)
{
	size_t i;
	int err;

	err = ldconf_parse(LDCONF_PATH, dirs, 0);
	for (i = 0; !err && i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++)
		err = dirs_add(dirs, default_dirs[i]);
	return err;
}

static int loaded_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	/* The main program has no name and the vDSO no file; only paths are libraries. */
	if (!info->dlpi_name || !strchr(info->dlpi_name, '/'))
		return 0;
	return strv_push(data, info->dlpi_name) ? 1 : 0;
}

static int loaded_libs(struct str_vec *libs)
{
	return dl_iterate_phdr(loaded_cb, libs) ? -ENOMEM : 0;
}

/* ---- /proc/PID/maps ------------------------------------------------------------------------ */

/*
 * maps names files as the target sees them. From another mount namespace only
 * /proc/PID/root/<path> reaches the same file; within ours the plain path is canonical.
 */
static int proc_path_usable(int pid, const char *path, char *out, size_t outlen, char *err,
			    size_t errlen)
{
	char rooted[PATH_MAX + 32];
	struct stat st, rst;

	snprintf(rooted, sizeof(rooted), "/proc/%d/root%s", pid, path);
	if (stat(rooted, &rst))
		return canon_out(path, out, outlen, err, errlen);
	if (!stat(path, &st) && st.st_dev == rst.st_dev && st.st_ino == rst.st_ino)
		return canon_out(path, out, outlen, err, errlen);
	return copy_out(rooted, out, outlen, err, errlen);
}

static int maps_score(const char *path, const char *name)
{
	const char *base = base_name(path);

	return !strcmp(base, name) ? 0 : lib_score(base, name);
}

/* Calls fn for the path of every file mapping of pid (not deleted ones); a nonzero return
 * stops the walk. */
static int maps_each(int pid, int (*fn)(const char *path, void *arg), void *arg)
{
	struct proc_maps *it;
	struct proc_map m;
	int err;

	if ((err = proc_maps_open(&it, pid)))
		return err;
	while (!err && proc_maps_next(it, &m) > 0)
		if (proc_map_is_file(&m))
			err = fn(m.path, arg);
	proc_maps_close(it);
	return err < 0 ? err : 0;
}

struct maps_query {
	const char *name;
	char best[PATH_MAX];
	int score;
};

static int maps_query_cb(const char *path, void *arg)
{
	struct maps_query *q = arg;
	int score = maps_score(path, q->name);

	if (score < 0 || (q->score >= 0 && score >= q->score) || strlen(path) >= sizeof(q->best))
		return 0;
	strcpy(q->best, path);
	q->score = score;
	return 0;
}

static int resolve_in_maps(const char *name, int pid, char *out, size_t outlen, char *err,
			   size_t errlen)
{
	struct maps_query q = { .name = name, .score = -1 };

	if (maps_each(pid, maps_query_cb, &q) || q.score < 0)
		return -ENOENT;
	return proc_path_usable(pid, q.best, out, outlen, err, errlen);
}

/* ---- resolution ------------------------------------------------------------------------ */

static int pick_in_dir(struct lib_pick *p, const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strstr(de->d_name, ".so"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			pick_consider(p, path, name);
	}
	closedir(d);
	return p->score >= 0;
}

/* Loaded libraries first, then the first directory holding a match, as the loader searches. */
static int resolve_in_loader_dirs(const char *name, char *out, size_t outlen, char *errbuf,
				  size_t errlen)
{
	struct str_vec libs = { 0 }, dirs = { 0 };
	struct lib_pick p = { .score = -1 };
	size_t i;
	int err;

	err = loaded_libs(&libs);
	for (i = 0; !err && i < libs.n; i++)
		pick_consider(&p, libs.v[i], name);
	if (!err && p.score < 0)
		err = search_dirs(&dirs);
	for (i = 0; !err && p.score < 0 && i < dirs.n; i++)
		pick_in_dir(&p, dirs.v[i], name);
	strv_free(&libs);
	strv_free(&dirs);
	if (err)
		return err;
	if (p.score < 0 && p.open_err) {
		snprintf(errbuf, errlen, "%s: %s", p.err_path, sf_strerror(p.open_err));
		return sf_errno(p.open_err);
	}
	return p.score < 0 ? -ENOENT : canon_out(p.path, out, outlen, errbuf, errlen);
}

static int resolve_in_path(const char *name, char *out, size_t outlen, char *errbuf,
			   size_t errlen)
{
	const char *env = getenv("PATH");
	char *dirs, *dir, *save, path[PATH_MAX];
	int err = -ENOENT;

	dirs = strdup(env ? env : "/usr/local/bin:/usr/bin:/bin");
	if (!dirs)
		return -ENOMEM;
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
			continue;
		if (!access(path, X_OK) && file_is_elf(path) > 0) {
			err = canon_out(path, out, outlen, errbuf, errlen);
			break;
		}
	}
	free(dirs);
	return err;
}

static int resolve_path(const char *name, char *out, size_t outlen, char *errbuf, size_t errlen)
{
	int err;

	if (access(name, F_OK)) {
		err = -errno;
		snprintf(errbuf, errlen, "%s: %s", name, strerror(-err));
		return err;
	}
	err = file_is_elf(name);
	if (!err || err == -SF_ENOTREG) {	/* a FIFO, a device: not ELF either */
		snprintf(errbuf, errlen, "%s: not an ELF file", name);
		return -ENOEXEC;
	}
	if (err < 0) {
		snprintf(errbuf, errlen, "%s: %s", name, sf_strerror(err));
		return sf_errno(err);
	}
	return canon_out(name, out, outlen, errbuf, errlen);
}

static void not_found_error(const char *name, int pid, char *err, size_t errlen)
{
	char maps[48] = "";

	if (pid > 0)
		snprintf(maps, sizeof(maps), "/proc/%d/maps, ", pid);
	snprintf(err, errlen,
		 "%s: not found (searched %sthe loaded libraries, %s and the default library "
		 "directories for %s.so* and lib%s.so*, and $PATH)", name, maps, LDCONF_PATH, name,
		 name);
}

int libpath_resolve(const char *name, int pid, char *out, size_t outlen, char *errbuf,
		    size_t errlen)
{
	int err;

	if (!name || !*name || !out || !outlen)
		return -EINVAL;
	if (strchr(name, '/'))
		return resolve_path(name, out, outlen, errbuf, errlen);
	if (pid > 0 && !resolve_in_maps(name, pid, out, outlen, errbuf, errlen))
		return 0;
	err = resolve_in_loader_dirs(name, out, outlen, errbuf, errlen);
	if (err == -ENOENT)
		err = resolve_in_path(name, out, outlen, errbuf, errlen);
	if (err == -ENOENT)
		not_found_error(name, pid, errbuf, errlen);
	return err;
}

/* ---- completion ------------------------------------------------------------------------ */

struct each_ctx {
	const char *prefix;
	int pid;
	struct str_vec seen;
	void (*cb)(const char *name, const char *path, void *ctx);
	void *ctx;
};

static int each_is_candidate(const struct each_ctx *ec, const char *base)
{
	return !strncmp(base, ec->prefix, strlen(ec->prefix)) && strstr(base, ".so") &&
	       !strv_has(&ec->seen, base);
}

/* One call per basename: the first directory in search order shadows the later ones. */
static int each_emit(struct each_ctx *ec, const char *path)
{
	const char *base = base_name(path);
	int err;

	if (!each_is_candidate(ec, base) || file_is_elf(path) <= 0)
		return 0;
	err = strv_push(&ec->seen, base);
	if (!err)
		ec->cb(base, path, ec->ctx);
	return err;
}

static int each_maps_cb(const char *path, void *arg)
{
	struct each_ctx *ec = arg;
	char usable[PATH_MAX + 32];
	int err;

	if (!each_is_candidate(ec, base_name(path)))
		return 0;
	if (proc_path_usable(ec->pid, path, usable, sizeof(usable), NULL, 0))
		return 0;
	err = strv_push(&ec->seen, base_name(path));
	if (!err)
		ec->cb(base_name(path), usable, ec->ctx);
	return err;
}

static int each_in_dir(struct each_ctx *ec, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		if (!each_is_candidate(ec, de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			err = each_emit(ec, path);
	}
	closedir(d);
	return err;
}

int libpath_each(const char *prefix, int pid,
		 void (*cb)(const char *name, const char *path, void *ctx), void *ctx)
{
	struct each_ctx ec = { .prefix = prefix ? prefix : "", .pid = pid, .cb = cb, .ctx = ctx };
	struct str_vec libs = { 0 }, dirs = { 0 };
	size_t i;
	int err = 0;

	if (!cb)
		return -EINVAL;
	/* A process we may not inspect still completes from the directories. */
	if (pid > 0)
		err = maps_each(pid, each_maps_cb, &ec);
	if (err != -ENOMEM)
		err = loaded_libs(&libs);
	for (i = 0; !err && i < libs.n; i++)
		err = each_emit(&ec, libs.v[i]);
	if (!err)
		err = search_dirs(&dirs);
	for (i = 0; !err && i < dirs.n; i++)
		err = each_in_dir(&ec, dirs.v[i]);
	strv_free(&libs);
	strv_free(&dirs);
	strv_free(&ec.seen);
	return err;
}
