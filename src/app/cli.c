/* argv -> struct cli. Options come before the script; everything after the script and
 * before "--" belongs to the script (its `arg` table); after "--" is the command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_ltrace.h"
#include "cli_outputs.h"
#include "cli_tool.h"

void cli_usage(void)
{
	fputs("usage: ltrace-ebpf [options] SCRIPT.lua [script args] [-- CMD ARGS]\n"
	      "       ltrace-ebpf [options] -E 'LUA CODE' [-- CMD ARGS]\n"
	      "       ltrace-ebpf --tool NAME [tool args] [-- CMD ARGS]  a shipped tool\n"
	      "       ltrace-ebpf -l 'LIB:FUNC-GLOB'      list probe points\n"
	      "       ltrace-ebpf [--repl] [-p PID]       interactive REPL (attached to PID)\n"
	      "       ltrace-ebpf [ltrace options] CMD ARGS  ltrace(1) compatible (docs/ltrace.md)\n"
	      "       ltrace-ebpf [ltrace options] -p PID    ltrace(1) compatible, attached\n"
	      "options:\n"
	      "  -E CODE     run CODE as the script (one-liner)\n"
	      "  -p PID      trace the running process PID (ends when it exits)\n"
	      "  -f          follow forks: children of the target are traced too\n"
	      "  -k          keep going after an error in a callback (report it, continue)\n"
	      "  -l PATTERN  list matching functions, e.g. -l 'libc:str*', -l 'tracepoint:sched:*',\n"
	      "              -l 'syscall:open*'; -l -v PATTERN adds fields and argument types\n"
	      "  -v          verbose: the kernel's BPF features, libbpf diagnostics\n"
	      "  --repl      the interactive REPL (with -p PID: attached to it)\n",
	      stdout);
	cli_outputs_usage(stdout);
	fputs("  --tool NAME run the shipped tool NAME (also installed as ltrace-ebpf-NAME);\n"
	      "              the arguments after NAME are the tool's (NAME -h: its help)\n"
	      "  --tools     list the shipped tools\n"
	      "  -h, --help  this help\n"
	      "  -V, --version  print the version and exit\n",
	      stdout);
}

static int parse_pid(const char *text, int *pid)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (*end || v <= 0 || v > 1 << 22) {
		fprintf(stderr, "ltrace-ebpf: -p: '%s' is not a process id\n", text);
		return -EINVAL;
	}
	*pid = v;
	return 0;
}

/* The command after the first "--" (getopt would swallow the "--" itself). */
static int split_command(int *argc, char **argv, struct cli *c)
{
	for (int j = 1; j < *argc; j++) {
		if (strcmp(argv[j], "--"))
			continue;
		c->command = &argv[j + 1];
		argv[j] = NULL;
		*argc = j;
		if (!c->command[0]) {
			fprintf(stderr, "ltrace-ebpf: '--' must be followed by a command\n");
			return -EINVAL;
		}
		return 0;
	}
	return 0;
}

/* Operands before "--": [script] [script args...]. */
static void parse_operands(int argc, char **argv, int i, struct cli *c)
{
	if (c->mode == CLI_REPL && i < argc) {
		c->mode = CLI_SCRIPT;
		c->script = argv[i++];
	}
	c->script_args = &argv[i];
	c->nscript_args = argc - i;
}

int cli_parse(int argc, char **argv, struct cli *c)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "lua-test", required_argument, NULL, 'T' },
		{ "repl", no_argument, NULL, 'R' },
		{ "tool", required_argument, NULL, CLI_OPT_TOOL },
		{ "tools", no_argument, NULL, CLI_OPT_TOOLS },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_outputs out = {};
	int opt;
	char **tool_argv = cli_tool_argv(argc, argv);	/* run as ltrace-ebpf-NAME */

	if (tool_argv)
		return cli_parse(argc + 2, tool_argv, c);
	/* --metrics and the other outputs are taken out first, whichever front end gets the rest. */
	if (cli_take_outputs(&argc, argv, &out))
		return -EINVAL;
	/* "-l -v SPEC" lists with details (fields, argument types): ours, not ltrace's -l LIB. */
	bool list_verbose = argc > 3 && !strcmp(argv[1], "-l") && !strcmp(argv[2], "-v");

	if (!list_verbose && cli_ltrace_wanted(argc, argv)) {	/* ltrace(1): lua/ltrace.lua */
		cli_ltrace_parse(argc, argv, c);
		c->out = out;
		return cli_outputs_check(&c->out, true, false);
	}
	memset(c, 0, sizeof(*c));
	c->mode = CLI_REPL;
	opterr = 0;
	if (split_command(&argc, argv, c))
		return -EINVAL;
	while ((opt = getopt_long(argc, argv, "+:E:p:fkl:vhV", longs, NULL)) != -1) {
		switch (opt) {
		case 'E': c->mode = CLI_ONELINER; c->script = optarg; break;
		case 'p': if (parse_pid(optarg, &c->pid)) return -EINVAL; break;
		case 'f': c->follow = true; break;
		case 'k': c->keep_going = true; break;
		case 'l':
			c->mode = CLI_LIST;
			c->list = optarg;
			if (!strcmp(optarg, "-v") && optind < argc) {	/* -l -v SPEC */
				c->verbose = true;
				c->list = argv[optind++];
			}
			break;
		case 'v': c->verbose = true; break;
		case 'h': c->mode = CLI_HELP; return 0;
		case 'V': c->mode = CLI_VERSION; return 0;
		case 'T': c->mode = CLI_LUA_TEST; c->script = optarg; break;
		case 'R': c->mode = CLI_REPL; break;
		case CLI_OPT_TOOLS: c->mode = CLI_TOOLS; return 0;
		case CLI_OPT_TOOL:	/* what follows NAME is the tool's */
			return cli_tool(optarg, &argv[optind], argc - optind, c);
		case ':':	/* ':' leads the option string: a missing argument is said so */
			fprintf(stderr, "ltrace-ebpf: option '%s' requires an argument (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "ltrace-ebpf: unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	parse_operands(argc, argv, optind, c);
	if (c->mode == CLI_SCRIPT && cli_take_script_outputs(&c->nscript_args, c->script_args, &out))
		return -EINVAL;
	if (c->pid && c->command) {
		fprintf(stderr, "ltrace-ebpf: -p and '-- CMD' cannot be used together\n");
		return -EINVAL;
	}
	c->out = out;
	return cli_outputs_check(&c->out, c->mode == CLI_SCRIPT || c->mode == CLI_ONELINER ||
					   c->mode == CLI_REPL, c->mode == CLI_REPL);
}
