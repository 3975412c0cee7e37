/* The command line of a shipped tool run by name: `ltrace-ebpf --tool NAME ARGS` and the
 * installed links `ltrace-ebpf-NAME ARGS` (argv[0] names the tool). */
#ifndef LT_CLI_TOOL_H
#define LT_CLI_TOOL_H

struct cli;

/* getopt_long values of --tool and --tools (beyond any character). */
enum { CLI_OPT_TOOL = 0x100, CLI_OPT_TOOLS };

/* Run as ltrace-ebpf-NAME with NAME a tool: argv as `ltrace-ebpf --tool NAME ARGS...`
 * (argc + 2 entries and a NULL, never freed), else NULL. */
char **cli_tool_argv(int argc, char **argv);
/* --tool NAME: c becomes the tool's script with args as its arguments; 0, or -EINVAL
 * after a message. */
int cli_tool(const char *name, char **args, int nargs, struct cli *c);

#endif
