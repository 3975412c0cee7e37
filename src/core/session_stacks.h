/* The session's stack context (src/stacks/stack.h): one per session, created on first use,
 * reading stack ids from the session's maps. */
#ifndef LT_SESSION_STACKS_H
#define LT_SESSION_STACKS_H

#include <stdint.h>

struct session;
struct stack_ctx;

/* The session's stack context, created on first use (which also starts following mmaps,
 * so processes that exit keep their maps). NULL and errno on failure. */
struct stack_ctx *stack_ctx_get(struct session *s);
/* Maps records the symbolizer lost (0 when the session never symbolized a stack). */
uint64_t stack_maps_lost(struct session *s);

#endif
