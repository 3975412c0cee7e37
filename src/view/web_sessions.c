/* Child sessions (web_sessions.h): posix_spawn of /proc/self/exe, one reader thread
 * polling every running child's two pipes (events on its fd 3, its stdout and stderr
 * together, of which the last bytes are kept to show why a session failed). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "http_serve.h"
#include "web_sessions.h"

#define OUT_TAIL 2048
#define ARGS_MAX 32

struct wsess {
	int id;
	pid_t pid;
	int ev_fd, out_fd;	/* -1 once at EOF */
	bool running, stopped, full;
	int status;		/* exit status, 128 + signal */
	char *cmd;		/* the command line, for the list */
	time_t started, ended;
	char *buf;		/* NDJSON, complete lines only once full */
	size_t len, alloc, lines;
	uint64_t dropped;	/* lines over the cap */
	char out[OUT_TAIL];
	size_t out_len;
	struct wsess *next;	/* newest first */
};

struct web_sessions {
	pthread_mutex_t mu;
	pthread_t th;
	int wake[2];
	bool quit;
	unsigned keep;
	size_t cap;
	int next_id;
	char exe[4096];
	struct wsess *list;
};

static void wake(struct web_sessions *w)
{
	char c = 1;

	if (write(w->wake[1], &c, 1) < 0) {
		/* full pipe: the thread is already woken */
	}
}

static void sess_free(struct wsess *s)
{
	free(s->cmd);
	free(s->buf);
	free(s);
}

/* Drops the finished sessions after the newest `keep`. Under mu. */
static void trim(struct web_sessions *w)
{
	unsigned finished = 0;

	for (struct wsess **pp = &w->list; *pp;) {
		struct wsess *s = *pp;

		if (!s->running && ++finished > w->keep) {
			*pp = s->next;
			sess_free(s);
			continue;
		}
		pp = &s->next;
	}
}

static void count_lines(const char *p, size_t n, size_t *lines)
{
	for (const char *e = p + n; (p = memchr(p, '\n', e - p)); p++)
		(*lines)++;
}

/* Under mu: keeps what fits under the cap, whole lines only once it is reached. */
static void add_events(struct web_sessions *w, struct wsess *s, const char *data, size_t n)
{
	if (s->full) {
		size_t d = 0;

		count_lines(data, n, &d);
		s->dropped += d;
		return;
	}
	if (s->len + n > w->cap) {
		const char *last = s->len ? memrchr(s->buf, '\n', s->len) : NULL;
		size_t keep = last ? (size_t)(last - s->buf) + 1 : 0, d = 0;

		count_lines(data, n, &d);
		s->dropped += d + (keep < s->len);	/* and the partial line cut */
		s->len = keep;
		s->full = true;
		return;
	}
	if (s->len + n > s->alloc) {
		size_t a = s->alloc ? s->alloc : 65536;
		char *b;

		while (a < s->len + n)
			a *= 2;
		if (!(b = realloc(s->buf, a))) {
			s->full = true;
			return;
		}
		s->buf = b;
		s->alloc = a;
	}
	memcpy(s->buf + s->len, data, n);
	count_lines(data, n, &s->lines);
	s->len += n;
}

static void add_output(struct wsess *s, const char *data, size_t n)
{
	if (n >= OUT_TAIL) {
		data += n - OUT_TAIL;
		n = OUT_TAIL;
	}
	if (s->out_len + n > OUT_TAIL) {
		size_t cut = s->out_len + n - OUT_TAIL;

		memmove(s->out, s->out + cut, s->out_len - cut);
		s->out_len -= cut;
	}
	memcpy(s->out + s->out_len, data, n);
	s->out_len += n;
}

/* Under mu: both pipes at EOF: reaps the child. */
static void finish(struct web_sessions *w, struct wsess *s)
{
	int st = 0;

	while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
		;
	s->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	s->running = false;
	s->ended = time(NULL);
	trim(w);
}

static void read_fd(struct web_sessions *w, struct wsess *s, int *fd, bool events)
{
	static char chunk[65536];	/* the reader thread's only */
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	pthread_mutex_lock(&w->mu);
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		if (s->ev_fd < 0 && s->out_fd < 0)
			finish(w, s);
	} else if (events) {
		add_events(w, s, chunk, n);
	} else {
		add_output(s, chunk, n);
	}
	pthread_mutex_unlock(&w->mu);
}

