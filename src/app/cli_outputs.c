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

int cli_outputs_check(const struct cli_outputs *o, bool has_session)
{
	const struct cli_metrics *m = &o->metrics;

	if ((m->public_ok || m->token_file || m->max_series) && !m->addr) {
		fprintf(stderr, "ltrace-ebpf: --metrics-* options need --metrics HOST:PORT\n");
		return -EINVAL;
	}
	if (m->addr && !has_session) {
		fprintf(stderr, "ltrace-ebpf: --metrics serves a tracing session (a script, -E, "
			"the REPL or the ltrace front end)\n");
		return -EINVAL;
	}
	return 0;
}

void cli_outputs_usage(FILE *f)
{
	for (size_t k = 0; k < NOPTS; k++)
		fputs(opts[k].help, f);
}
