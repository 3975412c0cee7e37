/* Benchmark workload.
 *
 *   workload fix|abs N [OUT]  call bench_fn() (fixture library) or libc's abs() N times
 *                             through the PLT; the loop alone is timed with
 *                             clock_gettime(CLOCK_MONOTONIC) and CLOCK_THREAD_CPUTIME_ID, so
 *                             tracer start-up and exit are excluded. Prints
 *                             "ns=WALL cpu_ns=CPU n=N pid=PID ppid=PPID" to OUT (default
 *                             stdout). With LTB_HOLD set in the environment it then waits
 *                             for SIGUSR1 before exiting, so the tracer's BPF programs can be
 *                             inspected (/proc/PPID/fdinfo) while still loaded.
 *   workload read N [OUT]     read(fd, buf, 1) N times on /dev/zero, timed and reported the
 *                             same way (the syscall benchmark, bench/syscalls.py). With
 *                             LTB_WAIT=FILE in the environment it first writes "pid=PID"
 *                             to FILE and waits for SIGUSR1 before the loop, so a tracer
 *                             that attaches by pid (-p) can be started on it.
 *   workload launch CMD...    put CLOCK_MONOTONIC now in $LTB_T0, then exec CMD.
 *   workload stamp [OUT]      first thing in main: print ns since $LTB_T0 ("stamp_ns=..."),
 *                             then call bench_fn() and abs() once each (a tracer that
 *                             attached before exec counts them).
 *   workload rusage OUT CMD...  run CMD, write its peak RSS ("maxrss_kb=...", the largest
 *                             of CMD and the descendants it waited for) to OUT, exit with
 *                             its status. A small launcher: a child's ru_maxrss also counts
 *                             the memory of the process it was forked from (a Python
 *                             driver's would dominate).
 *
 * launch + stamp measure from the exec of a tracer to the traced program's main(), by
 * which time a tracer that attaches before exec has all its probes in place.
 * Build with -fno-builtin so abs() stays a real call into libc. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

int bench_fn(int x);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static volatile sig_atomic_t released;

static void on_usr1(int sig)
{
	released = 1;
}

/* Blocks SIGUSR1 (so it cannot arrive between a report and the wait) and installs the
 * handler that ends wait_usr1(). */
static void arm_usr1(void)
{
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	signal(SIGUSR1, on_usr1);
}

static void wait_usr1(void)
{
	sigset_t none;

	sigemptyset(&none);
	while (!released)
		sigsuspend(&none);
	released = 0;
}

static FILE *out_file(const char *path)
{
	FILE *f = path ? fopen(path, "w") : stdout;

	if (!f) {
		fprintf(stderr, "workload: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return f;
}

int main(int argc, char **argv)
{
	uint64_t t0 = now_ns(), t1, c0, c1;
	volatile int sink = 0;
	long n;

	if (argc >= 2 && !strcmp(argv[1], "stamp")) {
		const char *s = getenv("LTB_T0");
		FILE *f = out_file(argc > 2 ? argv[2] : NULL);

		sink = bench_fn(sink) + abs(-1);
		fprintf(f, "stamp_ns=%" PRIu64 "\n", s ? t0 - strtoull(s, NULL, 10) : 0);
		fclose(f);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "rusage")) {
		struct rusage ru;
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return 126;
		if (!pid) {
			execvp(argv[3], argv + 3);
			fprintf(stderr, "workload: %s: %s\n", argv[3], strerror(errno));
			_exit(127);
		}
		while (wait4(pid, &status, 0, &ru) < 0)
			if (errno != EINTR)
				return 126;
		FILE *f = out_file(argv[2]);
		fprintf(f, "maxrss_kb=%ld\n", ru.ru_maxrss);
		fclose(f);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (argc >= 3 && !strcmp(argv[1], "launch")) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%" PRIu64, now_ns());
		setenv("LTB_T0", buf, 1);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "workload: %s: %s\n", argv[2], strerror(errno));
		return 127;
	}
	if (argc < 3 || (strcmp(argv[1], "fix") && strcmp(argv[1], "abs") && strcmp(argv[1], "read"))) {
		fprintf(stderr, "usage: workload fix|abs|read N [OUT] | launch CMD... | stamp [OUT] | "
			"rusage OUT CMD...\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	if (getenv("LTB_HOLD") || getenv("LTB_WAIT"))
		arm_usr1();
	if (!strcmp(argv[1], "read")) {
		int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		const char *wait = getenv("LTB_WAIT");
		char b;

		if (fd < 0)
			return 2;
		if (wait) {
			FILE *w = out_file(wait);

			fprintf(w, "pid=%d\n", (int)getpid());
			fclose(w);
			wait_usr1();
		}
		c0 = cpu_ns();
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			if (read(fd, &b, 1) != 1)
				return 2;
		t1 = now_ns();
		c1 = cpu_ns();
	} else if (!strcmp(argv[1], "fix")) {
		c0 = cpu_ns();
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			sink = bench_fn((int)i);
		t1 = now_ns();
		c1 = cpu_ns();
	} else {
		c0 = cpu_ns();
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			sink = abs((int)-i);
		t1 = now_ns();
		c1 = cpu_ns();
	}
	/* Written whole, then renamed: a reader polling for OUT never sees half a line. Not
	 * over what is not a regular file: renamed over, /dev/null became one (session 7's
	 * and 8's broken /dev/null, from bench/web.py's OUT). */
	char tmp[4096];
	const char *path = argc > 3 ? argv[3] : NULL;
	struct stat st;

	if (path && !stat(path, &st) && !S_ISREG(st.st_mode)) {
		tmp[0] = '\0';	/* written in place */
	} else if (path) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	}
	FILE *f = out_file(path && tmp[0] ? tmp : path);
	fprintf(f, "ns=%" PRIu64 " cpu_ns=%" PRIu64 " n=%ld pid=%d ppid=%d\n", t1 - t0, c1 - c0, n,
		(int)getpid(), (int)getppid());
	fclose(f);
	if (path && tmp[0] && rename(tmp, path))
		return 2;
	if (getenv("LTB_HOLD"))
		wait_usr1();
	return 0;
}
