/* JIT-compiled code named by its runtime in /tmp/perf-PID.map ("START SIZE name", hex, the
 * convention of perf, V8, the JVM's perf-map-agent, LuaJIT ...). Re-read when the file
 * changes, since runtimes append as they compile. /tmp is anyone's: the map is read only
 * when it is a regular file (not a link) owned by the process's owner or root, at most
 * SF_MAX_PERFMAP bytes, as perf does (a planted FIFO would block us, a planted file would
 * put another user's text in our stacks). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "safe_file.h"
#include "symbolize_int.h"

struct sym_jit {
	char path[64];
	uid_t owner;	/* of the process, when it was first symbolized */
	struct timespec mtime;
	off_t size;
	struct sym_table t;
};

struct sym_jit *sym_jit_new(int pid)
{
	struct sym_jit *j = calloc(1, sizeof(*j));
	char proc[32];
	struct stat st;

	if (!j)
		return NULL;
	snprintf(j->path, sizeof(j->path), "/tmp/perf-%d.map", pid);
	snprintf(proc, sizeof(proc), "/proc/%d", pid);
	j->owner = stat(proc, &st) ? 0 : st.st_uid;	/* gone: root's maps only */
	return j;
}

static void reload(struct sym_jit *j)
{
	struct stat st;
	char line[1024];
	off_t left = SF_MAX_PERFMAP;
	int fd;
	FILE *f;

	if (lstat(j->path, &st) || (st.st_mtim.tv_sec == j->mtime.tv_sec &&
				    st.st_mtim.tv_nsec == j->mtime.tv_nsec && st.st_size == j->size))
		return;
	fd = sf_open_read(j->path, SF_MAX_PERFMAP, SF_NOFOLLOW | SF_OWNER, j->owner);
	if (fd < 0 || !(f = fdopen(fd, "re"))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	sym_table_free(&j->t);
	j->mtime = st.st_mtim;
	j->size = st.st_size;
	/* The runtime may keep appending: no more than the bound is read. */
	while (left > 0 && fgets(line, sizeof(line), f)) {
		unsigned long long start, size;
		int used = 0;

		left -= strlen(line);
		if (sscanf(line, "%llx %llx %n", &start, &size, &used) < 2 || !used)
			continue;
		line[strcspn(line, "\n")] = 0;
		sym_table_add(&j->t, start, size, line + used, 1);
	}
	fclose(f);
	sym_table_finish(&j->t);
}

int sym_jit_lookup(struct sym_jit *j, uint64_t addr, unsigned flags, struct sym_info *out)
{
	const struct sym_entry *e;

	reload(j);
	e = sym_table_find(&j->t, addr - ((flags & SYM_RETADDR) ? 1 : 0));
	if (!e)
		return -ENOENT;
	out->name = sym_table_name(&j->t, e, !(flags & SYM_NO_DEMANGLE));
	out->offset = addr - e->addr;
	out->module = "[jit]";
	out->module_off = addr;
	return 0;
}

void sym_jit_free(struct sym_jit *j)
{
	if (!j)
		return;
	sym_table_free(&j->t);
	free(j);
}
