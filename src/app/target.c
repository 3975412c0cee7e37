/* Starting and watching targets. The spawned child blocks on a pipe before exec; exec
 * failure comes back through a close-on-exec pipe, so "command not found" is an error of
 * ours, not a silent 127. The child gets the signal mask and ignored signals the tool
 * inherited back, every other disposition at its default. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "fd_limit.h"
#include "libpath.h"
#include "signals.h"
#include "target.h"

static int pidfd_open_(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

/* The command's file as execvp would find it, looked up before the fork: the child then
 * makes one execve, so what a tool sees of the target starts with the program's own exec,
 * not the launcher's PATH search (syscount: execve 1, as strace -c counts it). false when
 * nothing in $PATH fits (execvp then searches, and reports the error). */
static bool find_in_path(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH"), *p, *end;
	char dflt[256];
	struct stat st;

	if (strchr(name, '/'))
		return snprintf(out, outlen, "%s", name) < (int)outlen;
	if (!path) {
		confstr(_CS_PATH, dflt, sizeof(dflt));
		path = dflt;
	}
	for (p = path;; p = end + 1) {
		int dirlen;

		end = strchrnul(p, ':');
		dirlen = (int)(end - p);
		/* an empty entry is the current directory, as for execvp */
		if (snprintf(out, outlen, "%.*s%s%s", dirlen, p, dirlen ? "/" : "", name) <
			    (int)outlen &&
		    !access(out, X_OK) && !stat(out, &st) && S_ISREG(st.st_mode))
			return true;
		if (!*end)
			return false;
	}
}

static void child_run(int gate, int err_pipe, const char *file, char *const argv[])
{
	char c;
	ssize_t n;
	int e;

	signals_restore_inherited();
	fd_limit_restore_inherited();
	while ((n = read(gate, &c, 1)) < 0 && errno == EINTR)
		;
	if (n == 1 && c == 'e')	/* target_release: stdout_to_stderr */
		dup2(2, 1);
	/* gate is close-on-exec: no close() of ours for a tool to count */
	if (file)
		execv(file, argv);
	if (!file || errno == ENOEXEC)	/* execvp runs a script without #! with sh */
		execvp(argv[0], argv);
	e = errno;
	if (write(err_pipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int target_spawn(struct target *t, char *const argv[])
{
	int gate[2], errp[2];
	char file[PATH_MAX];
	bool found = find_in_path(argv[0], file, sizeof(file));

	memset(t, 0, sizeof(*t));
	t->pidfd = -1;
	if (pipe2(gate, O_CLOEXEC))
		return -errno;
	if (pipe2(errp, O_CLOEXEC)) {
		close(gate[0]);
		close(gate[1]);
		return -errno;
	}
	t->pid = fork();
	if (t->pid < 0) {
		int err = -errno;

		close(gate[0]), close(gate[1]), close(errp[0]), close(errp[1]);
		return err;
	}
	if (t->pid == 0) {
		close(gate[1]);
		close(errp[0]);
		child_run(gate[0], errp[1], found ? file : NULL, argv);
	}
	close(gate[0]);
	close(errp[1]);
	t->spawned = true;
	t->gate_fd = gate[1];
	t->err_fd = errp[0];
	t->pidfd = pidfd_open_(t->pid);
	return 0;
}

int target_release(struct target *t)
{
	int e = 0;
	ssize_t n;

	if (t->stdout_to_stderr && write(t->gate_fd, "e", 1) != 1)
		return -errno;
	close(t->gate_fd);
	t->gate_fd = -1;
	while ((n = read(t->err_fd, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(t->err_fd);
	t->err_fd = -1;
	if (n == sizeof(e)) {
		waitpid(t->pid, NULL, 0);
		t->exited = true;
		t->status = 127;
		return -e;
	}
	return 0;
}

/* PF_KTHREAD in /proc/PID/stat's flags (field 9): a kernel thread has no user space. */
static bool is_kernel_thread(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;
	FILE *f;
	bool k = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "re")))
		return false;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1)
		k = flags & 0x00200000;	/* PF_KTHREAD, include/linux/sched.h */
	fclose(f);
	return k;
}

int target_attach_pid(struct target *t, pid_t pid)
{
	if (is_kernel_thread(pid))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->gate_fd = t->err_fd = -1;
	t->pidfd = pidfd_open_(pid);
	return t->pidfd < 0 ? -errno : 0;
}

bool target_poll(struct target *t)
{
	int status;

	if (t->exited)
		return true;
	if (!t->spawned) {
		/* Not our child: its pidfd turns readable when it exits. */
		struct pollfd pfd = { .fd = t->pidfd, .events = POLLIN };

		if (t->pidfd >= 0 ? poll(&pfd, 1, 0) > 0 : kill(t->pid, 0) && errno == ESRCH)
			t->exited = true;
		return t->exited;
	}
	if (waitpid(t->pid, &status, WNOHANG) != t->pid)
		return false;
	t->exited = true;
	t->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return true;
}

void target_abort(struct target *t)
{
	if (!t->spawned || t->exited)
		return;
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	t->exited = true;
}

void target_close(struct target *t)
{
	if (t->gate_fd > 0)
		close(t->gate_fd);
	if (t->err_fd > 0)
		close(t->err_fd);
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->gate_fd = t->err_fd = t->pidfd = -1;
}

void target_exe(const struct target *t, const char *argv0, char *out, size_t outlen)
{
	char link[64];
	ssize_t n;

	out[0] = 0;
	if (argv0) {
		if (libpath_resolve(argv0, 0, out, outlen, NULL, 0))
			out[0] = 0;
		return;
	}
	snprintf(link, sizeof(link), "/proc/%d/exe", t->pid);
	n = readlink(link, out, outlen - 1);
	out[n > 0 ? n : 0] = 0;
}
