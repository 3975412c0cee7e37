/* Sessions the page starts: each a child ltrace-ebpf running a shipped tool or a script
 * with its arguments, writing every record as one JSON line to a pipe (--ndjson-fd 3), read
 * here by one thread. Memory is bounded: a session keeps at most `cap` bytes of events
 * (the rest are counted), at most WSS_RUNNING_MAX run at once, and only the last `keep`
 * finished ones are kept. */
#ifndef LT_WEB_SESSIONS_H
#define LT_WEB_SESSIONS_H

#include <stddef.h>

#define WSS_RUNNING_MAX 4
#define WSS_CAP_DEFAULT (32u << 20)

struct web_sessions;

struct web_sessions *wss_new(unsigned keep, size_t cap);
/* Stops (SIGINT, then SIGKILL after 2 s) what still runs, and frees. */
void wss_free(struct web_sessions *w);
/* Starts `ltrace-ebpf --tool TOOL ARGS` (tool set) or `ltrace-ebpf SCRIPT ARGS`: the
 * session's id, or -errno with a reason in err. */
int wss_start(struct web_sessions *w, const char *tool, const char *script,
	      const char *const *args, int nargs, char *err, size_t errlen);
/* SIGINT to a running session (it ends as on Ctrl-C): 0, -ENOENT, or -EALREADY. */
int wss_stop(struct web_sessions *w, int id);
/* The sessions as a JSON array (malloc'ed), or NULL. */
char *wss_list_json(struct web_sessions *w);
/* A copy of a session's events (NDJSON); 0 or -ENOENT / -ENOMEM. */
int wss_export(struct web_sessions *w, int id, char **buf, size_t *len);

#endif
