/* The phases of a run. Order matters: the target is forked (held before exec) first so
 * its pid is known when probes attach; the script attaches probes; begin handlers run;
 * then the target is released, so not even its constructors run untraced. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lua.h>
#include "cli.h"
#include "dash.h"
#include "detach.h"
#include "json_out.h"
#include "l_json.h"
#include "kfeature_report.h"
#include "l_span.h"
#include "loop.h"
#include "metrics.h"
#include "otlp.h"
#include "output_guard.h"
#include "probe.h"
#include "repl.h"
#include "run.h"
#include "script.h"
#include "session.h"
#include "signals.h"
#include "target.h"
#include "web.h"
#include "web_ndjson.h"

struct run {
	const struct cli *c;
	struct session *s;
	struct metrics *metrics;	/* --metrics: the /metrics server, or NULL */
	struct web *web;		/* --http: the page's server, or NULL */
	struct web_ndjson *ndjson;	/* --ndjson-fd: the records' writer, or NULL */
	struct json_out *json;		/* --json: the NDJSON output, or NULL */
	struct otlp *otlp;	/* --otlp: the span sender, or NULL */
	struct dash *dash;	/* --dashboard: the terminal view, or NULL */
	lua_State *L;		/* the script's state (script_new), on the session */
	struct target t;
	bool have_target;
};

static void target_gone(struct run *r)
{
	/* An attached target (-p) that ends with our Ctrl-C leaves the signal's status (130,
	 * as ltrace): its own is not ours to report. The signal may be seen first (the
	 * session is stopping) or still wait in the pipe behind the pidfd's event (a
	 * terminal's Ctrl-C reaches both at once; the loop stops at the first): the handler
	 * has recorded it either way. */
	int signo = signals_stop_signo();
	bool asked = !r->t.spawned && (r->s->stopping || signo);

	if (!target_poll(&r->t))
		return;
	if (!asked)
		session_stop(r->s, r->s->exit_called ? r->s->exit_code : r->t.status);
	else if (!r->s->stopping)
		session_stop(r->s, 128 + signo);
}

static void on_pidfd(void *ctx, int fd)
{
	target_gone(ctx);
}

static void on_signal(void *ctx, int fd)
{
	struct run *r = ctx;
	struct sig_msg m;

	while (!signals_read(fd, &m)) {
		if (m.signo == SIGCHLD) {
			if (r->have_target)
				target_gone(r);
			continue;
		}
		/* A signal sent to us (not a terminal's, which the child got too, nor one of our
		 * own such as a write's SIGPIPE) is passed on. */
		if (r->t.spawned && !r->t.exited && m.code == SI_USER && m.sender != r->t.pid &&
		    m.sender != getpid() && m.signo != SIGPIPE)
			kill(r->t.pid, m.signo);
		if (m.signo == SIGINT && r->c->mode == CLI_REPL && !r->s->stopping) {
			repl_sigint(r->s);
			continue;
		}
		if (m.signo == SIGINT || m.signo == SIGTERM || m.signo == SIGHUP ||
		    m.signo == SIGQUIT || m.signo == SIGPIPE)
			session_stop(r->s, 128 + m.signo);
	}
}

