/* Ring-buffer records to Lua callbacks through one reusable event view. */
#ifndef LT_EVENT_H
#define LT_EVENT_H

#include <stddef.h>

struct session;
struct lua_State;

/* Hands one record to its probe's callback; errors are reported and stop the session
 * unless it keeps going. */
void event_dispatch(struct session *s, const void *data, size_t size);
/* Registers the event and args metatables and creates the reusable views. */
void l_event_open(struct lua_State *L);

#endif
