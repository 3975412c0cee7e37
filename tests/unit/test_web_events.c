// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the web page's event ring (src/view/web_events.c): SSE frames in order, a
 * reader that fell a whole ring behind skips what was overwritten and counts it, the
 * rate cap counts what it leaves out instead of queueing it, an event over WEB_EV_MAX is
 * counted and not stored, and a reader's buffer bounds one read.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "web_events.h"

static void push(struct web_events *ev, int i)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "{\"i\":%d}", i);

	wev_push(ev, text, n);
}

int main(void)
{
	struct web_events *ev = wev_new(4, 1000000);
	struct web_events_counts n;
	uint64_t cursor = 0, skipped = 0;
	char buf[4096], big[WEB_EV_MAX + 1];
	size_t len;

	CHECK(ev != NULL);
	push(ev, 0);
	push(ev, 1);
	len = wev_read(ev, &cursor, buf, sizeof(buf), &skipped);
	buf[len] = '\0';
	CHECK(!strcmp(buf, "id: 0\ndata: {\"i\":0}\n\nid: 1\ndata: {\"i\":1}\n\n"));
	CHECK_EQ_INT(cursor, 2);
	CHECK_EQ_INT(wev_read(ev, &cursor, buf, sizeof(buf), &skipped), 0);

	/* 6 more into 4 slots: the reader at 2 lost 2..3 */
	for (int i = 2; i < 8; i++)
		push(ev, i);
	CHECK_EQ_INT(wev_overrun(ev, cursor), 2);
	len = wev_read(ev, &cursor, buf, sizeof(buf), &skipped);
	buf[len] = '\0';
	CHECK_EQ_INT(skipped, 2);
	CHECK(!strncmp(buf, "id: 4\ndata: {\"i\":4}\n\n", 21));
	CHECK_EQ_INT(cursor, 8);

	/* a buffer that holds one frame: one frame per read */
	push(ev, 8);
	push(ev, 9);
	len = wev_read(ev, &cursor, buf, 30, &skipped);
	CHECK_EQ_INT(cursor, 9);
	CHECK(len > 0 && len <= 30);

	memset(big, 'x', sizeof(big));
	wev_push(ev, big, sizeof(big));
	wev_counts(ev, &n);
	CHECK_EQ_INT(n.too_big, 1);
	CHECK_EQ_INT(n.shown, 10);
	wev_free(ev);

	/* the rate cap: 10 a second is 1 per 100 ms window; the rest are counted */
	ev = wev_new(16, 10);
	int kept = 0;

	for (int i = 0; i < 1000; i++)
		kept += wev_want(ev);
	wev_counts(ev, &n);
	CHECK(kept >= 1 && kept <= 3);	/* a window may turn during the loop */
	CHECK_EQ_INT(n.seen, 1000);
	CHECK_EQ_INT(n.sampled_out, 1000 - kept);
	wev_free(ev);
	return unit_summary();
}
