/* Telling an ltrace(1) command line from ltrace-ebpf's own, and the little of it the host
 * needs before Lua runs: where the command starts, the first -p PID, -f. Everything else,
 * including every error message about options, is lua/ltrace/opts.lua's job; this scanner
 * only has to agree with it on which options take an argument. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli_args.h"
#include "cli_ltrace.h"
#include "cli_outputs.h"

/* ltrace 0.7.3's getopt string "+cfhiLrStTVbC" "a:A:D:e:F:l:n:o:p:s:u:x:X:w:", plus -E
 * (ltrace-ebpf's one-liner), which takes an argument too. */
static const char short_arg[] = "aADeFlnopsuxXwE";
static const char ltrace_only[] = "aADeFnosuxXwbcCiLrStT";
static const char native_only[] = "Ekv";
static const char *const long_arg[] = { "align", "config", "debug", "indent", "library",
					"output", "where", "lua-test", "tool", NULL };
static const char *const long_native[] = { "lua-test", "repl", "tool", "tools", NULL };
/* Options that print and exit, as ltrace's do: the command after them is not run. */
static const char *const long_info[] = { "help", "version", NULL };
static const char info_only[] = "hV";
static const char *const long_ltrace[] = { "align", "config", "debug", "indent", "library",
					   "output", "where", "demangle", "no-signals", NULL };

struct scan {
	int operand;		/* index of the first operand (the command or a script), or argc */
	int dashdash;		/* index of "--", or 0 */
	bool ltrace_opts;	/* an option only ltrace has */
	bool native_opts;	/* an option only ltrace-ebpf has */
	bool info;		/* -h or -V: print, exit, run nothing */
	int pid;		/* the first -p */
	bool follow;
};

static bool in_list(const char *const *list, const char *name, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncmp(*list, name, len))
			return true;
	return false;
}

/* "--name[=value]"; returns how many argv slots it used. */
static int scan_long(int argc, char **argv, int i, struct scan *s)
{
	const char *name = argv[i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);

	if (in_list(long_ltrace, name, len))
		s->ltrace_opts = true;
	if (in_list(long_native, name, len))
		s->native_opts = true;
	if (in_list(long_info, name, len))
		s->info = true;
	return in_list(long_arg, name, len) && !eq && i + 1 < argc ? 2 : 1;
}

/* "-abc", "-s64", "-e malloc": returns how many argv slots it used. */
static int scan_short(int argc, char **argv, int i, struct scan *s)
{
	for (const char *p = argv[i] + 1; *p; p++) {
		const char *arg = p[1] ? p + 1 : i + 1 < argc ? argv[i + 1] : NULL;

		if (strchr(ltrace_only, *p))
			s->ltrace_opts = true;
		if (strchr(native_only, *p))
			s->native_opts = true;
		if (*p == 'f')
			s->follow = true;
		if (strchr(info_only, *p))
			s->info = true;
		if (!strchr(short_arg, *p))
			continue;
		if (*p == 'p' && arg && !s->pid)
			s->pid = atoi(arg);
		return p[1] ? 1 : 2;
	}
	return 1;
}

static void scan(int argc, char **argv, struct scan *s)
{
	int i = 1;

	memset(s, 0, sizeof(*s));
	s->operand = argc;
	while (i < argc) {
		if (!strcmp(argv[i], "--")) {
			s->dashdash = i;
			s->operand = i + 1;
			return;
		}
		if (argv[i][0] != '-' || !argv[i][1]) {
			s->operand = i;
			return;
		}
		i += argv[i][1] == '-' ? scan_long(argc, argv, i, s) : scan_short(argc, argv, i, s);
	}
}

int cli_take_outputs(int *argc, char **argv, struct cli_outputs *o)
{
	struct scan s = { 0 };
	int i = 1;

	while (i < *argc && strcmp(argv[i], "--") && argv[i][0] == '-' && argv[i][1]) {
		int used;

		if (!(used = cli_output_opt(*argc, argv, i, o))) {
			i += argv[i][1] == '-' ? scan_long(*argc, argv, i, &s) :
						 scan_short(*argc, argv, i, &s);
			continue;
		}
		if (used < 0)
			return used;
		/* argv[argc] is NULL: moved too */
		memmove(&argv[i], &argv[i + used], (*argc - i - used + 1) * sizeof(*argv));
		*argc -= used;
	}
	return 0;
}

/* A script operand: "*.lua", or an existing regular file nobody may execute. */
static bool is_script(const char *operand)
{
	size_t len = strlen(operand);
	struct stat st;

	if (len > 4 && !strcmp(operand + len - 4, ".lua"))
		return true;
	return !stat(operand, &st) && S_ISREG(st.st_mode) &&
	       !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH));
}

bool cli_ltrace_wanted(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	struct scan s;

	if (argc < 1)
		return false;
	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "ltrace") || (argc > 1 && !strcmp(argv[1], "--ltrace")))
		return true;
	scan(argc, argv, &s);
	if (s.native_opts)
		return false;
	if (s.dashdash)
		return s.ltrace_opts;
	if (s.operand < argc)
		return !is_script(argv[s.operand]);
	/* -p PID alone traces it, as ltrace does; --repl -p PID attaches the REPL. */
	return s.ltrace_opts || s.pid;
}

int cli_ltrace_parse(int argc, char **argv, struct cli *c)
{
	static char code[] = "return require('ltrace').main(...)";
	int first = argc > 1 && !strcmp(argv[1], "--ltrace") ? 2 : 1;
	struct scan s;

	memset(c, 0, sizeof(*c));
	scan(argc - (first - 1), argv + (first - 1), &s);
	c->mode = CLI_ONELINER;
	c->script = code;
	c->script_args = argv + first;
	c->nscript_args = argc - first;
	c->pid = s.pid;
	c->follow = s.follow;
	if (s.operand + first - 1 < argc && !s.info)
		c->command = argv + s.operand + first - 1;
	/* ltrace.lua validates -p and refuses it together with a command, with a message. */
	if (c->pid < 0 || c->command)
		c->pid = 0;
	return 0;
}
