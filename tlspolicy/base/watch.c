/*
 * watch - waiters of a resolution, see watch.h.
 */
#include "config.h"

#include <stdlib.h>

#include "watch.h"
#include "xalloc.h"

struct watch {
	struct watchlist *list;   /* NULL while its list fires */
	void (*cb)(void *);
	void *arg;
	int cancelled;
	struct watch *next;
};

struct watch *
watch_add(struct watchlist *l, void (*cb)(void *), void *arg)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->list = l;
	w->cb = cb;
	w->arg = arg;
	w->next = l->head;
	l->head = w;
	return w;
}

void
watch_cancel(struct watch *w)
{
	struct watch **pp;

	if (w == NULL)
		return;
	if (w->list == NULL) {
		w->cancelled = 1;     /* freed by watch_fire */
		return;
	}
	for (pp = &w->list->head; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	free(w);
}

void
watch_fire(struct watchlist *l)
{
	struct watch *list = l->head, *w;

	l->head = NULL;
	for (w = list; w; w = w->next)
		w->list = NULL;
	while ((w = list) != NULL) {
		if (!w->cancelled)
			w->cb(w->arg);
		list = w->next;
		free(w);
	}
}
