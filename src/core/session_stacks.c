/* The session's stack context: owned through session_own_object (destroyed after every
 * link, before the owner's maps), reading stack ids from the owner's stack maps. The
 * stacks layer below knows no session. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "loop.h"
#include "session.h"
#include "session_stacks.h"
#include "shared_maps.skel.h"
#include "stack.h"

static const char ctx_key;

#define WATCH_FDS_MAX 1024	/* one side-band ring per CPU */

/* A side-band ring is half full: the symbolizer takes in the machine's new mappings now.
 * Read only when a stack is, they held seconds of a busy build (exited processes' frames
 * were left unnamed, counted as maps_lost). */
static void on_watch_ring(void *ctx, int fd)
{
	stack_ctx_sync(ctx);
}

/* What the session owns: the context and the loop that watches its rings. */
struct owned_ctx {
	struct stack_ctx *c;
	struct loop *loop;
};

/* The rings leave the loop before the context closes them: the loop would otherwise
 * remove fds already closed at its end (or another file's, had the number come back). */
static void ctx_destroy(void *obj)
{
	struct owned_ctx *o = obj;
	int fds[WATCH_FDS_MAX], n;

	n = o->loop ? stack_ctx_watch_fds(o->c, fds, WATCH_FDS_MAX) : 0;
	for (int i = 0; i < n; i++)
		loop_del_fd(o->loop, fds[i]);
	stack_ctx_free(o->c);
	free(o);
}

static int stack_map_fd(void *owner, bool hashed)
{
	struct session *s = owner;

	if (!s->skel)
		return -1;
	return session_map_fd(s, hashed ? s->skel->maps.lt_stack_frames : s->skel->maps.lt_stacks);
}

uint64_t stack_maps_lost(struct session *s)
{
	struct owned_ctx *o = session_object(s, &ctx_key);

	return o ? stack_ctx_lost(o->c) : 0;
}

struct stack_ctx *stack_ctx_get(struct session *s)
{
	struct owned_ctx *o = session_object(s, &ctx_key);
	int fds[WATCH_FDS_MAX], n;

	if (o)
		return o->c;
	if (!(o = calloc(1, sizeof(*o))) || !(o->c = stack_ctx_new(stack_map_fd, s))) {
		free(o);
		errno = ENOMEM;
		return NULL;
	}
	if (session_own_object(s, &ctx_key, o, ctx_destroy)) {
		ctx_destroy(o);
		errno = ENOMEM;
		return NULL;
	}
	/* The loop outlives the object (session_free). An fd it cannot watch leaves its ring
	 * read when a stack is: records lost, counted, are the only cost. */
	n = s->loop ? stack_ctx_watch_fds(o->c, fds, WATCH_FDS_MAX) : 0;
	for (int i = 0; i < n; i++)
		loop_add_fd(s->loop, fds[i], on_watch_ring, o->c);
	o->loop = s->loop;
	return o->c;
}
