/* The Lua state scripts run in: standard libraries, the embedded lua/ modules modules found
 * through package.preload, the C core module, and the one protected way to call Lua. */
#ifndef LT_SCRIPT_H
#define LT_SCRIPT_H

#include <stdbool.h>

struct lua_State;
struct session;

struct lua_State *script_new(struct session *s);
void script_close(struct lua_State *L);
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
/* Loads (0 or a Lua status, message on the stack) a file or a string chunk. */
int script_load_file(struct lua_State *L, const char *path);
int script_load_string(struct lua_State *L, const char *code, const char *name);
/* Asks a running pcall to stop at the next hook (signal-safe). */
void script_interrupt(struct lua_State *L);
bool script_running(void);
/* The session a state belongs to. */
struct session *script_session(struct lua_State *L);
/* Calls prelude function `name` (begin/finish/...) with no args; Lua status. */
int script_call_phase(struct lua_State *L, const char *name);

#endif
