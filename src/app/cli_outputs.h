/* The options every front end shares: where a session's data goes besides the terminal
 * (--metrics and its options, --otlp, --http and its options; an output's flags are rows
 * of one table in cli_outputs.c).
 * They are taken out of argv before a front end reads the rest (cli_take_outputs). */
#ifndef LT_CLI_OUTPUTS_H
#define LT_CLI_OUTPUTS_H

#include <stdbool.h>
#include <stdio.h>

/* --metrics HOST:PORT and its options (src/export/metrics.h). */
struct cli_metrics {
	const char *addr;
	bool public_ok;		/* --metrics-public */
	const char *token_file;	/* --metrics-token-file */
	unsigned long max_series;	/* --metrics-max-series */
};

/* --http HOST:PORT and its options (src/view/web.h), and --ndjson-fd. */
struct cli_web {
	const char *addr;
	bool public_ok;		/* --http-public */
	const char *token_file;	/* --http-token-file */
	const char *jwt_key;	/* --http-jwt-key */
	unsigned keep;		/* --http-keep (0: the default) */
	bool ndjson;		/* --ndjson-fd given */
	int ndjson_fd;
};

struct cli_outputs {
	struct cli_metrics metrics;
	struct cli_web web;
	const char *otlp;	/* --otlp URL (src/export/otlp.h) */
	bool dashboard;		/* --dashboard: the terminal view (src/view/dash.h) */
};

/* argv[i] when it is an output option (with "=VALUE" or the value in argv[i + 1]): the
 * argv slots used; 0 when it is not one; -EINVAL after a message. */
int cli_output_opt(int argc, char **argv, int i, struct cli_outputs *o);
/* Options that need another (--metrics-public without --metrics), or a session to serve
 * (has_session: a script, -E, the REPL or the ltrace front end; --dashboard: not the
 * REPL, whose terminal it would take); 0 or -EINVAL after a message. */
int cli_outputs_check(const struct cli_outputs *o, bool has_session, bool repl);
/* The table's help lines, for --help. */
void cli_outputs_usage(FILE *f);

#endif
