/* Where a stripped file's symbols went: a separate debug file found the way gdb finds it
 * (ROOT/.build-id/xx/yyyy.debug, then .gnu_debuglink's name next to the file, in its .debug/
 * directory and under ROOT + the file's directory), and MiniDebugInfo (the xz-compressed
 * ELF in .gnu_debugdata, decompressed with liblzma). ROOT is /usr/lib/debug, after any
 * directories in $LTRACE_EBPF_DEBUG_DIRS. */
#include <errno.h>
#include <limits.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "symbolize_int.h"

#define MAX_ROOTS 8
#define MINIDEBUG_MAX (256u << 20)

size_t symbolize_debug_roots(const char **roots, size_t max)
{
	static char env_copy[4096];
	static const char *cached[MAX_ROOTS];
	static size_t ncached;
	static int done;

	if (!done) {
		const char *env = getenv("LTRACE_EBPF_DEBUG_DIRS");
		char *save = NULL, *tok;

		done = 1;
		snprintf(env_copy, sizeof(env_copy), "%s", env ? env : "");
		for (tok = strtok_r(env_copy, ":", &save); tok && ncached < MAX_ROOTS - 1;
		     tok = strtok_r(NULL, ":", &save))
			cached[ncached++] = tok;
		cached[ncached++] = "/usr/lib/debug";
	}
	for (size_t i = 0; i < ncached && i < max; i++)
		roots[i] = cached[i];
	return ncached < max ? ncached : max;
}

static char *existing(const char *path)
{
	return access(path, R_OK) ? NULL : strdup(path);
}

static char *by_build_id(const char *root, const unsigned char *id, size_t len)
{
	char path[PATH_MAX];
	int n;

	if (len < 2)
		return NULL;
	n = snprintf(path, sizeof(path), "%s/.build-id/%02x/", root, id[0]);
	for (size_t i = 1; i < len && n < PATH_MAX - 8; i++)
		n += snprintf(path + n, sizeof(path) - n, "%02x", id[i]);
	snprintf(path + n, sizeof(path) - n, ".debug");
	return existing(path);
}

/* a + b + c into out, or NULL when it does not fit. */
static char *join(char *out, size_t len, const char *a, const char *b, const char *c)
{
	int n = snprintf(out, len, "%s%s%s", a, b, c);

	return n < 0 || (size_t)n >= len ? NULL : out;
}

static char *by_debuglink(const char *file, const char *link, const char *const *roots,
			  size_t nroots)
{
	char dir[PATH_MAX], path[PATH_MAX], sub[PATH_MAX], *slash, *found;

	if (!join(dir, sizeof(dir), file, "", ""))
		return NULL;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		*slash = 0;
	if (join(path, sizeof(path), dir, "/", link) && strcmp(path, file) &&
	    (found = existing(path)))
		return found;
	if (join(sub, sizeof(sub), "/.debug/", link, "") &&
	    join(path, sizeof(path), dir, sub, "") && (found = existing(path)))
		return found;
	if (!join(sub, sizeof(sub), dir, "/", link))
		return NULL;
	for (size_t i = 0; i < nroots; i++)
		if (join(path, sizeof(path), roots[i], sub, "") && (found = existing(path)))
			return found;
	return NULL;
}

char *sym_find_debug_file(const char *path, const unsigned char *build_id, size_t id_len,
			  const char *debuglink)
{
	const char *roots[MAX_ROOTS];
	size_t n = symbolize_debug_roots(roots, MAX_ROOTS);
	char *found;

	for (size_t i = 0; i < n && id_len; i++)
		if ((found = by_build_id(roots[i], build_id, id_len)))
			return found;
	if (debuglink && path)
		return by_debuglink(path, debuglink, roots, n);
	return NULL;
}

void *sym_minidebug_decompress(const void *xz, size_t len, size_t *out_len)
{
	lzma_stream st = LZMA_STREAM_INIT;
	size_t cap = len * 4 + 4096;
	uint8_t *out = NULL;
	lzma_ret r;

	if (lzma_stream_decoder(&st, UINT64_MAX, 0) != LZMA_OK)
		return NULL;
	st.next_in = xz;
	st.avail_in = len;
	do {
		uint8_t *bigger = cap <= MINIDEBUG_MAX ? realloc(out, cap) : NULL;

		if (!bigger) {
			free(out);
			lzma_end(&st);
			return NULL;
		}
		out = bigger;
		st.next_out = out + st.total_out;
		st.avail_out = cap - st.total_out;
		r = lzma_code(&st, LZMA_FINISH);
		cap *= 2;
	} while (r == LZMA_OK || r == LZMA_BUF_ERROR);
	*out_len = st.total_out;
	lzma_end(&st);
	if (r != LZMA_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}
