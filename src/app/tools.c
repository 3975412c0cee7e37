/* Finding the shipped tools by name. The same binary runs from the build directory (the
 * scripts are the source tree's, so an edit shows at once) and installed under any prefix
 * (`cmake --install build --prefix P`: the scripts sit in P/share/ltrace-ebpf/scripts,
 * found from the binary's own path, so a relocated install works too). LT_SOURCE_DIR,
 * LT_BUILD_DIR and LT_DATADIR are set by CMakeLists.txt for this file only. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tools.h"

#define NDIRS 3

/* The directories to look in, in order; returns how many. */
static int tool_dirs(char dirs[NDIRS][PATH_MAX])
{
	char exe[PATH_MAX], build[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int k = 0;

	if (n > 0) {
		char *slash;

		exe[n] = 0;
		slash = strrchr(exe, '/');
		*slash = 0;
		if (realpath(LT_BUILD_DIR, build) && !strcmp(exe, build))
			snprintf(dirs[k++], PATH_MAX, "%s/scripts", LT_SOURCE_DIR);
		snprintf(dirs[k++], PATH_MAX, "%.*s/../share/ltrace-ebpf/scripts",
			 PATH_MAX - 40, exe);
	}
	snprintf(dirs[k++], PATH_MAX, "%s/scripts", LT_DATADIR);
	return k;
}

static bool tool_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') && *p != '_' &&
		    *p != '-')
			return false;
	return true;
}

int tool_find(const char *name, char *path, size_t len)
{
	char dirs[NDIRS][PATH_MAX];
	int n = tool_dirs(dirs);

	if (!tool_name_ok(name) || strlen(name) > NAME_MAX - 4)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		snprintf(path, len, "%s/%s.lua", dirs[i], name);
		if (!access(path, R_OK))
			return 0;
	}
	return -ENOENT;
}

/* The tool's `summary = "..."` (its -h line), else its first comment line. */
static void summary(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[1024], first[1024] = "";

	*out = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = strstr(line, "summary = \""), *e;

		if (!first[0] && !strncmp(line, "-- ", 3))
			snprintf(first, sizeof(first), "%s", strchr(line, ':') ? strchr(line, ':') + 2
									 : line + 3);
		if (!s || !(e = strchr(s + 11, '"')))
			continue;
		snprintf(out, len, "%.*s", (int)(e - s - 11), s + 11);
		break;
	}
	fclose(f);
	if (!*out)
		snprintf(out, len, "%s", first);
	for (size_t n = strlen(out); n && strchr(", \n", out[n - 1]); n--)
		out[n - 1] = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tool_list(void)
{
	char dirs[NDIRS][PATH_MAX], **names = NULL;
	size_t n = 0;
	int ndirs = tool_dirs(dirs);

	for (int i = 0; i < ndirs; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			size_t l = strlen(e->d_name);
			char name[NAME_MAX + 1], path[PATH_MAX], **grown;
			bool seen = false;

			if (l < 5 || strcmp(e->d_name + l - 4, ".lua"))
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)(l - 4), e->d_name);
			for (size_t j = 0; j < n && !seen; j++)
				seen = !strcmp(names[j], name);
			/* Listed only when --tool NAME would run this very file. */
			if (seen || tool_find(name, path, sizeof(path)) ||
			    !(grown = realloc(names, (n + 1) * sizeof(*names))))
				continue;
			names = grown;
			names[n++] = strdup(name);
		}
		if (d)
			closedir(d);
	}
	if (!n) {
		fprintf(stderr, "ltrace-ebpf: no tools found (looked in %s)\n", dirs[ndirs - 1]);
		return 1;
	}
	qsort(names, n, sizeof(*names), by_name);
	for (size_t j = 0; j < n; j++) {
		char path[PATH_MAX], sum[512];

		tool_find(names[j], path, sizeof(path));
		summary(path, sum, sizeof(sum));
		printf("%-12s %s\n", names[j], sum);
		free(names[j]);
	}
	free(names);
	return 0;
}
