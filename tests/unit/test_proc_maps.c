// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of proc_maps.c: this process's own maps with a file whose name holds spaces,
 * the same file once unlinked (" (deleted)"), an anonymous mapping (no path) and the
 * [stack]; then lines no kernel writes (malformed, longer than the bound) skipped and
 * counted while the lines around them still read; a process that does not exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proc_maps.h"
#include "unit.h"

struct seen {
	int file, deleted, anon, stack;
};

/* Walks our maps looking for the mappings at file_at (named path) and anon_at. */
static void walk_self(void *file_at, const char *path, bool want_deleted, void *anon_at,
		      struct seen *s)
{
	struct proc_maps *it;
	struct proc_map m;
	int rc;

	memset(s, 0, sizeof(*s));
	CHECK_EQ_INT(proc_maps_open(&it, getpid()), 0);
	while ((rc = proc_maps_next(it, &m)) > 0) {
		CHECK(m.start < m.end);
		CHECK_EQ_INT(strlen(m.perms), 4);
		if (m.start == (uintptr_t)file_at) {
			s->file++;
			CHECK_EQ_STR(m.path, path);
			CHECK_EQ_INT(m.deleted, want_deleted);
			CHECK_EQ_INT(proc_map_is_file(&m), !want_deleted);
			CHECK_EQ_STR(m.perms, "r--s");
			CHECK_EQ_INT(m.offset, 0);
			CHECK(m.inode != 0);
		}
		if (m.start == (uintptr_t)anon_at) {
			s->anon++;
			CHECK_EQ_STR(m.path, "");
			CHECK_EQ_INT(m.inode, 0);
			CHECK(!proc_map_is_file(&m));
		}
		if (!strcmp(m.path, "[stack]"))
			s->stack++;
	}
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(proc_maps_skipped(it), 0);
	proc_maps_close(it);
}

static void test_self(void)
{
	char dir[] = "/tmp/lt-proc-maps.XXXXXX", path[128];
	void *file_at, *anon_at;
	struct seen s;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/a name with spaces", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ_INT(ftruncate(fd, 4096), 0);
	file_at = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	anon_at = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	close(fd);
	CHECK(file_at != MAP_FAILED && anon_at != MAP_FAILED);

	walk_self(file_at, path, false, anon_at, &s);
	CHECK_EQ_INT(s.file, 1);
	CHECK_EQ_INT(s.anon, 1);
	CHECK_EQ_INT(s.stack, 1);

	CHECK_EQ_INT(unlink(path), 0);
	walk_self(file_at, path, true, anon_at, &s);
	CHECK_EQ_INT(s.file, 1);

	munmap(file_at, 4096);
	munmap(anon_at, 3 * 4096);
	rmdir(dir);
}

static void test_odd_lines(void)
{
	char *text, *p;
	size_t len = 2 * PROC_MAPS_LINE_MAX + 1024;
	struct proc_maps *it;
	struct proc_map m;
	FILE *f;

	text = malloc(len);
	p = text;
	p += sprintf(p, "00400000-00401000 r-xp 00000000 08:01 1234        /usr/bin/a b\n");
	p += sprintf(p, "not a maps line\n");
	p += sprintf(p, "00500000-00501000 rw-p 00001000 08:01 99x /odd\n");	/* inode runs on */
	p += sprintf(p, "00600000-00601000 r-xp 00000000 08:01 1234 /");	/* too long */
	memset(p, 'x', PROC_MAPS_LINE_MAX);
	p += PROC_MAPS_LINE_MAX;
	p += sprintf(p, "\n7f000000-7f001000 rw-p 00000000 00:00 0 \n");	/* no path */
	p += sprintf(p, "7f100000-7f101000 r-xp 00002000 fd:02 42   /memfd:jit (deleted)\n");
	p += sprintf(p, "7f200000-7f201000 r-xp 00000000 00:00 0                  [vdso]");
	f = fmemopen(text, strlen(text), "r");
	CHECK_EQ_INT(proc_maps_from(&it, f), 0);

	CHECK_EQ_INT(proc_maps_next(it, &m), 1);
	CHECK_EQ_INT(m.start, 0x400000);
	CHECK_EQ_INT(m.end, 0x401000);
	CHECK_EQ_STR(m.perms, "r-xp");
	CHECK_EQ_INT(m.dev_major, 8);
	CHECK_EQ_INT(m.dev_minor, 1);
	CHECK_EQ_INT(m.inode, 1234);
	CHECK_EQ_STR(m.path, "/usr/bin/a b");
	CHECK(proc_map_is_file(&m));

	CHECK_EQ_INT(proc_maps_next(it, &m), 1);
	CHECK_EQ_INT(m.start, 0x7f000000);
	CHECK_EQ_STR(m.path, "");
	CHECK(!m.deleted);

	CHECK_EQ_INT(proc_maps_next(it, &m), 1);
	CHECK_EQ_INT(m.offset, 0x2000);
	CHECK_EQ_INT(m.dev_major, 0xfd);
	CHECK_EQ_STR(m.path, "/memfd:jit");
	CHECK(m.deleted);
	CHECK(!proc_map_is_file(&m));

	CHECK_EQ_INT(proc_maps_next(it, &m), 1);	/* the last line has no newline */
	CHECK_EQ_STR(m.path, "[vdso]");

	CHECK_EQ_INT(proc_maps_next(it, &m), 0);
	CHECK_EQ_INT(proc_maps_skipped(it), 3);
	proc_maps_close(it);
	fclose(f);
	free(text);
}

static void test_errors(void)
{
	struct proc_maps *it;

	CHECK_EQ_INT(proc_maps_open(&it, 0), -ENOENT);
	CHECK(it == NULL);
	CHECK_EQ_INT(proc_maps_from(&it, NULL), -EINVAL);
	proc_maps_close(NULL);
}

int main(void)
{
	test_self();
	test_odd_lines();
	test_errors();
	return unit_summary();
}
