/* The options every front end shares: where a session's data goes besides the terminal
 * (--metrics and its options, --otlp, --http and its options, --json, --dashboard; an
 * output's flags are rows of one table in cli_outputs.c).
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

/* --json[=FILE] (src/export/json_out.h). */
struct cli_json {
	bool on;
	const char *path;	/* NULL: stdout */
};

struct cli_outputs {
	struct cli_metrics metrics;
	struct cli_web web;
	const char *otlp;	/* --otlp URL (src/export/otlp.h) */
	bool dashboard;		/* --dashboard: the terminal view (src/view/dash.h) */
	struct cli_json json;
};

/* argv[i] when it is an output option (with "=VALUE" or the value in argv[i + 1]): the
 * argv slots used; 0 when it is not one; -EINVAL after a message. */
int cli_output_opt(int argc, char **argv, int i, struct cli_outputs *o);
/* The output options among a script's arguments (args[0..*n), the command after "--" split
 * off), taken out wherever they stand: `ltrace-ebpf scripts/syslat.lua -i 10 -p PID
 * --metrics 127.0.0.1:9464` is the contract as written (issue 15). 0 or -EINVAL. */
int cli_take_script_outputs(int *n, char **args, struct cli_outputs *o);
/* Options that need another (--metrics-public without --metrics), or a session to serve
 * (has_session: a script, -E, the REPL or the ltrace front end; --dashboard: not the
 * REPL, whose terminal it would take); 0 or -EINVAL after a message. --json wants a
 * session too (the REPL's is one: its lines then go to stderr). */
int cli_outputs_check(const struct cli_outputs *o, bool has_session, bool repl);
/* The table's help lines, for --help. */
void cli_outputs_usage(FILE *f);

#endif
