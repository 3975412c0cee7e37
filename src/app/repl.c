/* The REPL, after lua.c: a line is first tried as `return <line>` so expressions print;
 * an incomplete statement (error ending in <eof>) keeps reading with a ">>" prompt.
 * readline's callback interface lets stdin share the loop with the ring buffer. Results
 * print through lua/repl/show.lua (tables with their contents); `help [TOPIC]` is
 * lua/repl/help.lua; Tab completion is repl_complete.c's. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lua.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "loop.h"
#include "repl.h"
#include "repl_complete.h"
#include "repl_lines.h"
#include "script.h"
#include "session.h"

#define PROMPT "ltrace> "
#define PROMPT_MORE ">> "

static struct session *repl_s;
static lua_State *repl_L;	/* the script's state, where lines run */
static bool tty;	/* readline on a terminal, repl_lines.c otherwise */
static char *pending;	/* an incomplete statement being continued */
static int sigints;

static bool incomplete(lua_State *L, int status)
{
	size_t len;
	const char *msg;

	if (status != LUA_ERRSYNTAX)
		return false;
	msg = lua_tolstring(L, -1, &len);
	return len >= 5 && !strcmp(msg + len - 5, "<eof>");
}

static void print_results(lua_State *L, int base)
{
	int n = lua_gettop(L) - base;

	if (n <= 0)
		return;
	/* A call's results fill the stack to the brim (lua_pcall's promise stops there). */
	if (!lua_checkstack(L, 1)) {
		fprintf(stderr, "too many results to print (%d)\n", n);
		return;
	}
	/* show(...) prints like print(), tables with their contents. */
	lua_getglobal(L, "require");
	lua_pushliteral(L, "repl.show");
	if (script_pcall(L, 1, 1) != LUA_OK) {
		script_report(L, "printing", "results");
		return;
	}
	lua_insert(L, base + 1);
	if (script_pcall(L, n, 0) != LUA_OK)
		script_report(L, "printing", "results");
}

static void report(lua_State *L, int base)
{
	int len;
	const char *msg = script_message(L, -1, &len);

	fprintf(stderr, "%.*s\n", len, msg);
	lua_settop(L, base);
}

/* "help" and "help TOPIC" are commands, as in a shell's prompt: help("TOPIC"). */
static char *help_command(const char *code)
{
	char topic[64], *call = NULL;
	int end = 0;

	code += strspn(code, " \t");
	if (strncmp(code, "help", 4) || !strchr(" \t", code[4]))
		return NULL;
	if (!code[4 + strspn(code + 4, " \t")])
		return strdup("help()");
	if (sscanf(code + 4, " %63[a-z] %n", topic, &end) != 1 || code[4 + end])
		return NULL;
	return asprintf(&call, "help('%s')", topic) < 0 ? NULL : call;
}

static void execute(const char *code)
{
	lua_State *L = repl_L;
	int base = lua_gettop(L), status;
	char *ret = NULL, *help = help_command(code);

	if (help) {
		code = help;
		status = script_load_string(L, code, "=stdin");
		free(help);
		if (status != LUA_OK || script_pcall(L, 0, 0) != LUA_OK)
			report(L, base);
		lua_settop(L, base);
		return;
	}
	if (asprintf(&ret, "return %s;", code) > 0 &&
	    script_load_string(L, ret, "=stdin") == LUA_OK) {
		free(ret);
	} else {
		free(ret);
		lua_settop(L, base);
		status = script_load_string(L, code, "=stdin");
		if (incomplete(L, status)) {
			lua_settop(L, base);
			pending = strdup(code);
			if (tty)
				rl_set_prompt(PROMPT_MORE);
			return;
		}
		if (status != LUA_OK) {
			report(L, base);
			return;
		}
	}
	if (script_pcall(L, 0, LUA_MULTRET) != LUA_OK) {
		report(L, base);
		return;
	}
	print_results(L, base);
	lua_settop(L, base);
}

static void on_line(char *line)
{
	char *code;

	if (!line) {	/* EOF: Ctrl-D */
		if (tty)
			putchar('\n');
		session_stop(repl_s, 0);
		return;
	}
	sigints = 0;
	if (*line)
		add_history(line);
	if (pending) {
		if (asprintf(&code, "%s\n%s", pending, line) < 0)
			code = NULL;
		free(pending);
		pending = NULL;
		if (tty)
			rl_set_prompt(PROMPT);
	} else {
		code = strdup(line);
	}
	free(line);
	if (code)
		execute(code);
	free(code);
}

static bool on_plain_line(char *line)
{
	on_line(line);
	return !repl_s->stopping;
}

static void on_plain_end(int status)
{
	session_stop(repl_s, status);
}

/* readline reads stdin itself: only call it when a byte is really there (a Ctrl-C may have
 * flushed the typed text since epoll said so), or it blocks the whole loop. */
static void on_stdin(void *ctx, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 0) > 0)
		rl_callback_read_char();
}

/* ---- lifecycle ------------------------------------------------------------------------ */

int repl_start(struct session *s, struct lua_State *L)
{
	repl_s = s;
	repl_L = L;
	rl_readline_name = "ltrace-ebpf";
	repl_complete_init(L, s->opts.pid);
	/* help() at the prompt; a bare `help` line is help_command()'s. */
	if (script_load_string(L, "help = require('repl.help')", "=repl") != LUA_OK ||
	    script_pcall(L, 0, 0) != LUA_OK)
		report(L, lua_gettop(L) - 1);
	tty = isatty(STDIN_FILENO);
	if (!tty)
		return repl_lines_start(s->loop, STDIN_FILENO, on_plain_line, on_plain_end);
	using_history();
	printf("ltrace-ebpf REPL: Lua 5.4 with probe(), on(), every() ... "
	       "Ctrl-D or exit() leaves.\n");
	rl_callback_handler_install(PROMPT, on_line);
	return loop_add_fd(s->loop, STDIN_FILENO, on_stdin, s);
}

void repl_stop(void)
{
	if (tty) {
		rl_callback_handler_remove();
		loop_del_fd(repl_s->loop, STDIN_FILENO);
	} else {
		repl_lines_stop();
	}
	free(pending);
	pending = NULL;
}

void repl_sigint(struct session *s)
{
	if (++sigints >= 2) {
		printf("\n");
		session_stop(s, 0);
		return;
	}
	free(pending);
	pending = NULL;
	printf("\n(Ctrl-C again or exit() to leave)\n");
	if (!tty)
		return;
	rl_replace_line("", 0);
	rl_set_prompt(PROMPT);
	rl_on_new_line();
	rl_redisplay();
}

void repl_redisplay(void)
{
	if (!repl_s || !tty)
		return;
	rl_on_new_line();
	rl_redisplay();
}
