/* epoll + timerfd. Each watched fd has a small record (callback, context) that epoll
 * hands back; timers are fds too, so there is one wait and no timer wheel. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include "loop.h"

struct watch {
	int fd;
	loop_fd_cb cb;
	void *ctx;
	bool dead;
	bool first;	/* dispatched before the others of its batch (loop_fd_first) */
	struct watch *next;
};

struct loop_timer {
	struct watch *w;
	loop_timer_cb cb;
	void *ctx;
	bool internal;
	struct loop_timer *next;
};

struct loop {
	int epfd;
	bool stop;
	struct watch *watches;
	struct watch *graveyard;	/* removed during a batch: freed after it */
	struct loop_timer *timers;
};

static void bury(struct loop *l)
{
	while (l->graveyard) {
		struct watch *w = l->graveyard;

		l->graveyard = w->next;
		free(w);
	}
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	while (l->timers)
		loop_del_timer(l, l->timers);
	while (l->watches)
		loop_del_fd(l, l->watches->fd);
	bury(l);
	close(l->epfd);
	free(l);
}

int loop_add_fd(struct loop *l, int fd, loop_fd_cb cb, void *ctx)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = EPOLLIN };

	if (!w)
		return -ENOMEM;
	*w = (struct watch){ .fd = fd, .cb = cb, .ctx = ctx, .next = l->watches };
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		free(w);
		return -errno;
	}
	l->watches = w;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	for (struct watch **pw = &l->watches; *pw; pw = &(*pw)->next) {
		if ((*pw)->fd == fd) {
			struct watch *w = *pw;

			epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
			*pw = w->next;
			w->dead = true;
			w->next = l->graveyard;
			l->graveyard = w;
			return;
		}
	}
}

static void timer_fired(void *ctx, int fd)
{
	struct loop_timer *t = ctx;
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	t->cb(t->ctx, t);
}

struct loop_timer *loop_add_timer(struct loop *l, uint64_t period_ns, bool periodic,
				  loop_timer_cb cb, void *ctx)
{
	struct itimerspec its = { .it_value = { period_ns / 1000000000, period_ns % 1000000000 } };
	struct loop_timer *t = calloc(1, sizeof(*t));
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), err;

	if (periodic)
		its.it_interval = its.it_value;
	if (!t || fd < 0 || timerfd_settime(fd, 0, &its, NULL) ||
	    (err = loop_add_fd(l, fd, timer_fired, t))) {
		err = errno ? errno : ENOMEM;
		if (fd >= 0)
			close(fd);
		free(t);
		errno = err;
		return NULL;
	}
	t->w = l->watches;
	t->cb = cb;
	t->ctx = ctx;
	t->next = l->timers;
	l->timers = t;
	return t;
}

void loop_del_timer(struct loop *l, struct loop_timer *t)
{
	for (struct loop_timer **pt = &l->timers; *pt; pt = &(*pt)->next) {
		if (*pt == t) {
			int fd = t->w->fd;

			*pt = t->next;
			loop_del_fd(l, fd);
			close(fd);
			free(t);
			return;
		}
	}
}

void loop_timer_internal(struct loop_timer *t)
{
	t->internal = true;
}

int loop_user_timers(struct loop *l)
{
	int n = 0;

	for (struct loop_timer *t = l->timers; t; t = t->next)
		n += !t->internal;
	return n;
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[16];

	while (!l->stop) {
		int n = epoll_wait(l->epfd, evs, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (int pass = 0; pass < 2; pass++) {
			for (int i = 0; i < n && !l->stop; i++) {
				struct watch *w = evs[i].data.ptr;

				if (!w->dead && w->first == !pass)
					w->cb(w->ctx, w->fd);
			}
		}
		bury(l);
	}
	return 0;
}

int loop_fd_first(struct loop *l, int fd)
{
	for (struct watch *w = l->watches; w; w = w->next)
		if (w->fd == fd && !w->dead) {
			w->first = true;
			return 0;
		}
	return -ENOENT;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

bool loop_stopped(struct loop *l)
{
	return l->stop;
}
