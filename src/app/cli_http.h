/* The --http options (src/view/web.h) and --ndjson-fd, parsed for cli.c's getopt loop. */
#ifndef LT_CLI_HTTP_H
#define LT_CLI_HTTP_H

#include <getopt.h>
#include <stdbool.h>

struct cli_http {
	const char *addr;	/* --http HOST:PORT */
	bool public_ok;		/* --http-public */
	const char *token_file;	/* --http-token-file */
	const char *jwt_key;	/* --http-jwt-key */
	unsigned keep;		/* --http-keep N */
	int ndjson_fd;		/* --ndjson-fd FD, -1 when not given */
};

enum { CLI_OPT_HTTP = 0x200, CLI_OPT_HTTP_PUBLIC, CLI_OPT_HTTP_TOKEN, CLI_OPT_HTTP_JWT,
       CLI_OPT_HTTP_KEEP, CLI_OPT_NDJSON_FD };

#define CLI_HTTP_LONGS \
	{ "http", required_argument, NULL, CLI_OPT_HTTP }, \
	{ "http-public", no_argument, NULL, CLI_OPT_HTTP_PUBLIC }, \
	{ "http-token-file", required_argument, NULL, CLI_OPT_HTTP_TOKEN }, \
	{ "http-jwt-key", required_argument, NULL, CLI_OPT_HTTP_JWT }, \
	{ "http-keep", required_argument, NULL, CLI_OPT_HTTP_KEEP }, \
	{ "ndjson-fd", required_argument, NULL, CLI_OPT_NDJSON_FD }

#define CLI_HTTP_USAGE \
	"  --http HOST:PORT  the session in a browser: prints its URL with a token\n" \
	"              (loopback only unless --http-public; docs/web.md)\n" \
	"  --http-token-file F  the token (else $LTRACE_EBPF_HTTP_TOKEN, else random)\n" \
	"  --http-jwt-key F  also accept JWTs signed HS256 with the key in F\n" \
	"  --http-keep N  finished sessions the page keeps (default 8)\n" \
	"  --http-public  let --http listen on an address that is not loopback\n" \
	"  --ndjson-fd FD  every record, as one line of JSON, to FD\n"

/* opt (a CLI_OPT_HTTP* code) with its argument into h: 1 when it was one of ours, 0 when
 * not, -EINVAL after a message. */
int cli_http_opt(int opt, const char *arg, struct cli_http *h);
/* The options' consistency once all are read: 0 or -EINVAL after a message. */
int cli_http_check(const struct cli_http *h, bool serves_session);

#endif
