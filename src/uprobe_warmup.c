/* The kernel's first uprobe registration waits a whole RCU grace period: it takes
 * dup_mmap_sem, a percpu rw-semaphore whose writer side calls synchronize_rcu() unless a
 * writer was in within the last grace period (rcu_sync). That wait, 5-15 ms here, was half
 * of exec-to-probes-attached. So as soon as a session knows it will place uprobes, a
 * thread registers a throwaway one: a trivial program on offset 0 of a one-byte memfd that
 * nothing maps (so no breakpoint is written anywhere). Its grace period runs while the main
 * thread resolves symbols, creates maps and has the templates verified; the real links
 * then find the semaphore's grace period passed or under way. The throwaway link is closed
 * at session end beside the real ones, so for a few probes its release shares their grace
 * period (docs/architecture.md has the measured trade-off). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include "uprobe_multi.h"
#include "uprobe_warmup.h"

static struct {
	pthread_t thread;
	bool started;
	int wake[2];	/* the thread closes its link once the write end is closed */
} warm = { .wake = { -1, -1 } };

static void *warm_up(void *arg)
{
	int memfd = memfd_create("lt_warmup", MFD_CLOEXEC);
	int prog = uprobe_multi_trivial_program(), link = -1;
	char path[64], byte;
	uint64_t offset = 0, cookie = 0;

	(void)arg;
	if (memfd >= 0 && prog >= 0 && write(memfd, "\xc3", 1) == 1) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
		link = uprobe_multi_attach(prog, path, &offset, &cookie, 1, false, 0);
	}
	while (read(warm.wake[0], &byte, 1) < 0 && errno == EINTR)
		;
	if (link >= 0)
		close(link);
	if (prog >= 0)
		close(prog);
	if (memfd >= 0)
		close(memfd);
	return NULL;
}

void uprobe_warmup_start(void)
{
	if (warm.started || getenv("LTRACE_EBPF_NO_WARMUP") || !uprobe_multi_supported())
		return;
	if (pipe2(warm.wake, O_CLOEXEC))
		return;
	warm.started = !pthread_create(&warm.thread, NULL, warm_up, NULL);
	if (!warm.started) {
		close(warm.wake[0]);
		close(warm.wake[1]);
	}
}

void uprobe_warmup_release(void)
{
	if (warm.started && warm.wake[1] >= 0) {
		close(warm.wake[1]);
		warm.wake[1] = -1;
	}
}

void uprobe_warmup_join(void)
{
	if (!warm.started)
		return;
	uprobe_warmup_release();
	pthread_join(warm.thread, NULL);
	close(warm.wake[0]);
	warm.started = false;
}
