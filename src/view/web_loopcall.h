/* Running a function on the event loop's thread from the HTTP thread: probes and the
 * session are the loop's alone. The HTTP thread queues a call (an eventfd wakes the loop)
 * and waits a bounded time for its answer; the loop never waits for the HTTP thread. */
#ifndef LT_WEB_LOOPCALL_H
#define LT_WEB_LOOPCALL_H

struct session;
struct web_loopcall;

/* On the loop's thread: an answer (malloc'ed JSON text, or NULL on failure) from what
 * `arg` asks (a copy the call owns and frees). */
typedef char *(*web_loop_fn)(struct session *s, const char *arg, int *status);

struct web_loopcall *wlc_new(void);
/* Starts answering on s's loop; 0 or -errno. */
int wlc_attach(struct web_loopcall *lc, struct session *s);
/* HTTP thread: fn(s, arg) on the loop, its answer in *out and its HTTP status returned;
 * 503 when the loop did not answer within wait_ms (it is busy, or not running yet). */
int wlc_call(struct web_loopcall *lc, web_loop_fn fn, const char *arg, int wait_ms,
	     char **out);
/* After the HTTP server stopped (no caller left). */
void wlc_free(struct web_loopcall *lc);

#endif
