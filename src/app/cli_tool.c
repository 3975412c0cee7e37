/* A tool by name is its script with the arguments that follow the name: the tool parses
 * them itself (its -p, -h, ...), exactly as after `ltrace-ebpf scripts/NAME.lua`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli_args.h"
#include "cli_tool.h"
#include "tools.h"

#define LINK_PREFIX "ltrace-ebpf-"

char **cli_tool_argv(int argc, char **argv)
{
	static char tool_opt[] = "--tool", self[] = "ltrace-ebpf";
	static char **v;	/* for the whole run, as argv is */
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	char path[PATH_MAX];

	if (argc < 1)
		return NULL;
	base = base ? base + 1 : argv[0];
	/* Only a name that is a tool: ltrace-ebpf-asan (the sanitized build) is not one. */
	if (strncmp(base, LINK_PREFIX, strlen(LINK_PREFIX)) ||
	    tool_find(base + strlen(LINK_PREFIX), path, sizeof(path)))
		return NULL;
	free(v);
	v = calloc(argc + 3, sizeof(*v));	/* two more, and argv's NULL */
	if (!v)
		return NULL;
	v[0] = self;
	v[1] = tool_opt;
	v[2] = (char *)base + strlen(LINK_PREFIX);
	memcpy(v + 3, argv + 1, (argc - 1) * sizeof(*v));
	return v;
}

int cli_tool(const char *name, char **args, int nargs, struct cli *c)
{
	static char path[PATH_MAX];
	int rc = tool_find(name, path, sizeof(path));

	if (rc) {
		fprintf(stderr, "ltrace-ebpf: --tool: %s '%s' (ltrace-ebpf --tools lists them)\n",
			rc == -EINVAL ? "not a tool name:" : "no tool", name);
		return -EINVAL;
	}
	c->mode = CLI_SCRIPT;
	c->script = path;
	c->script_args = args;
	c->nscript_args = nargs;
	return 0;
}
