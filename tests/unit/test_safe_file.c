// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of safe_file.c: a FIFO, a device and a directory are refused without
 * blocking, a file past its bound is refused, a regular file is read whole; writing
 * follows a symlink outside world-writable directories and refuses it inside one unless
 * it is the caller's (the other-user cases are in test_hostile_inputs.sh, as nobody).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_file.h"
#include "unit.h"

static char dir[] = "/tmp/lt-safe-file.XXXXXX";

/* dir/name, in one of two buffers: a call can take two paths. */
static const char *at(const char *name)
{
	static char path[2][128];
	static int i;

	i = !i;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_read(void)
{
	char *buf = NULL;
	size_t len = 0;

	CHECK_EQ_INT(mkfifo(at("fifo"), 0600), 0);
	CHECK_EQ_INT(sf_open_read(at("fifo"), SF_MAX_TEXT, 0, 0), -SF_ENOTREG);
	CHECK_EQ_STR(sf_strerror(-SF_ENOTREG), "not a regular file");
	CHECK_EQ_INT(sf_open_read("/dev/zero", SF_MAX_TEXT, 0, 0), -SF_ENOTREG);
	CHECK_EQ_INT(sf_open_read(dir, SF_MAX_TEXT, 0, 0), -EISDIR);
	CHECK_EQ_INT(sf_open_elf(at("fifo")), -ENOEXEC);
	CHECK_EQ_INT(sf_open_read(at("none"), SF_MAX_TEXT, 0, 0), -ENOENT);

	write_file(at("text"), "hello\n");
	CHECK_EQ_INT(sf_read_all(at("text"), SF_MAX_TEXT, &buf, &len), 0);
	CHECK_EQ_INT(len, 6);
	CHECK_EQ_STR(buf, "hello\n");
	free(buf);
	CHECK_EQ_INT(sf_read_all(at("text"), 5, &buf, &len), -SF_ETOOBIG);
	CHECK_EQ_STR(sf_strerror(-SF_ETOOBIG), "larger than the 5-byte limit");

	/* Owner and links: a root-owned file passes SF_OWNER for any owner. */
	CHECK(sf_open_read(at("text"), 0, SF_OWNER, 12345) >= 0);
	CHECK_EQ_INT(symlink(at("text"), at("link")), 0);
	CHECK_EQ_INT(sf_open_read(at("link"), 0, SF_NOFOLLOW, 0), -SF_ESYMLINK);
	CHECK(sf_open_read(at("link"), 0, 0, 0) >= 0);
}

static void test_write(void)
{
	int fd;

	/* Not world-writable: as open(2) does, the link followed. */
	fd = sf_open_write(at("link"));
	CHECK(fd >= 0);
	close(fd);
	/* World-writable and sticky: the caller's own link is still followed ... */
	CHECK_EQ_INT(chmod(dir, 01777), 0);
	write_file(at("text"), "x");
	fd = sf_open_write(at("link"));
	CHECK(fd >= 0);
	close(fd);
	/* ... but not without the sticky bit (anyone could have replaced it). */
	CHECK_EQ_INT(chmod(dir, 0777), 0);
	CHECK_EQ_INT(sf_open_write(at("link")), -SF_ESYMLINK);
	/* A FIFO without a reader is not waited for. */
	CHECK_EQ_INT(sf_open_write(at("fifo")), -ENXIO);
	CHECK_EQ_INT(chmod(dir, 0700), 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_read();
	test_write();
	unlink(at("fifo"));
	unlink(at("text"));
	unlink(at("link"));
	rmdir(dir);
	return unit_summary();
}
