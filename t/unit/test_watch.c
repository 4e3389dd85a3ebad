/* Unit tests for tlspolicy/base/watch. */
#include "config.h"

#include <stddef.h>

#include "tap.h"
#include "watch.h"

static int calls[4];
static struct watch *victim;

static void
count(void *arg)
{
	calls[*(int *)arg]++;
}

static void
cancel_other(void *arg)
{
	count(arg);
	watch_cancel(victim);
}

int
main(void)
{
	struct watchlist l = { NULL };
	int ids[4] = { 0, 1, 2, 3 };
	struct watch *w;

	watch_add(&l, count, &ids[0]);
	w = watch_add(&l, count, &ids[1]);
	watch_cancel(w);
	watch_fire(&l);
	is_int(calls[0], 1, "a watch fires once");
	is_int(calls[1], 0, "a cancelled watch does not");
	ok(l.head == NULL, "the list is empty after firing");
	watch_fire(&l);
	is_int(calls[0], 1, "firing again calls nothing");

	/* watches are told newest first: the victim after the canceller */
	victim = watch_add(&l, count, &ids[2]);
	watch_add(&l, cancel_other, &ids[3]);
	watch_fire(&l);
	is_int(calls[3], 1, "the canceller ran");
	is_int(calls[2], 0, "a watch cancelled during firing does not run");
	watch_cancel(NULL);
	ok(1, "cancelling NULL is harmless");
	return tap_done();
}
