/* The --json output (json_out.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "json_enc.h"
#include "json_out.h"
#include "output_guard.h"
#include "probe.h"
#include "safe_file.h"
#include "session.h"
#include "version.h"

struct json_out {
	FILE *f;
	bool is_stdout;
	bool in_batch;		/* inside a drain: flushed at its end */
	struct session *s;	/* while its tap is on the session's */
};

struct json_out *json_out_open(const char *path)
{
	struct json_out *jo = calloc(1, sizeof(*jo));
	int fd;

	if (!jo)
		return NULL;
	if (!path || !strcmp(path, "-")) {
		/* The JSON keeps stdout to itself: it writes to a copy of fd 1, and fd 1 becomes
		 * stderr for everything else (what the script prints, a traced command started
		 * from now on, the C side's messages), so stdout is JSON lines only. */
		fflush(stdout);
		if ((fd = fcntl(1, F_DUPFD_CLOEXEC, 3)) < 0 || dup2(2, 1) < 0 ||
		    !(jo->f = fdopen(fd, "w"))) {
			fprintf(stderr, "ltrace-ebpf: --json: stdout: %s\n", strerror(errno));
			if (fd >= 0)
				close(fd);
			free(jo);
			return NULL;
		}
		jo->is_stdout = true;
		output_guard_watch(fd);
		return jo;
	}
	if ((fd = sf_open_write(path)) < 0 || !(jo->f = fdopen(fd, "w"))) {
		fprintf(stderr, "ltrace-ebpf: --json: %s: %s\n", path,
			sf_strerror(fd < 0 ? fd : -errno));
		if (fd >= 0)
			close(fd);
		free(jo);
		return NULL;
	}
	output_guard_watch(fd);
	return jo;
}

void json_out_begin(struct json_out *jo, const char *script, int target_pid,
		    char *const *command)
{
	char buf[8192], *argv[256];
	size_t n = 0, len = 0;
	FILE *f = fopen("/proc/self/cmdline", "re");

	if (f) {
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[len] = 0;
	for (size_t i = 0; i < len && n < 255; i += strlen(buf + i) + 1)
		argv[n++] = buf + i;
	argv[n] = NULL;
	json_out_write(jo, json_enc_session(LT_VERSION, script, argv, target_pid, command));
}

bool json_out_is_stdout(const struct json_out *jo)
{
	return jo && jo->is_stdout;
}

/* The session's tap: a record's line before its callback runs (what the callback writes,
 * a tool's record, follows it). */
static void tap(void *ctx, struct session *s, const struct lt_rec *rec)
{
	struct json_out *jo = ctx;
	struct probe *p = session_probe(s, rec->probe);

	/* as the Lua dispatcher: nothing of a probe gone, nor after the stop */
	if (p && !s->stopping) {
		jo->in_batch = true;
		json_enc_write(jo->f, json_enc_event(p, rec));
	}
}

static void batch_end(void *ctx)
{
	struct json_out *jo = ctx;

	if (jo->in_batch)
		fflush(jo->f);
	jo->in_batch = false;
}

void json_out_attach(struct json_out *jo, struct session *s)
{
	if (session_add_tap(s, tap, batch_end, jo)) {
		fprintf(stderr, "ltrace-ebpf: --json: too many outputs on one session\n");
		return;
	}
	jo->s = s;
}

int json_out_write(struct json_out *jo, struct json_object *o)
{
	int rc = json_enc_write(jo->f, o);

	if (!jo->in_batch)
		fflush(jo->f);
	return rc;
}

void json_out_end(struct json_out *jo, int exit_status)
{
	if (!jo || !jo->s)
		return;
	session_remove_tap(jo->s, jo);
	jo->in_batch = false;
	json_out_write(jo, json_enc_end(jo->s, exit_status));
	jo->s = NULL;
}

void json_out_close(struct json_out *jo)
{
	if (!jo)
		return;
	fclose(jo->f);
	free(jo);
}
