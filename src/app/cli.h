/* Command-line parsing for the tracer's own modes (script, one-liner, list, REPL), and
 * the choice of front end. */
#ifndef LT_CLI_H
#define LT_CLI_H

#include "cli_args.h"

/* 0, or -EINVAL after printing a message naming the bad argument. */
int cli_parse(int argc, char **argv, struct cli *out);
void cli_usage(void);

#endif
