/*
 * evloop - epoll and timer heap, see evloop.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "xalloc.h"

struct evloop_watcher {
	evloop_fd_cb *cb;
	void *arg;
	unsigned events;
	int active;
};

struct evloop_timer {
	int64_t when;
	uint64_t seq;        /* ties broken in order of creation */
	size_t index;        /* position in the heap */
	evloop_timer_cb *cb;
	void *arg;
};

struct evloop {
	int epfd;
	struct evloop_watcher *w;
	size_t nw;
	struct evloop_timer **heap;
	size_t nheap, capheap;
	uint64_t seq;
	int64_t now;
	int running;
};

int64_t
evloop_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct evloop *
evloop_new(void)
{
	struct evloop *loop = xcalloc(1, sizeof(*loop));

	if ((loop->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		free(loop);
		return NULL;
	}
	loop->now = evloop_clock_ms();
	return loop;
}

void
evloop_free(struct evloop *loop)
{
	if (loop == NULL)
		return;
	for (size_t i = 0; i < loop->nheap; i++)
		free(loop->heap[i]);
	free(loop->heap);
	free(loop->w);
	close(loop->epfd);
	free(loop);
}

static uint32_t
to_epoll(unsigned events)
{
	return ((events & EVLOOP_READ) ? EPOLLIN : 0) | ((events & EVLOOP_WRITE) ? EPOLLOUT : 0);
}

int
evloop_watch(struct evloop *loop, int fd, unsigned events, evloop_fd_cb *cb, void *arg)
{
	struct epoll_event ev;
	struct evloop_watcher *w;

	if (fd < 0)
		return -1;
	if ((size_t)fd >= loop->nw) {
		size_t n = loop->nw ? loop->nw : 64;

		while (n <= (size_t)fd)
			n *= 2;
		loop->w = xreallocarray(loop->w, n, sizeof(*loop->w));
		memset(loop->w + loop->nw, 0, (n - loop->nw) * sizeof(*loop->w));
		loop->nw = n;
	}
	w = &loop->w[fd];
	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.fd = fd;
	if (w->active && w->events == events) {
		w->cb = cb;
		w->arg = arg;
		return 0;
	}
	if (epoll_ctl(loop->epfd, w->active ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	w->cb = cb;
	w->arg = arg;
	w->events = events;
	w->active = 1;
	return 0;
}

void
evloop_unwatch(struct evloop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nw || !loop->w[fd].active)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&loop->w[fd], 0, sizeof(loop->w[fd]));
}

/* Timer heap ordered by (when, seq). */
static int
timer_before(const struct evloop_timer *a, const struct evloop_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void
heap_set(struct evloop *loop, size_t i, struct evloop_timer *t)
{
	loop->heap[i] = t;
	t->index = i;
}

static void
heap_up(struct evloop *loop, size_t i)
{
	struct evloop_timer *t = loop->heap[i];

	while (i > 0 && timer_before(t, loop->heap[(i - 1) / 2])) {
		heap_set(loop, i, loop->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(loop, i, t);
}

static void
heap_down(struct evloop *loop, size_t i)
{
	struct evloop_timer *t = loop->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap && timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_before(loop->heap[c], t))
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

static void
heap_remove(struct evloop *loop, struct evloop_timer *t)
{
	size_t i = t->index;
	struct evloop_timer *last = loop->heap[--loop->nheap];

	if (last != t) {
		heap_set(loop, i, last);
		heap_down(loop, i);
		heap_up(loop, last->index);
	}
}

struct evloop_timer *
evloop_timer_add(struct evloop *loop, int64_t msec, evloop_timer_cb *cb, void *arg)
{
	struct evloop_timer *t = xmalloc(sizeof(*t));

	if (loop->nheap == loop->capheap) {
		loop->capheap = loop->capheap ? loop->capheap * 2 : 16;
		loop->heap = xreallocarray(loop->heap, loop->capheap, sizeof(struct evloop_timer *));
	}
	t->when = evloop_clock_ms() + (msec > 0 ? msec : 0);
	t->seq = loop->seq++;
	t->cb = cb;
	t->arg = arg;
	heap_set(loop, loop->nheap++, t);
	heap_up(loop, t->index);
	return t;
}

void
evloop_timer_cancel(struct evloop *loop, struct evloop_timer *t)
{
	if (t == NULL)
		return;
	heap_remove(loop, t);
	free(t);
}

int64_t
evloop_now(const struct evloop *loop)
{
	return loop->now;
}

void
evloop_stop(struct evloop *loop)
{
	loop->running = 0;
}

/* run_timers - fire every timer that is due; timers added by callbacks
 * with zero delay wait for the next iteration, so I/O is never starved */
static void
run_timers(struct evloop *loop)
{
	uint64_t limit = loop->seq;

	while (loop->running && loop->nheap > 0 && loop->heap[0]->when <= loop->now
	    && loop->heap[0]->seq < limit) {
		struct evloop_timer *t = loop->heap[0];
		evloop_timer_cb *cb = t->cb;
		void *arg = t->arg;

		heap_remove(loop, t);
		free(t);
		cb(loop, arg);
	}
}

int
evloop_run(struct evloop *loop)
{
	struct epoll_event evs[256];

	loop->running = 1;
	while (loop->running) {
		int timeout = -1, n;

		if (loop->nheap > 0) {
			int64_t d = loop->heap[0]->when - evloop_clock_ms();

			timeout = d <= 0 ? 0 : d > 60000 ? 60000 : (int)d;
		}
		n = epoll_wait(loop->epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout);
		if (n < 0 && errno != EINTR) {
			log_error("epoll_wait");
			return -1;
		}
		loop->now = evloop_clock_ms();
		for (int i = 0; i < n && loop->running; i++) {
			int fd = evs[i].data.fd;
			struct evloop_watcher *w;
			unsigned events = 0;

			if ((size_t)fd >= loop->nw || !(w = &loop->w[fd])->active)
				continue;   /* removed by an earlier callback */
			if (evs[i].events & EPOLLIN)
				events |= EVLOOP_READ;
			if (evs[i].events & EPOLLOUT)
				events |= EVLOOP_WRITE;
			if (evs[i].events & (EPOLLERR | EPOLLHUP))
				events |= EVLOOP_ERROR;
			w->cb(loop, fd, events, w->arg);
		}
		run_timers(loop);
	}
	return 0;
}
