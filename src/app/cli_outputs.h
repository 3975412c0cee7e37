/* The options every front end shares: where a session's data goes besides the terminal
 * (--metrics and its options; an output's flags are rows of one table in cli_outputs.c).
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

struct cli_outputs {
	struct cli_metrics metrics;
};

/* argv[i] when it is an output option (with "=VALUE" or the value in argv[i + 1]): the
 * argv slots used; 0 when it is not one; -EINVAL after a message. */
int cli_output_opt(int argc, char **argv, int i, struct cli_outputs *o);
/* Options that need another (--metrics-public without --metrics), or a session to serve
 * (has_session: a script, -E, the REPL or the ltrace front end); 0 or -EINVAL after a
 * message. */
int cli_outputs_check(const struct cli_outputs *o, bool has_session);
/* The table's help lines, for --help. */
void cli_outputs_usage(FILE *f);

#endif
