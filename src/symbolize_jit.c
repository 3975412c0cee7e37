/* JIT-compiled code named by its runtime in /tmp/perf-PID.map ("START SIZE name", hex, the
 * convention of perf, V8, the JVM's perf-map-agent, LuaJIT ...). Re-read when the file
 * changes, since runtimes append as they compile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "symbolize_int.h"

struct sym_jit {
	char path[64];
	struct timespec mtime;
	off_t size;
	struct sym_table t;
};

struct sym_jit *sym_jit_new(int pid)
{
	struct sym_jit *j = calloc(1, sizeof(*j));

	if (j)
		snprintf(j->path, sizeof(j->path), "/tmp/perf-%d.map", pid);
	return j;
}

static void reload(struct sym_jit *j)
{
	struct stat st;
	char line[1024];
	FILE *f;

	if (stat(j->path, &st) || (st.st_mtim.tv_sec == j->mtime.tv_sec &&
				   st.st_mtim.tv_nsec == j->mtime.tv_nsec && st.st_size == j->size))
		return;
	if (!(f = fopen(j->path, "re")))
		return;
	sym_table_free(&j->t);
	j->mtime = st.st_mtim;
	j->size = st.st_size;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, size;
		int used = 0;

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
