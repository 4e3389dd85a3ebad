/*
 * strmap - string-keyed hash table, see strmap.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "xalloc.h"

struct strmap_slot {
	char *key;
	void *value;
	uint64_t hash;
};

struct strmap {
	struct strmap_slot *slots;
	size_t size;    /* power of two */
	size_t count;
};

/* strmap_hash - 8 bytes at a time: multiply, then fold the high half in;
 * keys here are short ASCII (host names, counter keys) */
static uint64_t
strmap_hash(const char *s)
{
	size_t n = strlen(s), i = 0;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

struct strmap *
strmap_new(void)
{
	struct strmap *map = xcalloc(1, sizeof(*map));

	map->size = 16;
	map->slots = xcalloc(map->size, sizeof(*map->slots));
	return map;
}

void
strmap_free(struct strmap *map, void (*value_free)(void *))
{
	if (map == NULL)
		return;
	for (size_t i = 0; i < map->size; i++) {
		if (map->slots[i].key == NULL)
			continue;
		free(map->slots[i].key);
		if (value_free)
			value_free(map->slots[i].value);
	}
	free(map->slots);
	free(map);
}

static struct strmap_slot *
strmap_find(const struct strmap *map, const char *key, uint64_t hash)
{
	size_t mask = map->size - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &map->slots[i];

		if (s->key == NULL || (s->hash == hash && strcmp(s->key, key) == 0))
			return s;
	}
}

void *
strmap_get(const struct strmap *map, const char *key)
{
	struct strmap_slot *s = strmap_find(map, key, strmap_hash(key));

	return s->key ? s->value : NULL;
}

static void
strmap_grow(struct strmap *map)
{
	struct strmap_slot *old = map->slots;
	size_t oldsize = map->size;

	map->size *= 2;
	map->slots = xcalloc(map->size, sizeof(*map->slots));
	for (size_t i = 0; i < oldsize; i++)
		if (old[i].key)
			*strmap_find(map, old[i].key, old[i].hash) = old[i];
	free(old);
}

void *
strmap_put(struct strmap *map, const char *key, void *value)
{
	uint64_t hash = strmap_hash(key);
	struct strmap_slot *s = strmap_find(map, key, hash);

	if (s->key) {
		void *prev = s->value;

		s->value = value;
		return prev;
	}
	s->key = xstrdup(key);
	s->value = value;
	s->hash = hash;
	if (++map->count * 2 > map->size)
		strmap_grow(map);
	return NULL;
}

size_t
strmap_count(const struct strmap *map)
{
	return map->count;
}

/* strmap_remove_slot - empty slot i and shift the following run back so
 * that every key stays reachable from its home slot (no tombstones) */
static void
strmap_remove_slot(struct strmap *map, size_t i)
{
	size_t mask = map->size - 1;

	free(map->slots[i].key);
	map->slots[i].key = NULL;
	map->count--;
	for (size_t j = (i + 1) & mask; map->slots[j].key; j = (j + 1) & mask) {
		size_t home = map->slots[j].hash & mask;

		/* j's entry may move to the hole i unless home lies in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			map->slots[i] = map->slots[j];
			map->slots[j].key = NULL;
			i = j;
		}
	}
}

void *
strmap_remove(struct strmap *map, const char *key)
{
	struct strmap_slot *s = strmap_find(map, key, strmap_hash(key));
	void *value = s->value;

	if (s->key == NULL)
		return NULL;
	strmap_remove_slot(map, (size_t)(s - map->slots));
	return value;
}

void
strmap_foreach(const struct strmap *map, void (*fn)(const char *key, void *value, void *arg),
    void *arg)
{
	for (size_t i = 0; i < map->size; i++)
		if (map->slots[i].key)
			fn(map->slots[i].key, map->slots[i].value, arg);
}

void
strmap_foreach_remove(struct strmap *map, int (*fn)(const char *key, void *value, void *arg),
    void *arg)
{
	/* removal shifts entries backwards, so test a slot again after it */
	for (size_t i = 0; i < map->size;) {
		if (map->slots[i].key && fn(map->slots[i].key, map->slots[i].value, arg)) {
			strmap_remove_slot(map, i);
			continue;
		}
		i++;
	}
}