/* The global `arg` table, as lua.c builds it: arg[0] the script, arg[1..] its args. */
static void set_args(lua_State *L, const struct cli *c)
{
	lua_createtable(L, c->nscript_args, 1);
	lua_pushstring(L, c->script ? c->script : "");
	lua_rawseti(L, -2, 0);
	for (int i = 0; i < c->nscript_args; i++) {
		lua_pushstring(L, c->script_args[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setglobal(L, "arg");
}

static int run_script(struct run *r)
{
	lua_State *L = r->L;
	const struct cli *c = r->c;
	int status;

	if (c->mode == CLI_REPL)
		return 0;
	status = c->mode == CLI_ONELINER ? script_load_string(L, c->script, "=-E") :
					   script_load_file(L, c->script);
	if (status == LUA_OK) {
		/* Every argument is a value on the Lua stack, which holds only LUA_MINSTACK
		 * (20) unless grown: a command line of 200 words wrote past its end. */
		if (!lua_checkstack(L, c->nscript_args + 1)) {
			fprintf(stderr, "ltrace-ebpf: too many arguments (%d) for the Lua stack\n",
				c->nscript_args);
			lua_pop(L, 1);
			return -1;
		}
		for (int i = 0; i < c->nscript_args; i++)
			lua_pushstring(L, c->script_args[i]);
		status = script_pcall(L, c->nscript_args, 0);
	}
	if (status == SCRIPT_INTERRUPTED) {	/* a stop request while the script body ran */
		lua_pop(L, 1);
		session_stop(r->s, 128 + (signals_stop_signo() ?: SIGINT));
		return 0;
	}
	if (status != LUA_OK) {
		int len;
		const char *msg = script_message(L, -1, &len);

		fprintf(stderr, "ltrace-ebpf: %.*s\n", len, msg);
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

/* The session has nothing that could ever produce work: end it after begin. */
static bool idle(struct run *r)
{
	struct session *s = r->s;

	if (r->have_target || r->c->mode == CLI_REPL || loop_user_timers(s->loop))
		return false;
	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i] && s->probes[i]->attached)
			return false;
	return true;
}

static int start_target(struct run *r, struct session_opts *o)
{
	const struct cli *c = r->c;
	int rc;

	if (c->command) {
		if ((rc = target_spawn(&r->t, c->command))) {
			fprintf(stderr, "ltrace-ebpf: cannot start '%s': %s\n", c->command[0],
				strerror(-rc));
			return rc;
		}
	} else if (c->pid) {
		if ((rc = target_attach_pid(&r->t, c->pid))) {
			fprintf(stderr, "ltrace-ebpf: -p %d: %s\n", c->pid,
				rc == -ESRCH ? "no such process" : rc == -EINVAL ?
				"a kernel thread: nothing in user space to trace" : strerror(-rc));
			return rc;
		}
	} else {
		return 0;
	}
	r->have_target = true;
	o->have_target = true;
	o->pid = r->t.pid;
	target_exe(&r->t, c->command ? c->command[0] : NULL, o->exe, sizeof(o->exe));
	return 0;
}

static int release_target(struct run *r)
{
	int rc;

	if (!r->t.spawned)
		return 0;
	r->t.stdout_to_stderr = json_out_is_stdout(l_json_out(r->L));
	if ((rc = target_release(&r->t))) {
		fprintf(stderr, "ltrace-ebpf: cannot run '%s': %s\n", r->c->command[0],
			strerror(-rc));
		return rc;
	}
	return 0;
}

static int setup_loop(struct run *r)
{
	int sigfd = signals_open(r->c->mode == CLI_REPL), rc;

	if (sigfd < 0)
		rc = sigfd;
	else if (!(rc = loop_add_fd(r->s->loop, sigfd, on_signal, r)) &&
		 !(rc = loop_fd_first(r->s->loop, sigfd)) && r->have_target && r->t.pidfd >= 0)
		rc = loop_add_fd(r->s->loop, r->t.pidfd, on_pidfd, r);
	if (rc)	/* EMFILE under a low limit: say so, not a silent exit 1 */
		fprintf(stderr, "ltrace-ebpf: cannot set up the event loop: %s\n", strerror(-rc));
	return rc;
}

static int exit_status(struct run *r)
{
	struct session *s = r->s;

	if (s->error)
		return 1;
	if (r->t.spawned && !s->exit_called) {
		if (!r->t.exited)
			target_poll(&r->t);
		return r->t.exited ? r->t.status : s->exit_code;
	}
	return s->exit_code;
}

static int run_phases(struct run *r)
{
	struct session *s = r->s;
	int status;

	if (setup_loop(r) || run_script(r))
		return 1;
	status = script_call_phase(r->L, "begin");
	if (status == SCRIPT_INTERRUPTED) {	/* Ctrl-C in a begin handler: a stop, as anywhere */
		lua_pop(r->L, 1);
		session_stop(s, 128 + (signals_stop_signo() ?: SIGINT));
	} else if (status != LUA_OK) {
		script_report(r->L, "begin", "handler");
		return 1;
	}
	metrics_refresh(r->metrics);	/* scrapes see the script's probes even before the loop runs */
	web_refresh(r->web);
	if ((r->c->out.dashboard || dash_wanted(r->L)) && !(r->dash = dash_open(s, r->L)))
		return 1;
	if (release_target(r))
		return 127;
	if (r->c->mode == CLI_REPL && repl_start(s, r->L))
		return 1;
	if (!s->stopping && !idle(r))
		loop_run(s->loop);
	if (r->c->mode == CLI_REPL)
		repl_stop();
	dash_close(r->dash);	/* the terminal back before the end handlers print */
	r->dash = NULL;
	s->stopping = false;	/* let the last records reach their callbacks */
	session_drain(s);
	s->stopping = true;
	if (script_call_phase(r->L, "finish") != LUA_OK) {
		script_report(r->L, "end", "handler");
		return 1;
	}
	return exit_status(r);
}

/* --json: started before the script runs (l_json.h says what that does). */
static void start_json(struct run *r)
{
	const struct cli *c = r->c;

	l_json_start(r->L, r->json, c->mode == CLI_SCRIPT ? c->script : NULL,
		     r->have_target ? r->t.pid : 0, c->command);
}

int run_session(const struct cli *c)
{
	struct session_opts o = { .follow = c->follow, .keep_going = c->keep_going,
				  .repl = c->mode == CLI_REPL, .verbose = c->verbose };
	struct metrics_opts mo = { .addr = c->out.metrics.addr, .public_ok = c->out.metrics.public_ok,
				   .token_file = c->out.metrics.token_file,
				   .max_series = c->out.metrics.max_series };
	struct run r = { .c = c };
	int status;
	struct web_opts wo = { .addr = c->out.web.addr, .public_ok = c->out.web.public_ok,
			       .token_file = c->out.web.token_file, .jwt_key = c->out.web.jwt_key,
			       .keep = c->out.web.keep };

	/* Bound before anything starts: a bad address or a port in use leaves nothing behind. */
	if (c->out.metrics.addr && !(r.metrics = metrics_open(&mo)))
		return 1;
	if (c->out.otlp && !(r.otlp = otlp_open(c->out.otlp))) {
		metrics_close(r.metrics);
		return 1;
	}
	if (c->out.web.addr && !(r.web = web_open(&wo))) {
		metrics_close(r.metrics);
		otlp_close(r.otlp);
		return 1;
	}
	if (c->out.json.on && !(r.json = json_out_open(c->out.json.path))) {
		web_close(r.web);
		otlp_close(r.otlp);
		metrics_close(r.metrics);
		return 1;
	}
	if (start_target(&r, &o)) {
		web_close(r.web);
		metrics_close(r.metrics);
		otlp_close(r.otlp);
		json_out_close(r.json);
		return 1;
	}
	r.s = session_new(&o);
	if (!r.s)
		fprintf(stderr, "ltrace-ebpf: cannot start the session: %s\n", strerror(errno));
	if (r.s && c->verbose)	/* the kernel's features and the paths they choose */
		kfeature_report(r.s);
	if (r.s)
		r.L = script_new(r.s);
	if (r.L && c->out.web.ndjson && !(r.ndjson = web_ndjson_open(r.s, c->out.web.ndjson_fd)))
		fprintf(stderr, "ltrace-ebpf: --ndjson-fd: %s\n", strerror(errno));
	if (!r.L || metrics_attach(r.metrics, r.s) || web_attach(r.web, r.s) ||
	    (c->out.web.ndjson && !r.ndjson)) {
		web_close(r.web);
		metrics_close(r.metrics);
		otlp_close(r.otlp);
		target_abort(&r.t);
		if (r.L)
			script_close(r.L);
		session_free(r.s);
		web_ndjson_close(r.ndjson);
		json_out_close(r.json);
		return 1;
	}
	set_args(r.L, c);
	l_span_attach(r.L, r.otlp);
	if (r.json)
		start_json(&r);
	status = run_phases(&r);
	l_span_detach();	/* the calls still waiting for a parent go to the sender */
	dash_close(r.dash);	/* a phase that failed after the view opened */
	r.json = l_json_out(r.L);	/* --json's, or one a tool's -j started */
	json_out_end(r.json, status);	/* the last line, and the sink given back */
	web_close(r.web);	/* its threads read the session's maps: stop them first */
	metrics_close(r.metrics);	/* the same */
	otlp_close(r.otlp);	/* after metrics, which reads its counters */
	detach_all(r.s);	/* before the exit: nothing of ours stays in a traced process */
	if (status && r.t.spawned && r.t.gate_fd >= 0)
		target_abort(&r.t);	/* never started: do not leave it waiting */
	script_close(r.L);
	session_free(r.s);
	web_ndjson_close(r.ndjson);	/* its tap was the session's until the session went */
	target_close(&r.t);
	json_out_close(r.json);
	if (output_guard_was_cut())
		fprintf(stderr, "ltrace-ebpf: output stalled after the stop request; what was "
			"left to write was discarded\n");
	return status;
}

/* A test's helpers sit beside it: its directory goes first on package.path. */
static void add_script_dir(lua_State *L, const char *script)
{
	const char *slash = strrchr(script, '/');

	lua_getglobal(L, "package");					/* pkg */
	lua_getfield(L, -1, "path");					/* pkg path */
	lua_pushfstring(L, "%s/?.lua;%s", slash ? lua_pushlstring(L, script, slash - script) : ".",
			lua_tostring(L, -2));				/* pkg path dir new */
	lua_setfield(L, -4, "path");					/* pkg path dir */
	lua_pop(L, 3);
}

/* --lua-test FILE: run a Lua test with the embedded library, no kernel session. */
int run_lua_test(const struct cli *c)
{
	struct session_opts o = {};
	struct session *s = session_new(&o);
	lua_State *L = s ? script_new(s) : NULL;
	int status = 1;

	if (L) {
		set_args(L, c);
		add_script_dir(L, c->script);
		status = run_script(&(struct run){ .c = c, .s = s, .L = L }) ? 1 : 0;
		script_close(L);
	}
	session_free(s);
	return status;
}

int run_list(const struct cli *c)
{
	struct session_opts o = { .pid = c->pid };
	struct session *s = session_new(&o);
	lua_State *L = s ? script_new(s) : NULL;
	int status = 1;

	if (L) {
		lua_getglobal(L, "list");
		lua_pushstring(L, c->list);
		status = script_pcall(L, 1, 1);
		if (status != LUA_OK)
			fprintf(stderr, "ltrace-ebpf: %s\n", lua_tostring(L, -1));
		else
			status = lua_toboolean(L, -1) ? 0 : 1;
		script_close(L);
	}
	session_free(s);
	return status;
}
