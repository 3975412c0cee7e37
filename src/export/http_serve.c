/* The set-up every HTTP endpoint shares (http_serve.h), moved out of metrics_http.c when
 * the web page (src/view/) became the second endpoint. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "http_serve.h"
#include "mhd_lib.h"
#include "safe_file.h"

static void fail(const struct http_listen_opts *o, const char *what)
{
	fprintf(stderr, "ltrace-ebpf: %s %s: %s\n", o->flag, o->addr, what);
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" (host 127.0.0.1). */
static int parse_addr(const struct http_listen_opts *o, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	const char *text = o->addr;
	char host[256] = "127.0.0.1", *end;
	const char *colon = strrchr(text, ':'), *port = colon ? colon + 1 : text;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV },
			*res;
	long p = strtol(port, &end, 10);
	size_t hl = colon ? (size_t)(colon - text) : 0;

	if (!*port || *end || p < 0 || p > 65535) {
		fail(o, "expected HOST:PORT with a port 0..65535 (e.g. 127.0.0.1:9464)");
		return -EINVAL;
	}
	if (hl >= 2 && text[0] == '[' && text[hl - 1] == ']')
		text++, hl -= 2;
	if (hl >= sizeof(host)) {
		fail(o, "host name too long");
		return -EINVAL;
	}
	if (hl) {
		memcpy(host, text, hl);
		host[hl] = '\0';
	}
	if (getaddrinfo(host, port, &hints, &res) || !res) {
		fail(o, "not an address this host can bind");
		return -EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static bool loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

int http_listen(const struct http_listen_opts *o, char *url, size_t ulen)
{
	char host[NI_MAXHOST], port[NI_MAXSERV], msg[160];
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (parse_addr(o, &ss, &len))
		return -EINVAL;
	if (!loopback(&ss) && !o->public_ok) {
		snprintf(msg, sizeof(msg), "not a loopback address: add %s to serve it to the "
			 "network (the token is then all that guards it)", o->public_flag);
		fail(o, msg);
		return -EPERM;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fail(o, strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, SOMAXCONN) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		int err = errno;

		fail(o, strerror(err));
		close(fd);
		return -err;
	}
	getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(url, ulen, ss.ss_family == AF_INET6 ? "http://[%s]:%s%s" : "http://%s:%s%s",
		 host, port, o->path);
	return fd;
}

int http_token_init(const char *file_flag, const char *file, const char *env_name, char *out,
		    size_t len)
{
	const char *env = env_name ? getenv(env_name) : NULL;
	unsigned char raw[24];
	size_t n;

	if (file) {
		char *text;
		int rc = sf_read_all(file, 4096, &text, &n);

		if (rc) {
			fprintf(stderr, "ltrace-ebpf: %s %s: %s\n", file_flag, file, sf_strerror(rc));
			return rc;
		}
		while (n && strchr(" \t\r\n", text[n - 1]))
			n--;	/* a file written by echo ends with a newline */
		snprintf(out, len, "%.*s", (int)(n < len ? n : len), text);
		free(text);
		if (n >= len)
			out[0] = '\0';	/* too long: refused below */
	} else if (env) {
		snprintf(out, len, "%s", strlen(env) < len ? env : "");
	} else {
		if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
			return -errno;
		for (size_t i = 0; i < sizeof(raw); i++)
			snprintf(out + 2 * i, len - 2 * i, "%02x", raw[i]);
	}
	if (strlen(out) < 16 || strcspn(out, " \t\r\n") != strlen(out)) {
		fprintf(stderr, "ltrace-ebpf: the %s token must be 16 to %zu characters "
			"without blanks\n", file_flag, len - 1);
		return -EINVAL;
	}
	return 0;
}

bool http_secret_eq(const char *want, const char *got)
{
	size_t n = strlen(want), have = strlen(got);
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(want[i] ^ (i < have ? got[i] : 0));
	return !diff && have == n;
}

bool http_bearer_ok(const char *want, const char *header)
{
	return header && !strncmp(header, "Bearer ", 7) && http_secret_eq(want, header + 7);
}

enum MHD_Result http_reply(struct MHD_Connection *c, unsigned status, const void *body,
			   size_t len, enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r = mhd()->MHD_create_response_from_buffer(len, (void *)body, mode);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_UNAUTHORIZED)
		mhd()->MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	rc = mhd()->MHD_queue_response(c, status, r);
	mhd()->MHD_destroy_response(r);
	return rc;
}

int http_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct MHD_Daemon *http_start(const struct http_listen_opts *o, int fd, unsigned flags,
			      MHD_AcceptPolicyCallback apc, void *apc_cls,
			      MHD_AccessHandlerCallback handler, void *cls,
			      const struct MHD_OptionItem *more)
{
	struct MHD_Daemon *d;
	sigset_t all, old;

	if (!mhd_lib_load(o->flag)) {	/* said why */
		close(fd);
		return NULL;
	}
	/* The thread takes no signal: the handlers run on the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* epoll (MHD_USE_AUTO): the session may hold more than FD_SETSIZE fds (a link per
	 * probe site) */
	d = mhd()->MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | flags, 0, apc, apc_cls,
				    handler, cls, MHD_OPTION_LISTEN_SOCKET, fd,
				    MHD_OPTION_ARRAY, more, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!d) {
		fail(o, "the HTTP server (libmicrohttpd) did not start");
		close(fd);
	}
	return d;
}
