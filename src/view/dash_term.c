/* The terminal under the dashboard. curses draws on a copy of the terminal's stdout while
 * fds 1 and 2 point at memory files (memfd): what the script prints and the tool's own
 * messages (a callback's error) would tear the screen, so they wait there and are written
 * out once the terminal is restored (up to DASH_OUTPUT_MAX each: older output is dropped
 * and counted past it). Restored on every way out: dash_close
 * after the loop (Ctrl-C, SIGTERM, the target's exit, 'q', a callback's error all end the
 * loop), and an atexit handler for an exit() on the way. SIGWINCH reaches the loop through
 * a self-pipe; the keyboard is the terminal's input, watched by the loop. Not a terminal:
 * no curses, frames are printed as text. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dash_int.h"
#include "loop.h"

struct dash_term {
	struct dash *d;
	SCREEN *screen;
	FILE *out, *in;	     /* the terminal, for curses */
	int saved[3];	     /* fds 1 and 2 as they were (index 1, 2) */
	int mem[3];	     /* what went to fds 1 and 2 meanwhile */
	uint64_t dropped[3]; /* bytes of fds 1 and 2 dropped past DASH_OUTPUT_MAX */
	int winch[2];	     /* self-pipe of SIGWINCH */
	struct sigaction old_winch;
	bool curses;
};

static struct dash_term *active; /* for the atexit handler */
static int winch_fd = -1;

static void on_winch(int signo)
{
	int saved = errno;

	(void)signo;
	if (write(winch_fd, "w", 1) < 0) {
		/* full: a resize is pending anyway */
	}
	errno = saved;
}

