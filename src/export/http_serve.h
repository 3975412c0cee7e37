/* What every HTTP endpoint of the tool (--metrics, --http) sets up the same way: a socket
 * bound by us (a bad address or a port in use is reported with its errno before anything
 * starts; a non-loopback address only with the endpoint's explicit flag), its secret token
 * (a file, an environment variable or random), a constant-time check of it, and a
 * libmicrohttpd daemon on its own thread that takes no signal (the loop's thread does). */
#ifndef LT_HTTP_SERVE_H
#define LT_HTTP_SERVE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <microhttpd.h>

struct http_listen_opts {
	const char *flag;	/* "--metrics": how errors name the option */
	const char *addr;	/* HOST:PORT, [V6]:PORT, :PORT or PORT (host 127.0.0.1) */
	bool public_ok;		/* the explicit flag for a non-loopback address was given */
	const char *public_flag;	/* its name, for the message */
	const char *path;	/* appended to the URL ("/metrics", "/") */
};

/* The listening socket and its URL ("http://HOST:PORT" + path), or -errno after one line
 * on stderr. */
int http_listen(const struct http_listen_opts *o, char *url, size_t ulen);
/* The token: file's contents (trailing blanks dropped), else $env, else 24 random bytes in
 * hex; 16..len-1 characters without blanks. 0 or -errno after one line on stderr. */
int http_token_init(const char *file_flag, const char *file, const char *env, char *out,
		    size_t len);
/* want == got, every byte compared whatever the first difference: the time tells nothing. */
bool http_secret_eq(const char *want, const char *got);
/* header is "Bearer TOKEN" with TOKEN == want. */
bool http_bearer_ok(const char *want, const char *header);
/* One response; a 401 says which scheme it wants. */
enum MHD_Result http_reply(struct MHD_Connection *c, unsigned status, const void *body,
			   size_t len, enum MHD_ResponseMemoryMode mode, const char *type);
/* The daemon serving fd on its own thread (flags added to MHD_USE_AUTO_INTERNAL_THREAD),
 * with an accept policy (apc may be NULL) and the options in `more` (ending in
 * MHD_OPTION_END); NULL after one line on stderr (fd is then closed). */
struct MHD_Daemon *http_start(const struct http_listen_opts *o, int fd, unsigned flags,
			      MHD_AcceptPolicyCallback apc, void *apc_cls,
			      MHD_AccessHandlerCallback handler, void *cls,
			      const struct MHD_OptionItem *more);

/* pthread_create for an endpoint's helper threads: like the daemon's, they take no signal,
 * so the handlers (src/app/signals.c) always run on the loop's thread, never in the middle
 * of a helper's locked section. 0 or an errno. */
int http_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

#define HTTP_TEXT_PLAIN "text/plain; charset=utf-8"

#endif
