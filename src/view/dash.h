/* --dashboard: a full-screen terminal view of the session (docs/dashboard.md). It is one
 * more consumer of the session's records (it wraps the sink and calls the one it replaces)
 * and of its in-kernel aggregates (the catalog of src/core/agg_snapshot.c), drawn from the
 * session's one loop: a redraw timer, the keyboard on stdin, SIGWINCH through a self-pipe.
 * Nothing here runs on another thread. When stdout is not a terminal it prints text
 * frames instead. The web view (src/view/web_*.c) sits beside it and shares nothing yet. */
#ifndef LT_DASH_H
#define LT_DASH_H

#include <stdbool.h>

struct session;
struct lua_State;

struct dash;

/* After the script ran (its probes and panels are known), before the loop: NULL after a
 * one-line message on stderr. The terminal is restored by dash_close, or at exit. */
struct dash *dash_open(struct session *s, struct lua_State *L);
/* The script asked for the view itself (require("dashboard").show()). */
bool dash_wanted(struct lua_State *L);
/* When the loop has returned: the terminal as it was, what the script and the tool wrote
 * meanwhile replayed on stdout and stderr, the session's sink given back. NULL: nothing. */
void dash_close(struct dash *d);

#endif
