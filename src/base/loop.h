/* The one event loop: epoll over file descriptors (ring buffer, signalfd, timerfds,
 * stdin for the REPL, pidfds of targets). Single-threaded; callbacks run to completion. */
#ifndef LT_LOOP_H
#define LT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_timer;

typedef void (*loop_fd_cb)(void *ctx, int fd);
typedef void (*loop_timer_cb)(void *ctx, struct loop_timer *t);

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* Watches fd for input; 0 or -errno. */
int loop_add_fd(struct loop *l, int fd, loop_fd_cb cb, void *ctx);
void loop_del_fd(struct loop *l, int fd);
/* Marks a watched fd as dispatched before the others that are ready with it: the signals'
 * pipe, so that a stop request is seen before another timer tick or batch of records
 * starts Lua code. 0 or -ENOENT. */
int loop_fd_first(struct loop *l, int fd);
/* A timer firing every period_ns (once when !periodic); NULL and errno on failure. */
struct loop_timer *loop_add_timer(struct loop *l, uint64_t period_ns, bool periodic,
				  loop_timer_cb cb, void *ctx);
void loop_del_timer(struct loop *l, struct loop_timer *t);
/* Runs until loop_stop(); 0 or -errno. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
bool loop_stopped(struct loop *l);
/* Number of user timers (not counting internal ones marked with loop_timer_internal). */
int loop_user_timers(struct loop *l);
void loop_timer_internal(struct loop_timer *t);

#endif
