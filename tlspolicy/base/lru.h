/*
 * lru - a bounded cache of string-keyed values, least recently used out.
 *
 * A hash table (strmap) for finding, a doubly linked list for the order
 * of use.  lru_get() moves what it finds to the front; lru_put() adds at
 * the front and then, while the cache holds more than its bound, takes
 * the least recently used value out and hands it to the evict callback,
 * which owns it from then on (frees it, or writes it somewhere first).
 * A value the pinned callback says must stay (work in progress, data not
 * yet saved) is passed over and moved to the front instead: pinned values
 * may hold the cache above its bound for as long as they are pinned.
 * The value put, and the one found or put before it, are never taken out
 * by that lru_put(): a caller may keep using the value it looked up while
 * it looks up (and adds) a second one.
 */
#ifndef TLSPOLICY_LRU_H
#define TLSPOLICY_LRU_H

#include <stddef.h>

struct lru;

/* pinned(value, arg): nonzero while value must stay in memory */
typedef int lru_pinned_fn(void *value, void *arg);
/* evict(key, value, arg): value leaves the cache; key is valid for the call */
typedef void lru_evict_fn(const char *key, void *value, void *arg);

/* lru_new - an empty cache of at most max values (at least 2); pinned may
 * be NULL (nothing is pinned); evict is called for each value taken out */
struct lru *lru_new(size_t max, lru_pinned_fn *pinned, lru_evict_fn *evict, void *arg);
/* lru_free - free the cache, calling value_free (may be NULL) on every
 * value still in it (not evict) */
void lru_free(struct lru *c, void (*value_free)(void *));
/* lru_get - the value of key, moved to the front; NULL if absent */
void *lru_get(struct lru *c, const char *key);
/* lru_peek - the value of key, its place unchanged; NULL if absent */
void *lru_peek(const struct lru *c, const char *key);
/* lru_put - add value (not NULL) under key, which must be absent, at the
 * front; then evict down to the bound */
void lru_put(struct lru *c, const char *key, void *value);
/* lru_remove - take key out without calling evict; its value, or NULL */
void *lru_remove(struct lru *c, const char *key);
size_t lru_count(const struct lru *c);
/* lru_foreach - fn on every value, most recently used first; fn must not
 * change the cache */
void lru_foreach(const struct lru *c, void (*fn)(const char *key, void *value, void *arg),
    void *arg);

#endif
