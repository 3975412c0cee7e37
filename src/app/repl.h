/* The interactive prompt: readline's callback interface on stdin inside the event loop,
 * so events keep streaming while the user types. */
#ifndef LT_REPL_H
#define LT_REPL_H

struct lua_State;
struct session;

/* Reads lines into L, the script's state, from the loop of session s. */
int repl_start(struct session *s, struct lua_State *L);
void repl_stop(void);
/* SIGINT at the prompt (not while Lua runs): clear the line; the second one leaves. */
void repl_sigint(struct session *s);
/* Called after events were printed, to redraw the prompt and the line being typed. */
void repl_redisplay(void);

#endif
