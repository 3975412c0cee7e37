/* Ring-buffer records to Lua callbacks through one reusable event view. */
#ifndef LT_EVENT_H
#define LT_EVENT_H

#include <stddef.h>

struct session;
struct lua_State;

/* Registers the event and args metatables, creates the reusable views and makes the
 * callbacks the session's record sink. */
void l_event_open(struct lua_State *L);

#endif
