/* Command-line parsing for the tracer's own modes (script, one-liner, list, REPL). */
#ifndef LT_CLI_H
#define LT_CLI_H

#include <stdbool.h>

enum cli_mode { CLI_SCRIPT, CLI_ONELINER, CLI_LIST, CLI_REPL, CLI_LUA_TEST, CLI_HELP,
		CLI_VERSION, CLI_TOOLS };

/* --metrics HOST:PORT and its options (src/export/metrics.h), and --json[=FILE]
 * (src/export/json_out.h): the exporters, the same for every front end. */
struct cli_metrics {
	bool json;		/* --json */
	const char *json_path;	/* --json=FILE (NULL: stdout) */
	const char *addr;
	bool public_ok;		/* --metrics-public */
	const char *token_file;	/* --metrics-token-file */
	unsigned long max_series;	/* --metrics-max-series */
};

struct cli {
	enum cli_mode mode;
	const char *script;	/* file, or code for -E */
	const char *list;	/* -l pattern */
	char **script_args;	/* arguments after the script, up to "--" */
	int nscript_args;
	char **command;		/* after "--": the command to start, NULL-terminated */
	int pid;		/* -p */
	bool follow;		/* -f */
	bool keep_going;	/* -k */
	bool verbose;		/* -v */
	struct cli_metrics metrics;
};

/* argv[i], one of --metrics, --metrics-public, --metrics-token-file, --metrics-max-series
 * (with "=VALUE" or the value in argv[i + 1]) or --json[=FILE], into m: the argv slots
 * used, or -EINVAL after a message. */
int cli_metrics_opt(int argc, char **argv, int i, struct cli_metrics *m);
/* 0, or -EINVAL after printing a message naming the bad argument. */
/* argv[i] is one of the options cli_metrics_opt takes (a prefix match: it says which). */
bool cli_is_export_opt(const char *arg);
int cli_parse(int argc, char **argv, struct cli *out);
void cli_usage(void);

#endif
