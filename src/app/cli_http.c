/* --http and its options (cli_http.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli_http.h"

static int number(const char *flag, const char *text, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (!*text || *end || v < lo || v > hi) {
		fprintf(stderr, "ltrace-ebpf: %s: '%s' is not a number %ld..%ld\n", flag, text,
			lo, hi);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int cli_http_opt(int opt, const char *arg, struct cli_http *h)
{
	long v;

	switch (opt) {
	case CLI_OPT_HTTP: h->addr = arg; return 1;
	case CLI_OPT_HTTP_PUBLIC: h->public_ok = true; return 1;
	case CLI_OPT_HTTP_TOKEN: h->token_file = arg; return 1;
	case CLI_OPT_HTTP_JWT: h->jwt_key = arg; return 1;
	case CLI_OPT_HTTP_KEEP:
		if (number("--http-keep", arg, 1, 1000, &v))
			return -EINVAL;
		h->keep = v;
		return 1;
	case CLI_OPT_NDJSON_FD:
		if (number("--ndjson-fd", arg, 0, 1 << 20, &v))
			return -EINVAL;
		h->ndjson_fd = v;
		return 1;
	}
	return 0;
}

int cli_http_check(const struct cli_http *h, bool serves_session)
{
	if ((h->public_ok || h->token_file || h->jwt_key || h->keep) && !h->addr) {
		fprintf(stderr, "ltrace-ebpf: --http-* options need --http HOST:PORT\n");
		return -EINVAL;
	}
	if ((h->addr || h->ndjson_fd >= 0) && !serves_session) {
		fprintf(stderr, "ltrace-ebpf: --http and --ndjson-fd serve a tracing session (a "
			"script, -E or the REPL)\n");
		return -EINVAL;
	}
	return 0;
}
