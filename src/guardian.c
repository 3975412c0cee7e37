/* The guardian process (guardian.h). It is forked, not exec'd, from a tracer that may
 * have threads: the child runs system calls only (libbpf's map calls are thin syscall
 * wrappers), no allocation and no stdio. It leaves the tracer's session (a ^C or a hangup
 * for the tracer must not end it first), ignores the signals that end a session, and
 * closes every fd but three: lt_held's, a pidfd of the tracer (readable once it is
 * dead) and the read end of a pipe the tracer writes 'q' to at a normal end. Keeping no
 * other fd matters: an inherited link would keep probes attached, an inherited pipe
 * would keep a reader of the tracer's output waiting. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "guardian.h"
#include "session.h"
#include "uprobe.skel.h"

struct guardian {
	pid_t pid;
	int ctl;			/* write end: 'q' at a normal end */
	volatile pid_t *resuming;	/* shared page: the pid the tracer is resuming */
};

/* After the switch is set no program starts a new hold, but one already past its check
 * may still send its SIGSTOP (a sleepable program may even be faulting a page in): the
 * registered processes get SIGCONT again after these pauses. SIGCONT also discards a
 * SIGSTOP not taken yet. */
static const long release_rounds_ms[] = { 0, 10, 50, 250 };

static void cont_registered(int fd)
{
	uint32_t key, next, tgid, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (next && !bpf_map_lookup_elem(fd, &next, &tgid) && tgid)
			kill(tgid, SIGCONT);
		key = next;
		prev = &key;
	}
}

void held_release_all(int fd)
{
	uint32_t off = 0, on = 1;

	bpf_map_update_elem(fd, &off, &on, BPF_ANY);
	cont_registered(fd);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Closes every fd but the three kept (any order). */
static void keep_only(int a, int b, int c)
{
	int keep[3] = { a, b, c }, from = 0, t;

	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i])
				t = keep[i], keep[i] = keep[j], keep[j] = t;
	for (int i = 0; i < 3; i++) {
		if (keep[i] > from)
			close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

_Noreturn static void guard(int held, int tracer, int ctl, volatile pid_t *resuming)
{
	struct pollfd pfd[2] = { { .fd = tracer, .events = POLLIN }, { .fd = ctl, .events = POLLIN } };
	char c;

	setsid();
	prctl(PR_SET_NAME, "lt-guardian");
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	keep_only(held, tracer, ctl);
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;		/* cannot watch any more: release now rather than never */
		}
		if (pfd[1].revents) {
			ssize_t n = read(ctl, &c, 1);

			if (n == 1 && c == 'q')
				_exit(0);
			if (n < 0 && errno == EINTR)
				continue;
			break;		/* EOF: every writer is gone, the tracer with them */
		}
		if (pfd[0].revents)
			break;		/* the tracer is dead */
	}
	for (size_t i = 0; i < sizeof(release_rounds_ms) / sizeof(*release_rounds_ms); i++) {
		sleep_ms(release_rounds_ms[i]);
		held_release_all(held);
		if (*resuming > 0)
			kill(*resuming, SIGCONT);
	}
	_exit(0);
}

int guardian_start(struct session *s)
{
	struct guardian *g;
	int rc, ctl[2], tracer, held;

	if (s->guardian)
		return 0;
	if ((rc = session_load(s)))
		return rc;
	held = bpf_map__fd(s->skel->maps.lt_held);
	if (!(g = calloc(1, sizeof(*g))))
		return -ENOMEM;
	g->resuming = mmap(NULL, sizeof(*g->resuming), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->resuming == MAP_FAILED) {
		rc = -errno;
		free(g);
		return rc;
	}
	tracer = syscall(SYS_pidfd_open, getpid(), 0);
	if (tracer < 0 || pipe2(ctl, O_CLOEXEC)) {
		rc = -errno;
		goto fail;
	}
	g->pid = fork();
	if (g->pid == 0) {
		guard(held, tracer, ctl[0], g->resuming);
	}
	rc = g->pid < 0 ? -errno : 0;
	close(ctl[0]);
	close(tracer);
	if (rc) {
		close(ctl[1]);
		tracer = -1;
		goto fail;
	}
	g->ctl = ctl[1];
	s->guardian = g;
	return 0;
fail:
	if (tracer >= 0)
		close(tracer);
	munmap((void *)g->resuming, sizeof(*g->resuming));
	free(g);
	return rc;
}

void guardian_resuming(struct session *s, pid_t pid)
{
	if (s->guardian)
		*s->guardian->resuming = pid;
}

void guardian_stop(struct session *s)
{
	struct guardian *g = s->guardian;
	ssize_t n;

	if (!g)
		return;
	while ((n = write(g->ctl, "q", 1)) < 0 && errno == EINTR)
		;
	close(g->ctl);
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	munmap((void *)g->resuming, sizeof(*g->resuming));
	free(g);
	s->guardian = NULL;
}
