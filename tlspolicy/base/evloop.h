/*
 * evloop - one single-threaded event loop: file descriptor readiness
 * (epoll) and timers (a binary heap), with callbacks.
 *
 * Callbacks may add, change or remove watchers and timers, including
 * their own.  Time is CLOCK_MONOTONIC in milliseconds, read once per loop
 * iteration (evloop_now()).  The library provides the loop; only programs
 * run it.
 */
#ifndef TLSPOLICY_EVLOOP_H
#define TLSPOLICY_EVLOOP_H

#include <stdint.h>

#define EVLOOP_READ  0x1u
#define EVLOOP_WRITE 0x2u
#define EVLOOP_ERROR 0x4u   /* reported only: hang-up or error */

struct evloop;
struct evloop_timer;

typedef void evloop_fd_cb(struct evloop *loop, int fd, unsigned events, void *arg);
typedef void evloop_timer_cb(struct evloop *loop, void *arg);

struct evloop *evloop_new(void);
/* evloop_free - free the loop and its pending timers, whose callbacks do
 * not run; what their args point to is their owners' */
void evloop_free(struct evloop *loop);

/* evloop_watch - watch fd for events (EVLOOP_READ|EVLOOP_WRITE, or 0 to
 * pause); replaces an earlier watch of the same fd.  -1 on error.  fd
 * stays the caller's; arg is kept until unwatched. */
int evloop_watch(struct evloop *loop, int fd, unsigned events, evloop_fd_cb *cb, void *arg);
/* evloop_unwatch - stop watching fd; call before closing it */
void evloop_unwatch(struct evloop *loop, int fd);

/* evloop_timer_add - call cb once, after msec milliseconds; the handle is
 * valid, and arg kept, until the timer fires or is cancelled */
struct evloop_timer *evloop_timer_add(struct evloop *loop, int64_t msec,
    evloop_timer_cb *cb, void *arg);
void evloop_timer_cancel(struct evloop *loop, struct evloop_timer *t);

int64_t evloop_now(const struct evloop *loop);
/* evloop_clock_ms - the monotonic clock in ms, read now (for code outside
 * a loop; a loop's callbacks use evloop_now) */
int64_t evloop_clock_ms(void);
/* evloop_run - dispatch until evloop_stop(); -1 on epoll failure */
int evloop_run(struct evloop *loop);
void evloop_stop(struct evloop *loop);

#endif
