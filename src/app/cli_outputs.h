/* The options every front end shares: where a session's data goes besides the terminal
 * (--metrics and its options, --otlp, --json; an output's flags are rows of one table in
 * cli_outputs.c).
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

/* --json[=FILE] (src/export/json_out.h). */
struct cli_json {
	bool on;
	const char *path;	/* NULL: stdout */
};

struct cli_outputs {
	struct cli_metrics metrics;
	const char *otlp;	/* --otlp URL (src/export/otlp.h) */
	struct cli_json json;
};

/* argv[i] when it is an output option (with "=VALUE" or the value in argv[i + 1]): the
 * argv slots used; 0 when it is not one; -EINVAL after a message. */
int cli_output_opt(int argc, char **argv, int i, struct cli_outputs *o);
/* Options that need another (--metrics-public without --metrics), or a session to serve
 * (has_session: a script, -E, the REPL or the ltrace front end); 0 or -EINVAL after a
 * message. --json wants a session too (the REPL's is one: its lines then go to stderr). */
int cli_outputs_check(const struct cli_outputs *o, bool has_session);
/* The table's help lines, for --help. */
void cli_outputs_usage(FILE *f);

#endif
