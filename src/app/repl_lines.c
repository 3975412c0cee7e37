/* Readline's callback interface is for terminals: fed a pipe, readline 8.2 crashes in
 * rl_callback_read_char on some byte sequences (an incremental search, ESC and an
 * incomplete UTF-8 character, then end of input: reproduced with readline alone, not
 * with its blocking readline()). Like lua.c, which uses readline only on a terminal, a
 * non-terminal stdin is read here as plain lines. A pipe is watched by the loop; a
 * regular file or a device epoll refuses (/dev/null, /dev/zero) is read a chunk per
 * millisecond tick, so probes keep streaming meanwhile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "loop.h"
#include "repl_lines.h"

#define CHUNK 65536

static struct {
	struct loop *loop;
	struct loop_timer *timer;
	repl_line_cb cb;
	repl_end_cb end;
	int fd;
	bool watched, done;
	char *buf;
	size_t len, cap;
} in = { .fd = -1 };

static void finish(int status)
{
	in.done = true;
	repl_lines_stop();
	in.end(status);
}

/* Hands over every complete line in the buffer; keeps the unfinished tail. */
static void deliver(bool eof)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(in.buf + start, '\n', in.len - start))) {
		char *line = strndup(in.buf + start, nl - (in.buf + start));

		start = nl - in.buf + 1;
		if (!in.cb(line)) {
			in.done = true;	/* the session ends: nothing more is read */
			repl_lines_stop();
			return;
		}
	}
	memmove(in.buf, in.buf + start, in.len - start);
	in.len -= start;
	if (in.len > REPL_LINE_MAX) {
		fprintf(stderr, "ltrace-ebpf: stdin: a line longer than %d bytes\n", REPL_LINE_MAX);
		finish(1);
	} else if (eof) {
		if (in.len && !in.cb(strndup(in.buf, in.len))) {
			in.done = true;
			repl_lines_stop();
			return;
		}
		in.len = 0;
		finish(0);
	}
}

static void readable(void)
{
	ssize_t n;

	if (in.done)
		return;
	if (in.cap - in.len < CHUNK) {
		char *b = realloc(in.buf, in.cap + CHUNK);

		if (!b) {
			fprintf(stderr, "ltrace-ebpf: stdin: %s\n", strerror(ENOMEM));
			finish(1);
			return;
		}
		in.buf = b;
		in.cap += CHUNK;
	}
	n = read(in.fd, in.buf + in.len, CHUNK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		in.len += n;
	deliver(n <= 0);
}

static void on_fd(void *ctx, int fd)
{
	readable();
}

static void on_tick(void *ctx, struct loop_timer *t)
{
	readable();
}

int repl_lines_start(struct loop *l, int fd, repl_line_cb cb, repl_end_cb end)
{
	int rc;

	in.loop = l;
	in.fd = fd;
	in.cb = cb;
	in.end = end;
	in.done = false;
	rc = loop_add_fd(l, fd, on_fd, NULL);
	if (!rc) {
		in.watched = true;
		return 0;
	}
	if (rc != -EPERM)
		return rc;
	in.timer = loop_add_timer(l, 1000000, true, on_tick, NULL);
	if (!in.timer)
		return -errno;
	loop_timer_internal(in.timer);
	return 0;
}

void repl_lines_stop(void)
{
	if (in.watched)
		loop_del_fd(in.loop, in.fd);
	if (in.timer)
		loop_del_timer(in.loop, in.timer);
	in.watched = false;
	in.timer = NULL;
	free(in.buf);
	in.buf = NULL;
	in.len = in.cap = 0;
}
