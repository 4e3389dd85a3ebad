/*
 * strmap - a hash table from NUL-terminated strings to pointers.
 *
 * Open addressing with linear probing, grown at 50% load.  Keys are copied
 * and owned by the map; values are borrowed (the caller frees them, e.g.
 * with strmap_free(map, free_fn)).
 */
#ifndef TLSPOLICY_STRMAP_H
#define TLSPOLICY_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(void);
/* strmap_free - free the map, calling value_free (may be NULL) on values */
void strmap_free(struct strmap *map, void (*value_free)(void *));
/* strmap_get - value for key, or NULL */
void *strmap_get(const struct strmap *map, const char *key);
/* strmap_put - insert or replace; returns the previous value or NULL */
void *strmap_put(struct strmap *map, const char *key, void *value);
/* strmap_remove - remove key (and free its copy); returns its value, or
 * NULL if absent */
void *strmap_remove(struct strmap *map, const char *key);
size_t strmap_count(const struct strmap *map);
/* strmap_foreach - call fn on every entry, in no particular order; fn may
 * not change the map, but strmap_foreach_remove() drops entries for which
 * fn returns nonzero (after fn has freed what it must; an entry that moves
 * back over the wrap-around may be seen twice) */
void strmap_foreach(const struct strmap *map, void (*fn)(const char *key, void *value, void *arg),
    void *arg);
void strmap_foreach_remove(struct strmap *map, int (*fn)(const char *key, void *value, void *arg),
    void *arg);

#endif
