/* What a command line asks for, whichever front end read it (cli.c: the tracer's own
 * syntax, cli_ltrace.c: ltrace(1)'s, cli_tool.c: a shipped tool by name); run.c acts on it.
 * Apart from the parsers so that they depend on the data, not on each other. */
#ifndef LT_CLI_ARGS_H
#define LT_CLI_ARGS_H

#include <stdbool.h>
#include "cli_outputs.h"

enum cli_mode { CLI_SCRIPT, CLI_ONELINER, CLI_LIST, CLI_REPL, CLI_LUA_TEST, CLI_HELP,
		CLI_VERSION, CLI_TOOLS };

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
	struct cli_outputs out;	/* --metrics ...: where the session's data goes besides here */
};

#endif