static void *reader(void *arg)
{
	struct web_sessions *w = arg;
	struct pollfd pf[1 + 2 * WSS_RUNNING_MAX];
	struct wsess *who[1 + 2 * WSS_RUNNING_MAX];
	int n;

	for (;;) {
		n = 1;
		pf[0] = (struct pollfd){ .fd = w->wake[0], .events = POLLIN };
		pthread_mutex_lock(&w->mu);
		if (w->quit) {
			pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		for (struct wsess *s = w->list; s; s = s->next) {
			if (s->ev_fd >= 0 && n < 1 + 2 * WSS_RUNNING_MAX) {
				who[n] = s;
				pf[n++] = (struct pollfd){ .fd = s->ev_fd, .events = POLLIN };
			}
			if (s->out_fd >= 0 && n < 1 + 2 * WSS_RUNNING_MAX) {
				who[n] = s;
				pf[n++] = (struct pollfd){ .fd = s->out_fd, .events = POLLIN };
			}
		}
		pthread_mutex_unlock(&w->mu);
		if (poll(pf, n, -1) < 0)
			continue;
		if (pf[0].revents) {
			char drain[64];

			if (read(w->wake[0], drain, sizeof(drain)) < 0) {
				/* EAGAIN: nothing left */
			}
		}
		/* A session is freed only by trim(), on this thread: who[] stays valid. */
		for (int i = 1; i < n; i++)
			if (pf[i].revents)
				read_fd(w, who[i], pf[i].fd == who[i]->ev_fd ? &who[i]->ev_fd :
						   &who[i]->out_fd, pf[i].fd == who[i]->ev_fd);
	}
}

struct web_sessions *wss_new(unsigned keep, size_t cap)
{
	struct web_sessions *w = calloc(1, sizeof(*w));
	ssize_t n;

	if (!w)
		return NULL;
	w->keep = keep;
	w->cap = cap;
	w->next_id = 1;
	pthread_mutex_init(&w->mu, NULL);
	if ((n = readlink("/proc/self/exe", w->exe, sizeof(w->exe) - 1)) <= 0 ||
	    pipe2(w->wake, O_CLOEXEC | O_NONBLOCK)) {
		free(w);
		return NULL;
	}
	w->exe[n] = '\0';
	if (http_thread_create(&w->th, reader, w)) {
		close(w->wake[0]);
		close(w->wake[1]);
		free(w);
		return NULL;
	}
	return w;
}

void wss_free(struct web_sessions *w)
{
	bool left = true;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	for (struct wsess *s = w->list; s; s = s->next)
		if (s->running)
			kill(s->pid, SIGINT);
	pthread_mutex_unlock(&w->mu);
	for (int i = 0; i < 200 && left; i++) {	/* 2 s to end as on Ctrl-C */
		left = false;
		pthread_mutex_lock(&w->mu);
		for (struct wsess *s = w->list; s; s = s->next)
			left |= s->running;
		pthread_mutex_unlock(&w->mu);
		if (left)
			usleep(10000);
	}
	pthread_mutex_lock(&w->mu);
	for (struct wsess *s = w->list; s; s = s->next)
		if (s->running)
			kill(s->pid, SIGKILL);
	w->quit = true;
	pthread_mutex_unlock(&w->mu);
	wake(w);
	pthread_join(w->th, NULL);
	for (struct wsess *s = w->list, *nx; s; s = nx) {
		nx = s->next;
		if (s->running) {
			if (s->ev_fd >= 0)
				close(s->ev_fd);
			if (s->out_fd >= 0)
				close(s->out_fd);
			waitpid(s->pid, NULL, 0);
		}
		sess_free(s);
	}
	close(w->wake[0]);
	close(w->wake[1]);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

static char *join_cmd(char *const *argv)
{
	size_t n = 1;
	char *out;

	for (int i = 1; argv[i]; i++)
		n += strlen(argv[i]) + 1;
	if (!(out = calloc(1, n)))
		return NULL;
	for (int i = 1; argv[i]; i++) {
		if (i > 1)
			strcat(out, " ");
		strcat(out, argv[i]);
	}
	return out;
}

static int spawn(struct web_sessions *w, char *const *argv, struct wsess *s)
{
	int ev[2] = { -1, -1 }, out[2] = { -1, -1 }, rc;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;

	if (pipe2(ev, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		rc = -errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	posix_spawn_file_actions_adddup2(&fa, ev[1], 3);
	posix_spawnattr_init(&at);
	/* we read our signals from a signalfd, with them blocked: the child must not be */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	/* its own group: a Ctrl-C at our terminal stops it through us (wss_free), once */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETPGROUP);
	rc = -posix_spawn(&s->pid, w->exe, &fa, &at, argv, NULL);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc)
		goto fail;
	close(ev[1]);
	close(out[1]);
	s->ev_fd = ev[0];
	s->out_fd = out[0];
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (ev[i] >= 0)
			close(ev[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return rc;
}

int wss_start(struct web_sessions *w, const char *tool, const char *script,
	      const char *const *args, int nargs, char *err, size_t errlen)
{
	const char *argv[ARGS_MAX + 6] = { "ltrace-ebpf", "--ndjson-fd", "3" };
	int k = 3, running = 0, rc;
	struct wsess *s;

	if (!tool == !script || nargs > ARGS_MAX) {
		snprintf(err, errlen, "give a tool or a script, and at most %d arguments",
			 ARGS_MAX);
		return -EINVAL;
	}
	if (tool && (!*tool || strchr(tool, '/') || *tool == '-')) {
		snprintf(err, errlen, "a tool is a name from --tools");
		return -EINVAL;
	}
	if (script && (!*script || *script == '-')) {
		snprintf(err, errlen, "a script is a path");
		return -EINVAL;
	}
	if (tool) {
		argv[k++] = "--tool";
		argv[k++] = tool;
	} else {
		argv[k++] = script;
	}
	for (int i = 0; i < nargs; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	if (!(s = calloc(1, sizeof(*s))) || !(s->cmd = join_cmd((char *const *)argv + 2))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_lock(&w->mu);
	for (struct wsess *o = w->list; o; o = o->next)
		running += o->running;
	if (running >= WSS_RUNNING_MAX) {
		pthread_mutex_unlock(&w->mu);
		sess_free(s);
		snprintf(err, errlen, "%d sessions run already: stop one first", running);
		return -EBUSY;
	}
	if ((rc = spawn(w, (char *const *)argv, s))) {
		pthread_mutex_unlock(&w->mu);
		sess_free(s);
		snprintf(err, errlen, "cannot start: %s", strerror(-rc));
		return rc;
	}
	s->id = w->next_id++;
	s->running = true;
	s->started = time(NULL);
	s->next = w->list;
	w->list = s;
	rc = s->id;
	pthread_mutex_unlock(&w->mu);
	wake(w);
	return rc;
}

static struct wsess *find(struct web_sessions *w, int id)
{
	for (struct wsess *s = w->list; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

int wss_stop(struct web_sessions *w, int id)
{
	struct wsess *s;
	int rc = 0;

	pthread_mutex_lock(&w->mu);
	if (!(s = find(w, id)))
		rc = -ENOENT;
	else if (!s->running)
		rc = -EALREADY;
	else if (!s->stopped && kill(s->pid, SIGINT))
		rc = -errno;
	else
		s->stopped = true;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

char *wss_list_json(struct web_sessions *w)
{
	struct json_object *a = json_object_new_array();
	char *out;

	if (!a)
		return NULL;
	pthread_mutex_lock(&w->mu);
	for (struct wsess *s = w->list; s; s = s->next) {
		struct json_object *o = json_object_new_object();

		if (!o)
			break;
		json_object_object_add(o, "id", json_object_new_int(s->id));
		json_object_object_add(o, "cmd", json_object_new_string(s->cmd));
		json_object_object_add(o, "pid", json_object_new_int(s->pid));
		json_object_object_add(o, "state", json_object_new_string(
			s->running ? (s->stopped ? "stopping" : "running") :
			s->stopped ? "stopped" : "finished"));
		if (!s->running)
			json_object_object_add(o, "status", json_object_new_int(s->status));
		json_object_object_add(o, "started", json_object_new_int64(s->started));
		json_object_object_add(o, "ended", json_object_new_int64(s->ended));
		json_object_object_add(o, "events", json_object_new_uint64(s->lines));
		json_object_object_add(o, "bytes", json_object_new_uint64(s->len));
		json_object_object_add(o, "dropped", json_object_new_uint64(s->dropped));
		json_object_object_add(o, "output",
				       json_object_new_string_len(s->out, s->out_len));
		json_object_array_add(a, o);
	}
	pthread_mutex_unlock(&w->mu);
	out = strdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
	return out;
}

int wss_export(struct web_sessions *w, int id, char **buf, size_t *len)
{
	struct wsess *s;
	int rc = 0;

	pthread_mutex_lock(&w->mu);
	if (!(s = find(w, id))) {
		rc = -ENOENT;
	} else if (!(*buf = malloc(s->len + 1))) {
		rc = -ENOMEM;
	} else {
		if (s->len)
			memcpy(*buf, s->buf, s->len);
		*len = s->len;
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}
