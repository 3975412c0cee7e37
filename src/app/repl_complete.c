/* Tab completion. readline splits words at quotes and parentheses (so the spec inside
 * probe("...") is one word) but not at ':' or '.': the word is then a probe spec or a
 * dotted Lua name, completed by what its prefix says it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include <readline/readline.h>
#include "elf_symbols.h"
#include "libpath.h"
#include "provider.h"
#include "repl_complete.h"
#include "syscall_names.h"
#include "tracefs.h"

static struct lua_State *cL;
static int cpid;

/* What completes a word with no ':' or '.': the kinds of probe specs, as their providers
 * spell them (long names; the short forms are for typing, not for offering), and the
 * prelude's own: interval:, begin, end ... */
static const char *const prelude_kinds[] = { "interval:", "begin", "end", NULL };

static char **matches;
static size_t nmatches, cap;

static void add_match(const char *s)
{
	if (nmatches + 1 >= cap) {
		char **m = realloc(matches, (cap ? cap * 2 : 64) * sizeof(*matches));

		if (!m)
			return;
		matches = m;
		cap = cap ? cap * 2 : 64;
	}
	matches[nmatches] = strdup(s);
	if (matches[nmatches])
		nmatches++;
}

static void add_unique(const char *s)
{
	for (size_t i = 0; i < nmatches; i++)
		if (!strcmp(matches[i], s))
			return;
	add_match(s);
}

static void add_lib(const char *name, const char *path, void *ctx)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s%s:", (const char *)ctx, name);
	add_unique(buf);
}

/* "call:lib" -> libraries; "call:libc:ma" -> functions of libc. */
static void complete_function(const char *text, const char *first, const char *last)
{
	char prefix[512], lib[4096], path[4096], glob[600];
	struct elf_func_list list = {};

	snprintf(prefix, sizeof(prefix), "%.*s", (int)(first - text + 1), text);
	if (first == last) {
		libpath_each(first + 1, cpid, add_lib, prefix);
		return;
	}
	snprintf(lib, sizeof(lib), "%.*s", (int)(last - first - 1), first + 1);
	if (libpath_resolve(lib, cpid, path, sizeof(path), NULL, 0))
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

/* "tracepoint:sch" -> categories ("tracepoint:sched:"); "tracepoint:sched:sched_s" ->
 * events. The kind's short form t: completes the same way. */
static void complete_tracepoint(const char *text, const char *first, const char *last)
{
	struct tp_names l = {};
	char cat[256], name[256], err[256], buf[1024];
	int kind = first - text + 1;
	bool events = first != last;

	snprintf(cat, sizeof(cat), "%.*s%s", events ? (int)(last - first - 1) : (int)strlen(first + 1),
		 first + 1, events ? "" : "*");
	snprintf(name, sizeof(name), "%s*", events ? last + 1 : "");
	if (tracefs_match(cat, name, &l, err, sizeof(err)))
		return;
	for (size_t i = 0; i < l.n; i++) {
		if (events)
			snprintf(buf, sizeof(buf), "%.*s%s:%s", kind, text, l.v[i].category,
				 l.v[i].name);
		else
			snprintf(buf, sizeof(buf), "%.*s%s:", kind, text, l.v[i].category);
		add_unique(buf);
	}
	tp_names_free(&l);
}

static void complete_syscall(const char *text, const char *first)
{
	size_t len = strlen(first + 1);
	char buf[256];

	for (size_t i = 0; i < syscall_count(); i++) {
		int nr;
		const char *name = syscall_at(i, &nr);

		if (name && !strncmp(name, first + 1, len)) {
			snprintf(buf, sizeof(buf), "%.*s%s", (int)(first - text + 1), text, name);
			add_match(buf);
		}
	}
}

static void complete_spec(const char *text)
{
	const char *first = strchr(text, ':'), *last = strrchr(text, ':');
	size_t kind = first - text;

	if ((kind == 10 && !strncmp(text, "tracepoint", kind)) || (kind == 1 && *text == 't'))
		complete_tracepoint(text, first, last);
	else if (kind == 7 && !strncmp(text, "syscall", kind) && first == last)
		complete_syscall(text, first);
	else
		complete_function(text, first, last);
}

/* "pri" -> the globals; "string.fo" -> the fields of the global table string. */
static void complete_lua(const char *text)
{
	const char *dot = strrchr(text, '.');
	size_t len = strlen(dot ? dot + 1 : text);

	if (dot && strchr(text, '.') != dot)
		return;		/* a.b.c: one level only */
	lua_pushglobaltable(cL);
	if (dot) {
		lua_pushlstring(cL, text, dot - text);
		lua_rawget(cL, -2);
		lua_remove(cL, -2);
		if (!lua_istable(cL, -1)) {
			lua_pop(cL, 1);
			return;
		}
	}
	lua_pushnil(cL);
	while (lua_next(cL, -2)) {
		const char *k = lua_type(cL, -2) == LUA_TSTRING ? lua_tostring(cL, -2) : NULL;

		if (k && !strncmp(k, dot ? dot + 1 : text, len)) {
			char buf[512];

			snprintf(buf, sizeof(buf), "%.*s%s%s", dot ? (int)(dot - text + 1) : 0, text,
				 k, lua_isfunction(cL, -1) ? "(" : "");
			add_match(buf);
		}
		lua_pop(cL, 1);
	}
	lua_pop(cL, 1);
}

static char *next_match(const char *text, int state)
{
	static size_t i;

	if (!state)
		i = 0;
	return i < nmatches ? strdup(matches[i++]) : NULL;
}

/* "call:", "profile:hz:", "offcpu" (a kind that takes nothing has no ':'). */
static void complete_kind(const char *text)
{
	static const char *const suffix[] = { [SPEC_FORM_HZ] = ":hz:", [SPEC_FORM_NONE] = "" };
	const struct spec_kind *k;
	char word[64];

	for (size_t i = 0; (k = provider_kind_at(i)); i++) {
		snprintf(word, sizeof(word), "%s%s", k->name, suffix[k->form] ? suffix[k->form] : ":");
		if (!strncmp(word, text, strlen(text)))
			add_match(word);
	}
	for (const char *const *pk = prelude_kinds; *pk; pk++)
		if (!strncmp(*pk, text, strlen(text)))
			add_match(*pk);
}

static char **complete(const char *text, int start, int end)
{
	for (size_t i = 0; i < nmatches; i++)
		free(matches[i]);
	nmatches = 0;
	rl_attempted_completion_over = 1;
	if (strchr(text, ':')) {
		complete_spec(text);
	} else {
		if (!strchr(text, '.'))
			complete_kind(text);
		complete_lua(text);
	}
	/* A unique match that goes on (a "lib:", a "call(") takes no space after it. */
	if (nmatches == 1 && strchr(":(", matches[0][strlen(matches[0]) - 1]))
		rl_completion_suppress_append = 1;
	return rl_completion_matches(text, next_match);
}

void repl_complete_init(struct lua_State *L, int pid)
{
	cL = L;
	cpid = pid;
	rl_attempted_completion_function = complete;
	rl_basic_word_break_characters = " \t\n\"'([{,=";
	rl_completer_quote_characters = "";
}
