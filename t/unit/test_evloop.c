/* Unit tests for tlspolicy/base/evloop. */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "evloop.h"
#include "tap.h"

static char order[16];
static size_t norder;
static struct evloop_timer *victim;

static void
mark(struct evloop *loop, void *arg)
{
	(void)loop;
	order[norder++] = *(const char *)arg;
}

static void
cancel_victim(struct evloop *loop, void *arg)
{
	mark(loop, arg);
	evloop_timer_cancel(loop, victim);
}

static void
stop(struct evloop *loop, void *arg)
{
	(void)arg;
	evloop_stop(loop);
}

static int reads, fired, out_of_order;
static intptr_t last_slot;

static void
count_fire(struct evloop *loop, void *arg)
{
	(void)loop;
	if ((intptr_t)arg < last_slot)
		out_of_order = 1;
	last_slot = (intptr_t)arg;
	fired++;
}

static void
on_read(struct evloop *loop, int fd, unsigned events, void *arg)
{
	char c;

	(void)arg;
	if ((events & EVLOOP_READ) && read(fd, &c, 1) == 1)
		reads++;
	evloop_unwatch(loop, fd);
}

int
main(void)
{
	struct evloop *loop = evloop_new();
	int p[2];

	ok(loop != NULL, "loop created");
	evloop_timer_add(loop, 30, mark, "c");
	evloop_timer_add(loop, 10, mark, "a");
	evloop_timer_add(loop, 20, cancel_victim, "b");
	victim = evloop_timer_add(loop, 25, mark, "x");
	evloop_timer_add(loop, 10, mark, "A"); /* same time: creation order */
	evloop_timer_add(loop, 60, stop, NULL);
	ok(pipe(p) == 0, "pipe");
	is_int(write(p[1], "z", 1), 1, "write");
	is_int(evloop_watch(loop, p[0], EVLOOP_READ, on_read, NULL), 0, "watch pipe");
	is_int(evloop_run(loop), 0, "run until stop");
	order[norder] = '\0';
	is_str(order, "aAbc", "timers fire in time order, cancelled one never");
	is_int(reads, 1, "fd callback ran once and unwatched itself");
	evloop_unwatch(loop, p[0]); /* twice is harmless */
	ok(evloop_watch(loop, -1, EVLOOP_READ, on_read, NULL) < 0, "negative fd refused");
	/* many timers, added in reverse order, fire in time order */
	{
		/* five slots 20 ms apart: far more than adding them takes */
		for (int i = 499; i >= 0; i--)
			evloop_timer_add(loop, (int64_t)20 * (i / 100), count_fire, (void *)(intptr_t)(i / 100));
		evloop_timer_add(loop, 150, stop, NULL);
		ok(evloop_run(loop) == 0, "500 timers run");
		is_int(fired, 500, "all 500 fired");
		ok(!out_of_order, "in time order");
	}
	close(p[0]);
	close(p[1]);
	evloop_free(loop);
	return tap_done();
}
