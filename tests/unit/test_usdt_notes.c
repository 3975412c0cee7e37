// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the USDT note reader (src/probes/usdt/usdt_notes.c) on the USDT fixture
 * (tests/fixtures/usdt, built with <sys/sdt.h>): every note, its provider, name, argument
 * spec and semaphore, as readelf -n shows them; and files without notes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "usdt_notes.h"

static const struct usdt_note *find(const struct usdt_note_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].provider, "ltfix") && !strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static void test_fixture(const char *dir)
{
	struct usdt_note_list l;
	const struct usdt_note *tick, *args6, *sema;
	char path[4096];

	snprintf(path, sizeof(path), "%s/usdtfix", dir);
	CHECK_EQ_INT(usdt_notes_read(path, &l), 0);
	CHECK_EQ_INT(l.n, 3);
	tick = find(&l, "tick");
	args6 = find(&l, "args6");
	sema = find(&l, "sema");
	CHECK(tick && args6 && sema);
	if (!tick || !args6 || !sema)
		goto out;
	CHECK_EQ_INT(usdt_note_nargs(tick), 3);
	CHECK_EQ_INT(usdt_note_nargs(args6), 6);
	CHECK_EQ_INT(usdt_note_nargs(sema), 1);
	CHECK(strstr(args6->args, "-1@") == args6->args);	/* int8_t: signed, one byte */
	CHECK(tick->loc != 0 && args6->loc != 0 && sema->loc != 0);
	CHECK_EQ_INT(tick->sema, 0);
	CHECK_EQ_INT(args6->sema, 0);
	CHECK(sema->sema != 0);		/* the one probe behind a semaphore */
out:
	usdt_notes_free(&l);
	CHECK_EQ_INT(l.n, 0);
}

static void test_errors(void)
{
	struct usdt_note_list l;

	CHECK_EQ_INT(usdt_notes_read("/nonexistent/usdtfix", &l), -ENOENT);
	CHECK_EQ_INT(l.n, 0);
	CHECK_EQ_INT(usdt_notes_read("/etc/hostname", &l), -ENOEXEC);
	CHECK_EQ_INT(usdt_notes_read("/bin/true", &l), 0);	/* an ELF file without notes */
	CHECK_EQ_INT(l.n, 0);
	usdt_notes_free(&l);
}

int main(void)
{
	const char *dir = getenv("FIXTURE_DIR");

	if (!dir) {
		fprintf(stderr, "FIXTURE_DIR is not set\n");
		return 1;
	}
	test_fixture(dir);
	test_errors();
	return unit_summary();
}