/* Writes what fd `mem` holds to fd `to`. */
static void replay(int mem, int to)
{
	char buf[65536];
	ssize_t n;

	if (mem < 0 || lseek(mem, 0, SEEK_SET) < 0)
		return;
	while ((n = read(mem, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0, w; off < n; off += w)
			if ((w = write(to, buf + off, n - off)) <= 0)
				return;
}

void dash_term_bound(struct dash_term *t)
{
	struct stat st;

	for (int fd = 1; fd <= 2; fd++) {
		if (t->mem[fd] < 0 || fstat(t->mem[fd], &st) || st.st_size <= DASH_OUTPUT_MAX)
			continue;
		/* fd and mem share one file offset: both start again at 0. */
		fflush(fd == 1 ? stdout : stderr);
		if (!ftruncate(t->mem[fd], 0) && lseek(t->mem[fd], 0, SEEK_SET) == 0) {
			t->dropped[fd] += st.st_size;
			t->d->out_dropped += st.st_size;
		}
	}
}

static void restore(struct dash_term *t)
{
	if (t->curses) {
		endwin();
		delscreen(t->screen);
		t->curses = false;
		sigaction(SIGWINCH, &t->old_winch, NULL);
	}
	fflush(stdout);
	fflush(stderr);
	for (int fd = 1; fd <= 2; fd++) {
		if (t->saved[fd] < 0)
			continue;
		dup2(t->saved[fd], fd);
		close(t->saved[fd]);
		t->saved[fd] = -1;
		replay(t->mem[fd], fd);
	}
	for (int fd = 1; fd <= 2; fd++)
		if (t->dropped[fd])
			fprintf(stderr,
				"ltrace-ebpf: --dashboard: %llu bytes written to %s while the "
				"view was up were dropped (over %u MiB kept)\n",
				(unsigned long long)t->dropped[fd], fd == 1 ? "stdout" : "stderr",
				DASH_OUTPUT_MAX >> 20);
}

static void restore_at_exit(void)
{
	if (active)
		restore(active);
}

static void resized(void *ctx, int fd)
{
	struct dash_term *t = ctx;
	struct winsize ws;
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (t->curses && !ioctl(fileno(t->out), TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		resizeterm(ws.ws_row, ws.ws_col);
		clear();
		dash_term_draw(t->d, t);
	}
}

static void keys(void *ctx, int fd)
{
	struct dash_term *t = ctx;
	int key, n = 0;

	(void)fd;
	while ((key = getch()) != ERR) {
		if (key == KEY_RESIZE)
			continue;
		dash_key(t->d, key);
		n++;
	}
	if (n)
		dash_term_draw(t->d, t);
}

/* fd 1 or 2 onto a fresh memory file; the original kept in saved[fd]. */
static int put_aside(struct dash_term *t, int fd)
{
	t->mem[fd] = memfd_create(fd == 1 ? "dashboard-stdout" : "dashboard-stderr", MFD_CLOEXEC);
	if (t->mem[fd] < 0 || (t->saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    dup2(t->mem[fd], fd) < 0)
		return -errno;
	return 0;
}

static int start_curses(struct dash_term *t)
{
	struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };
	int out = fcntl(1, F_DUPFD_CLOEXEC, 3);
	int in = isatty(0) ? fcntl(0, F_DUPFD_CLOEXEC, 3) : open("/dev/tty", O_RDONLY | O_CLOEXEC);

	if (out < 0 || in < 0 || !(t->out = fdopen(out, "w")) || !(t->in = fdopen(in, "r")))
		return -1;
	if (pipe2(t->winch, O_NONBLOCK | O_CLOEXEC))
		return -1;
	winch_fd = t->winch[1];
	/* Ours before curses starts: ncurses leaves a handler it did not set in place. */
	sigaction(SIGWINCH, &sa, &t->old_winch);
	if (!(t->screen = newterm(NULL, t->out, t->in)))
		return -1;
	t->curses = true;
	cbreak(); /* Ctrl-C stays a signal: the session's stop, as without the view */
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	fflush(stdout);
	fflush(stderr);
	if (put_aside(t, 1) || put_aside(t, 2))
		return -1;
	if (loop_add_fd(t->d->s->loop, t->winch[0], resized, t) ||
	    loop_add_fd(t->d->s->loop, fileno(t->in), keys, t))
		return -1;
	return 0;
}

struct dash_term *dash_term_open(struct dash *d)
{
	struct dash_term *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	*t = (struct dash_term){
		.d = d, .saved = { -1, -1, -1 }, .mem = { -1, -1, -1 }, .winch = { -1, -1 }
	};
	d->tty = !d->out && isatty(1);
	d->out = d->out ?: stdout;
	if (!d->tty)
		return t;
	active = t;
	atexit(restore_at_exit);
	if (start_curses(t)) {
		int err = errno;

		dash_term_close(t);
		fprintf(stderr, "ltrace-ebpf: --dashboard: cannot set up the terminal%s%s\n",
			err ? ": " : "", err ? strerror(err) : "");
		return NULL;
	}
	return t;
}

void dash_term_close(struct dash_term *t)
{
	if (!t)
		return;
	if (t->winch[0] >= 0)
		loop_del_fd(t->d->s->loop, t->winch[0]);
	if (t->in)
		loop_del_fd(t->d->s->loop, fileno(t->in));
	restore(t);
	active = NULL;
	for (int i = 0; i < 3; i++)
		if (t->mem[i] >= 0)
			close(t->mem[i]);
	for (int i = 0; i < 2; i++)
		if (t->winch[i] >= 0)
			close(t->winch[i]);
	winch_fd = -1;
	if (t->out)
		fclose(t->out);
	if (t->in)
		fclose(t->in);
	free(t);
}

/* Plain text: a frame as wide as a log line, its rows down to the last non-empty one. */
#define PLAIN_W 160
#define PLAIN_H 200

void dash_term_draw(struct dash *d, struct dash_term *t)
{
	int h = t->curses ? LINES : PLAIN_H, w = t->curses ? COLS : PLAIN_W;
	char **rows = calloc(h, sizeof(*rows));
	bool *attr = calloc(h, sizeof(*attr));
	char *mem = calloc(h, w + 1);

	if (!rows || !attr || !mem || h < 1 || w < 1)
		goto out;
	for (int i = 0; i < h; i++)
		rows[i] = mem + (size_t)i * (w + 1);
	dash_frame(d, rows, attr, w, h);
	if (t->curses) {
		erase();
		for (int i = 0; i < h; i++) {
			if (attr[i])
				attron(A_REVERSE);
			mvaddnstr(i, 0, rows[i], w);
			if (attr[i])
				attroff(A_REVERSE);
		}
		refresh();
	} else {
		int last = h - 1;

		while (last > 0 && !rows[last][0])
			last--;
		for (int i = 0; i <= last; i++)
			fprintf(d->out, "%s\n", rows[i]);
		fprintf(d->out, "\n");
		fflush(d->out);
	}
out:
	free(rows);
	free(attr);
	free(mem);
}
