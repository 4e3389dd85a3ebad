/* Unit tests for tlspolicy/base/lru: the bound, the order of use, pinned
 * values, and the two most recent values kept through an eviction. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lru.h"
#include "tap.h"

struct val {
	char name[16];
	int pinned;
	int evicted;
};

static char order[256];

static int
is_pinned(void *value, void *arg)
{
	(void)arg;
	return ((struct val *)value)->pinned;
}

static void
on_evict(const char *key, void *value, void *arg)
{
	struct val *v = value;
	int *count = arg;

	if (strcmp(key, v->name) != 0)
		fprintf(stderr, "evict: key %s, value %s\n", key, v->name);
	v->evicted++;
	(*count)++;
}

static void
name_of(const char *key, void *value, void *arg)
{
	size_t used = strlen(order);

	(void)value;
	(void)arg;
	snprintf(order + used, sizeof(order) - used, "%s ", key);
}

static const char *
list(struct lru *c)
{
	order[0] = '\0';
	lru_foreach(c, name_of, NULL);
	return order;
}

int
main(void)
{
	static struct val v[2000];
	int evicted = 0, all_in = 1, none_evicted = 1;
	struct lru *c = lru_new(3, is_pinned, on_evict, &evicted);

	for (int i = 0; i < 2000; i++)
		snprintf(v[i].name, sizeof(v[i].name), "k%d", i);
	lru_put(c, "k0", &v[0]);
	lru_put(c, "k1", &v[1]);
	lru_put(c, "k2", &v[2]);
	is_str(list(c), "k2 k1 k0 ", "most recently put first");
	ok(lru_get(c, "k0") == &v[0], "get finds a value");
	is_str(list(c), "k0 k2 k1 ", "get moves it to the front");
	ok(lru_peek(c, "k1") == &v[1] && strcmp(list(c), "k0 k2 k1 ") == 0, "peek finds, moves nothing");
	ok(lru_get(c, "nope") == NULL && lru_peek(c, "nope") == NULL, "absent keys: NULL");
	lru_put(c, "k3", &v[3]);
	is_int(lru_count(c), 3, "the bound holds");
	is_int(v[1].evicted, 1, "the least recently used one went out");
	ok(lru_peek(c, "k1") == NULL, "and is gone from the table");
	is_str(list(c), "k3 k0 k2 ", "the others in their order");

	/* pinned values stay, and hold the cache above its bound */
	v[2].pinned = v[0].pinned = 1;
	lru_put(c, "k4", &v[4]);
	is_int(v[3].evicted, 0, "the value put before the last put stays (it may be in use)");
	is_int(v[2].evicted + v[0].evicted, 0, "pinned values stay");
	is_int(lru_count(c), 4, "above the bound while nothing may go");
	lru_put(c, "k5", &v[5]);
	is_int(v[3].evicted, 1, "the next put takes out the oldest unpinned value");
	is_int(v[4].evicted + v[5].evicted, 0, "not the last two");
	v[2].pinned = v[0].pinned = 0;
	lru_put(c, "k6", &v[6]);
	is_int(lru_count(c), 3, "unpinned, they go at the next put");
	ok(v[0].evicted + v[2].evicted + v[4].evicted == 2 && !v[5].evicted && !v[6].evicted,
	    "two of the older ones, not the last two put");
	ok(lru_remove(c, "k5") == &v[5] && lru_peek(c, "k5") == NULL, "remove hands the value back");
	is_int(v[5].evicted, 0, "without evicting it");
	ok(lru_remove(c, "k5") == NULL, "removing an absent key: NULL");
	lru_free(c, NULL);

	/* many: the bound over a run of puts and gets */
	evicted = 0;
	c = lru_new(100, is_pinned, on_evict, &evicted);
	for (int i = 0; i < 2000; i++) {
		v[i].evicted = v[i].pinned = 0;
		lru_put(c, v[i].name, &v[i]);
		if (i >= 10)
			lru_get(c, v[i - 10].name);   /* keeps a hot one in, if still there */
	}
	is_int(lru_count(c), 100, "2000 puts through a cache of 100: 100 left");
	is_int(evicted, 1900, "1900 evicted, each once");
	for (int i = 1900; i < 2000; i++)
		all_in &= lru_peek(c, v[i].name) == &v[i];
	ok(all_in, "the last 100 are the ones left");
	for (int i = 0; i < 2000; i++)
		none_evicted &= v[i].evicted <= 1;
	ok(none_evicted, "no value evicted twice");
	lru_free(c, NULL);
	return tap_done();
}
