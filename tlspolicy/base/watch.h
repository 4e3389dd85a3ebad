/*
 * watch - callbacks waiting for something in progress to end.
 *
 * A resolution keeps a watchlist; each waiter adds a watch and may cancel
 * it.  watch_fire() tells every waiter once and frees the watches; a
 * waiter may cancel other watches of the same list from its callback.
 */
#ifndef TLSPOLICY_WATCH_H
#define TLSPOLICY_WATCH_H

struct watch;

struct watchlist {
	struct watch *head;
};

/* watch_add - call cb(arg) when l fires; the handle lives, and arg is
 * kept, until then (or until watch_cancel) */
struct watch *watch_add(struct watchlist *l, void (*cb)(void *), void *arg);
/* watch_cancel - cb will not run; NULL is fine */
void watch_cancel(struct watch *w);
/* watch_fire - run and free every watch of l, leaving it empty */
void watch_fire(struct watchlist *l);

#endif
