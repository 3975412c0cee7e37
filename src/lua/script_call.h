/* Calling into a script's state: the one protected way to call Lua, error reports, the
 * session a state belongs to, the prelude's phases. What the modules Lua calls need
 * (script.h builds the state and includes this). */
#ifndef LT_SCRIPT_CALL_H
#define LT_SCRIPT_CALL_H

#include <stdbool.h>

struct lua_State;
struct session;

/* lua_pcall with a traceback handler; the error message stays on the stack on failure.
 * Ctrl-C during the call raises "interrupted" through a debug hook: the status is then
 * SCRIPT_INTERRUPTED. */
int script_pcall(struct lua_State *L, int nargs, int nresults);
#define SCRIPT_INTERRUPTED (-1)
/* After a callback's script_pcall: true when it failed (reported and popped). An
 * interrupted callback is no failure: the signal that interrupted it stops the session. */
bool script_callback_failed(struct lua_State *L, int status, const char *what, const char *who);
/* Prints and pops the error on top of the stack: "ltrace-ebpf: <what> <who>: <message>". */
void script_report(struct lua_State *L, const char *what, const char *who);
/* The error message at idx without its traceback unless verbose (-v): one clear line. */
const char *script_message(struct lua_State *L, int idx, int *len);
extern bool script_verbose;
/* Asks a running pcall to stop at the next hook (signal-safe). */
void script_interrupt(struct lua_State *L);
/* Asks a running pcall to stop if it still runs MS milliseconds from now (signal-safe):
 * a session's stop lets the callback or report running then finish what it started. */
void script_interrupt_after(unsigned ms);
bool script_running(void);
/* The session a state belongs to (set once, by script_new). */
struct session *script_session(struct lua_State *L);
void script_set_session(struct lua_State *L, struct session *s);
/* A C pointer kept in the state's registry under a module's own key (NULL: none). */
void *script_registry_ptr(struct lua_State *L, const void *key);
void script_set_registry_ptr(struct lua_State *L, const void *key, void *p);
/* The prelude's table of phase functions, popped from the stack (by script_new). */
void script_set_phases(struct lua_State *L);
/* Calls prelude function `name` (begin/finish/...) with no args; Lua status. */
int script_call_phase(struct lua_State *L, const char *name);

#endif
