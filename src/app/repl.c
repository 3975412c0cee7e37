/* The REPL, after lua.c: a line is first tried as `return <line>` so expressions print;
 * an incomplete statement (error ending in <eof>) keeps reading with a ">>" prompt.
 * readline's callback interface lets stdin share the loop with the ring buffer. Tab
 * completes probe kinds, libraries and function names. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lua.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "elf_symbols.h"
#include "libpath.h"
#include "loop.h"
#include "repl.h"
#include "repl_lines.h"
#include "script.h"
#include "session.h"
#include "spec.h"

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
	lua_getglobal(L, "print");
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

static void execute(const char *code)
{
	lua_State *L = repl_L;
	int base = lua_gettop(L), status;
	char *ret = NULL;

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

/* ---- completion ---------------------------------------------------------------------- */

static const char *const kinds[] = { "call:", "uprobe:", "uretprobe:", "usdt:", "tracepoint:",
				     "syscall:", "interval:", "begin", "end", NULL };

static char **matches;
static size_t nmatches, cap;

static void add_match(const char *s)
{
	if (nmatches + 1 >= cap) {
		cap = cap ? cap * 2 : 64;
		matches = realloc(matches, cap * sizeof(*matches));
	}
	matches[nmatches++] = strdup(s);
}

static void add_lib(const char *name, const char *path, void *ctx)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s%s:", (const char *)ctx, name);
	for (size_t i = 0; i < nmatches; i++)
		if (!strcmp(matches[i], buf))
			return;
	add_match(buf);
}

/* "call:lib" -> libraries; "call:libc:ma" -> functions of libc. */
static void complete_spec(const char *text)
{
	const char *first = strchr(text, ':'), *last = strrchr(text, ':');
	char prefix[512], lib[4096], path[4096], glob[600];
	struct elf_func_list list = {};

	snprintf(prefix, sizeof(prefix), "%.*s", (int)(first - text + 1), text);
	if (first == last) {
		libpath_each(first + 1, repl_s->opts.pid, add_lib, prefix);
		return;
	}
	snprintf(lib, sizeof(lib), "%.*s", (int)(last - first - 1), first + 1);
	if (libpath_resolve(lib, repl_s->opts.pid, path, sizeof(path), NULL, 0))
		return;
	snprintf(glob, sizeof(glob), "%s*", last + 1);
	if (elf_funcs_match(path, glob, &list, NULL, NULL, 0))
		return;
	for (size_t i = 0; i < list.n && i < 2000; i++) {
		char buf[5000];

		snprintf(buf, sizeof(buf), "%.*s%s", (int)(last - text + 1), text, list.v[i].name);
		add_match(buf);
	}
	elf_func_list_free(&list);
}

static char *next_match(const char *text, int state)
{
	static size_t i;

	if (!state)
		i = 0;
	return i < nmatches ? strdup(matches[i++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	for (size_t i = 0; i < nmatches; i++)
		free(matches[i]);
	nmatches = 0;
	rl_attempted_completion_over = 1;
	if (!strchr(text, ':')) {
		for (const char *const *k = kinds; *k; k++)
			if (!strncmp(*k, text, strlen(text)))
				add_match(*k);
	} else {
		complete_spec(text);
	}
	if (nmatches == 1 && matches[0][strlen(matches[0]) - 1] == ':')
		rl_completion_suppress_append = 1;
	return rl_completion_matches(text, next_match);
}

/* ---- lifecycle ------------------------------------------------------------------------ */

int repl_start(struct session *s, struct lua_State *L)
{
	repl_s = s;
	repl_L = L;
	rl_readline_name = "ltrace-ebpf";
	rl_attempted_completion_function = complete;
	rl_basic_word_break_characters = " \t\n\"'([{,=";
	rl_completer_quote_characters = "";
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
