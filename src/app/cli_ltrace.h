/* ltrace mode: when argv is an ltrace(1) command line, the run is lua/ltrace.lua with the
 * whole command line as its arguments; C only finds the command (or -p PID) and -f, which
 * the host needs before any Lua runs. The rule is in docs/ltrace.md. */
#ifndef LT_CLI_LTRACE_H
#define LT_CLI_LTRACE_H

#include <stdbool.h>

struct cli;

/* Is this an ltrace command line? (argv[0] named "ltrace", --ltrace first, or a command /
 * ltrace-only options where ltrace-ebpf's own syntax would have a script.) */
bool cli_ltrace_wanted(int argc, char **argv);
/* Fills c for ltrace mode; 0 or -EINVAL after a message. */
int cli_ltrace_parse(int argc, char **argv, struct cli *c);

/* Takes the output options (cli_outputs.h: the host's, whichever front end reads the rest)
 * out of argv, up to the first operand, stepping over other options as ltrace(1) reads
 * them; 0 or -EINVAL after a message. */
struct cli_outputs;
int cli_take_outputs(int *argc, char **argv, struct cli_outputs *o);

#endif
