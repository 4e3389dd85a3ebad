/*
 * lru - bounded cache, least recently used out, see lru.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lru.h"
#include "strmap.h"
#include "xalloc.h"

struct lru_link {
	struct lru_link *prev, *next;   /* prev: more recently used */
};

struct lru_node {
	struct lru_link link;           /* first: a link is its node */
	void *value;
	char key[];
};

struct lru {
	struct strmap *map;             /* key -> node */
	struct lru_link head;           /* sentinel: head.next most recent */
	struct lru_node *last;          /* the last one found or put */
	size_t max;
	lru_pinned_fn *pinned;
	lru_evict_fn *evict;
	void *arg;
};

static void
unlink_node(struct lru_node *n)
{
	n->link.prev->next = n->link.next;
	n->link.next->prev = n->link.prev;
}

static void
push_front(struct lru *c, struct lru_node *n)
{
	n->link.prev = &c->head;
	n->link.next = c->head.next;
	c->head.next->prev = &n->link;
	c->head.next = &n->link;
}

struct lru *
lru_new(size_t max, lru_pinned_fn *pinned, lru_evict_fn *evict, void *arg)
{
	struct lru *c = xcalloc(1, sizeof(*c));

	c->map = strmap_new();
	c->head.prev = c->head.next = &c->head;
	c->max = max < 2 ? 2 : max;
	c->pinned = pinned;
	c->evict = evict;
	c->arg = arg;
	return c;
}

void
lru_free(struct lru *c, void (*value_free)(void *))
{
	if (c == NULL)
		return;
	for (struct lru_link *l = c->head.next, *next; l != &c->head; l = next) {
		struct lru_node *n = (struct lru_node *)l;

		next = l->next;
		if (value_free)
			value_free(n->value);
		free(n);
	}
	strmap_free(c->map, NULL);
	free(c);
}

void *
lru_get(struct lru *c, const char *key)
{
	struct lru_node *n = strmap_get(c->map, key);

	if (n == NULL)
		return NULL;
	if (c->head.next != &n->link) {
		unlink_node(n);
		push_front(c, n);
	}
	c->last = n;
	return n->value;
}

void *
lru_peek(const struct lru *c, const char *key)
{
	struct lru_node *n = strmap_get(c->map, key);

	return n ? n->value : NULL;
}

/* trim - evict from the back down to the bound, passing over keep1 and
 * keep2 (left in place) and pinned values (moved to the front, so that
 * the next trim does not look at them again first); no more values are
 * looked at than the cache holds */
static void
trim(struct lru *c, const struct lru_node *keep1, const struct lru_node *keep2)
{
	size_t looked = 0, count = strmap_count(c->map);
	struct lru_link *l = c->head.prev;

	while (count > c->max && l != &c->head && looked++ < count) {
		struct lru_link *prev = l->prev;
		struct lru_node *n = (struct lru_node *)l;

		if (n == keep1 || n == keep2) {
			l = prev;
			continue;
		}
		unlink_node(n);
		if (c->pinned && c->pinned(n->value, c->arg)) {
			push_front(c, n);
		} else {
			strmap_remove(c->map, n->key);
			count--;
			c->evict(n->key, n->value, c->arg);
			free(n);
		}
		l = prev;
	}
}

void
lru_put(struct lru *c, const char *key, void *value)
{
	size_t len = strlen(key);
	struct lru_node *n = xmalloc(sizeof(*n) + len + 1), *before = c->last;

	memcpy(n->key, key, len + 1);
	n->value = value;
	strmap_put(c->map, key, n);
	push_front(c, n);
	c->last = n;
	trim(c, n, before);
}

void *
lru_remove(struct lru *c, const char *key)
{
	struct lru_node *n = strmap_remove(c->map, key);
	void *value;

	if (n == NULL)
		return NULL;
	unlink_node(n);
	if (c->last == n)
		c->last = NULL;
	value = n->value;
	free(n);
	return value;
}

size_t
lru_count(const struct lru *c)
{
	return strmap_count(c->map);
}

void
lru_foreach(const struct lru *c, void (*fn)(const char *key, void *value, void *arg), void *arg)
{
	for (const struct lru_link *l = c->head.next; l != &c->head; l = l->next) {
		const struct lru_node *n = (const struct lru_node *)l;

		fn(n->key, n->value, arg);
	}
}
