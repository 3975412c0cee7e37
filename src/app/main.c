/* ltrace-ebpf: a scriptable Linux tracer. main() parses the command line and hands the
 * chosen mode to run.c. */
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "fd_limit.h"
#include "run.h"
#include "script_call.h"
#include "signals.h"
#include "tools.h"
#include "version.h"


static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int verbose_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct cli c;

	signals_save_inherited();
	fd_limit_raise();
	if (cli_parse(argc, argv, &c))
		return 2;
	libbpf_set_print(c.verbose ? verbose_libbpf : quiet_libbpf);
	script_verbose = c.verbose;
	switch (c.mode) {
	case CLI_HELP:
		cli_usage();
		return 0;
	case CLI_VERSION:
		printf("ltrace-ebpf %s (libbpf %s)\n", LT_VERSION, libbpf_version_string());
		return 0;
	case CLI_LUA_TEST:
		return run_lua_test(&c);
	case CLI_LIST:
		return run_list(&c);
	case CLI_TOOLS:
		return tool_list();
	default:
		return run_session(&c);
	}
}
