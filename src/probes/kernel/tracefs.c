/* Finding tracefs and reading what it says about tracepoints. tracefs is normally at
 * /sys/kernel/tracing (or under debugfs on old systems); when neither has events/, the
 * host mounts tracefs itself, as perf and bpftrace do. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "tracefs.h"

#define TRACEFS_MOUNT "/sys/kernel/tracing"

static char root[PATH_MAX];

void tracefs_set_root(const char *dir)
{
	snprintf(root, sizeof(root), "%s", dir ? dir : "");
}

/* dir/events is a directory; when it cannot be looked at (EACCES: tracefs is there but
 * mode 0700, not ours), *denied names dir, so the error says that and not "not mounted". */
static bool has_events(const char *dir, const char **denied)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", dir);
	if (!stat(path, &st))
		return S_ISDIR(st.st_mode);
	if (errno == EACCES && !*denied)
		*denied = dir;
	return false;
}

const char *tracefs_root(char *err, size_t errlen)
{
	static const char *const known[] = { TRACEFS_MOUNT, "/sys/kernel/debug/tracing" };
	const char *denied = NULL;

	if (root[0])
		return root;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (has_events(known[i], &denied)) {
			tracefs_set_root(known[i]);
			return root;
		}
	}
	if (denied) {
		snprintf(err, errlen, "tracefs at %s cannot be read: %s (run as root)", denied,
			 strerror(EACCES));
		return NULL;
	}
	if (mount("tracefs", TRACEFS_MOUNT, "tracefs", 0, NULL) == 0 &&
	    has_events(TRACEFS_MOUNT, &denied)) {
		tracefs_set_root(TRACEFS_MOUNT);
		return root;
	}
	snprintf(err, errlen, "tracefs is not mounted and cannot be mounted at %s: %s",
		 TRACEFS_MOUNT, strerror(errno));
	return NULL;
}

char *tracefs_read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	size_t len = 0, cap = 8192;
	char *buf = NULL, *v;
	ssize_t n = 1;

	if (fd < 0)
		return NULL;
	while (n > 0) {
		if (len + 1 >= cap || !buf) {
			if (!(v = realloc(buf, cap *= 2)))
				break;
			buf = v;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n > 0)
			len += n;
	}
	saved = errno;
	close(fd);
	if (n != 0) {	/* read error or out of memory */
		free(buf);
		errno = n < 0 ? saved : ENOMEM;
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

int tracefs_format(const char *cat, const char *name, struct tp_format *out, char *err,
		   size_t errlen)
{
	char path[PATH_MAX], msg[256];
	const char *dir = tracefs_root(err, errlen);
	char *text;
	int rc;

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, cat, name);
	if (!(text = tracefs_read_file(path))) {
		rc = -errno;
		if (rc == -ENOENT)
			snprintf(err, errlen, "no tracepoint %s:%s", cat, name);
		else
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = tp_format_parse(text, out, msg, sizeof(msg));
	if (rc)
		snprintf(err, errlen, "%s: %s", path, msg);
	free(text);
	return rc;
}

void tp_names_free(struct tp_names *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].category);
		free(l->v[i].name);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int add_name(struct tp_names *l, const char *cat, const char *name)
{
	struct tp_name *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	v[l->n].category = strdup(cat);
	v[l->n].name = strdup(name);
	if (!v[l->n].category || !v[l->n].name) {
		free(v[l->n].category);
		free(v[l->n].name);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static bool is_event_dir(const char *dir, const char *cat, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, cat, name);
	return !access(path, R_OK);
}

/* The events of one category whose names match. */
static int match_category(const char *dir, const char *cat, const char *name_glob,
			  struct tp_names *out)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/events/%s", dir, cat);
	if (!(d = opendir(path)))
		return 0;	/* a file (enable, header_page ...), not a category */
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] != '.' && !fnmatch(name_glob, e->d_name, 0) &&
		    is_event_dir(dir, cat, e->d_name))
			rc = add_name(out, cat, e->d_name);
	}
	closedir(d);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	const struct tp_name *x = a, *y = b;
	int c = strcmp(x->category, y->category);

	return c ? c : strcmp(x->name, y->name);
}

int tracefs_match(const char *cat_glob, const char *name_glob, struct tp_names *out, char *err,
		  size_t errlen)
{
	const char *dir = tracefs_root(err, errlen);
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/events", dir);
	if (!(d = opendir(path))) {
		rc = -errno;
		snprintf(err, errlen, "cannot list %s: %s", path, strerror(-rc));
		return rc;
	}
	while (!rc && (e = readdir(d)))
		if (e->d_name[0] != '.' && !fnmatch(cat_glob, e->d_name, 0))
			rc = match_category(dir, e->d_name, name_glob, out);
	closedir(d);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		tp_names_free(out);
		return rc;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_name);
	return 0;
}
