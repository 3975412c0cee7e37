/* The output options as one table: a new output (an exporter, a view) is a row and its
 * setter, and every front end takes it (cli_take_outputs), with one help text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli_outputs.h"

enum takes { TAKES_NONE, TAKES_VALUE };

struct output_opt {
	const char *name;
	enum takes takes;
	/* 0, or -EINVAL after a message naming the option. */
	int (*set)(struct cli_outputs *o, const char *value);
	const char *help;	/* --help's lines for it: the option, then its text */
};

static int set_metrics(struct cli_outputs *o, const char *value)
{
	o->metrics.addr = value;
	return 0;
}

static int set_metrics_token_file(struct cli_outputs *o, const char *value)
{
	o->metrics.token_file = value;
	return 0;
}

static int set_metrics_max_series(struct cli_outputs *o, const char *value)
{
	char *end;
	unsigned long v = strtoul(value, &end, 10);

	if (*end || !*value || *value == '-' || v == 0 || v > 100000000) {
		fprintf(stderr, "ltrace-ebpf: --metrics-max-series: '%s' is not a number 1..100000000\n",
			value);
		return -EINVAL;
	}
	o->metrics.max_series = v;
	return 0;
}

static int set_metrics_public(struct cli_outputs *o, const char *value)
{
	(void)value;
	o->metrics.public_ok = true;
	return 0;
}

static int set_http(struct cli_outputs *o, const char *value)
{
	o->web.addr = value;
	return 0;
}

static int set_http_public(struct cli_outputs *o, const char *value)
{
	(void)value;
	o->web.public_ok = true;
	return 0;
}

static int set_http_token_file(struct cli_outputs *o, const char *value)
{
	o->web.token_file = value;
	return 0;
}

static int set_http_jwt_key(struct cli_outputs *o, const char *value)
{
	o->web.jwt_key = value;
	return 0;
}

/* value as a number lo..hi, else -EINVAL after a message naming the option. */
static int number(const char *flag, const char *value, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(value, &end, 10);

	if (!*value || *end || v < lo || v > hi) {
		fprintf(stderr, "ltrace-ebpf: %s: '%s' is not a number %ld..%ld\n", flag, value,
			lo, hi);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int set_http_keep(struct cli_outputs *o, const char *value)
{
	long v;

	if (number("--http-keep", value, 1, 1000, &v))
		return -EINVAL;
	o->web.keep = v;
	return 0;
}

static int set_ndjson_fd(struct cli_outputs *o, const char *value)
{
	long v;

	if (number("--ndjson-fd", value, 0, 1 << 20, &v))
		return -EINVAL;
	o->web.ndjson = true;
	o->web.ndjson_fd = v;
	return 0;
}

static int set_otlp(struct cli_outputs *o, const char *value)
{
	o->otlp = value;	/* checked by otlp_open, with the URL parser that will use it */
	return 0;
}

static int set_dashboard(struct cli_outputs *o, const char *value)
{
	(void)value;
	o->dashboard = true;
	return 0;
}

static const struct output_opt opts[] = {
	{ "--metrics", TAKES_VALUE, set_metrics,
	  "  --metrics HOST:PORT  serve the in-kernel aggregates to Prometheus at\n"
	  "              http://HOST:PORT/metrics (loopback only unless --metrics-public;\n"
	  "              a bearer token is needed: docs/exporters.md)\n" },
	{ "--metrics-token-file", TAKES_VALUE, set_metrics_token_file,
	  "  --metrics-token-file F  the token (else $LTRACE_EBPF_METRICS_TOKEN, else random)\n" },
	{ "--metrics-max-series", TAKES_VALUE, set_metrics_max_series,
	  "  --metrics-max-series N  series per scrape at most (default 50000)\n" },
	{ "--metrics-public", TAKES_NONE, set_metrics_public,
	  "  --metrics-public  let --metrics listen on an address that is not loopback\n" },
	{ "--http", TAKES_VALUE, set_http,
	  "  --http HOST:PORT  the session in a browser: prints its URL with a token\n"
	  "              (loopback only unless --http-public; docs/web.md)\n" },
	{ "--http-token-file", TAKES_VALUE, set_http_token_file,
	  "  --http-token-file F  the token (else $LTRACE_EBPF_HTTP_TOKEN, else random)\n" },
	{ "--http-jwt-key", TAKES_VALUE, set_http_jwt_key,
	  "  --http-jwt-key F  also accept JWTs signed HS256 with the key in F\n" },
	{ "--http-keep", TAKES_VALUE, set_http_keep,
	  "  --http-keep N  finished sessions the page keeps (default 8)\n" },
	{ "--http-public", TAKES_NONE, set_http_public,
	  "  --http-public  let --http listen on an address that is not loopback\n" },
	{ "--ndjson-fd", TAKES_VALUE, set_ndjson_fd,
	  "  --ndjson-fd FD  every record, as one line of JSON, to FD\n" },
	{ "--otlp", TAKES_VALUE, set_otlp,
	  "  --otlp URL  send paired calls as OpenTelemetry spans (OTLP/HTTP JSON) to\n"
	  "              URL/v1/traces, e.g. http://127.0.0.1:4318 (docs/exporters.md)\n" },
	{ "--dashboard", TAKES_NONE, set_dashboard,
	  "  --dashboard a full-screen terminal view of the session: histograms, top tables,\n"
	  "              counters, drops, the events; keys change filters live\n"
	  "              (docs/dashboard.md); text frames when stdout is not a terminal\n" },
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

int cli_output_opt(int argc, char **argv, int i, struct cli_outputs *o)
{
	const char *eq = strchr(argv[i], '='), *value = eq ? eq + 1 : NULL;
	size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
	const struct output_opt *opt = NULL;
	int used = 1;

	for (size_t k = 0; k < NOPTS && !opt; k++)
		if (strlen(opts[k].name) == len && !strncmp(opts[k].name, argv[i], len))
			opt = &opts[k];
	if (!opt)
		return 0;
	if (opt->takes == TAKES_NONE && eq) {
		fprintf(stderr, "ltrace-ebpf: option '%.*s' takes no value\n", (int)len, argv[i]);
		return -EINVAL;
	}
	if (opt->takes == TAKES_VALUE && !value) {
		if (i + 1 >= argc) {
			fprintf(stderr, "ltrace-ebpf: option '%s' requires an argument (see --help)\n",
				argv[i]);
			return -EINVAL;
		}
		value = argv[i + 1];
		used = 2;
	}
	return opt->set(o, value) ? -EINVAL : used;
}

int cli_outputs_check(const struct cli_outputs *o, bool has_session, bool repl)
{
	const struct cli_metrics *m = &o->metrics;
	const struct cli_web *w = &o->web;

	if ((m->public_ok || m->token_file || m->max_series) && !m->addr) {
		fprintf(stderr, "ltrace-ebpf: --metrics-* options need --metrics HOST:PORT\n");
		return -EINVAL;
	}
	if ((w->public_ok || w->token_file || w->jwt_key || w->keep) && !w->addr) {
		fprintf(stderr, "ltrace-ebpf: --http-* options need --http HOST:PORT\n");
		return -EINVAL;
	}
	if ((m->addr || o->otlp || w->addr || w->ndjson) && !has_session) {
		fprintf(stderr, "ltrace-ebpf: %s serves a tracing session (a script, -E, "
			"the REPL or the ltrace front end)\n", m->addr ? "--metrics" :
			o->otlp ? "--otlp" : w->addr ? "--http" : "--ndjson-fd");
		return -EINVAL;
	}
	if (o->dashboard && (!has_session || repl)) {
		fprintf(stderr, "ltrace-ebpf: --dashboard shows a tracing session (a script, -E or "
			"the ltrace front end)\n");
		return -EINVAL;
	}
	return 0;
}

void cli_outputs_usage(FILE *f)
{
	for (size_t k = 0; k < NOPTS; k++)
		fputs(opts[k].help, f);
}
