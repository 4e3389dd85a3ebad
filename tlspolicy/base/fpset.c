/*
 * fpset - a bounded set of 128-bit fingerprints, see fpset.h.
 *
 * The fingerprints are fingerprint.h's; an open-addressing table with
 * linear probing holds them, {0, 0} marking an empty slot.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "fpset.h"
#include "xalloc.h"

#define FPSET_MIN_SLOTS 1024

struct fpset {
	struct fingerprint *slot;
	size_t nslots;         /* 0, or a power of two */
	size_t n, max;
	struct fingerprint_key key;
};

struct fpset *
fpset_new(size_t max)
{
	struct fpset *set = xcalloc(1, sizeof(*set));

	set->max = max > 0 ? max : 1;
	fingerprint_key_init(&set->key);
	return set;
}

void
fpset_free(struct fpset *set)
{
	if (set == NULL)
		return;
	free(set->slot);
	free(set);
}

/* find - the slot of f, or the empty slot where it would go */
static struct fingerprint *
find(const struct fpset *set, struct fingerprint f)
{
	size_t mask = set->nslots - 1, i = (size_t)f.a & mask;

	for (;;) {
		struct fingerprint *s = &set->slot[i];

		if ((s->a == 0 && s->b == 0) || (s->a == f.a && s->b == f.b))
			return s;
		i = (i + 1) & mask;
	}
}

/* grow - double the table (or make the first); -1 without memory */
static int
grow(struct fpset *set)
{
	size_t nslots = set->nslots ? set->nslots * 2 : FPSET_MIN_SLOTS;
	struct fpset bigger = *set;

	if (nslots > SIZE_MAX / sizeof(struct fingerprint)
	    || (bigger.slot = calloc(nslots, sizeof(struct fingerprint))) == NULL)
		return -1;
	bigger.nslots = nslots;
	for (size_t i = 0; i < set->nslots; i++) {
		struct fingerprint *s = &set->slot[i];

		if (s->a != 0 || s->b != 0)
			*find(&bigger, *s) = *s;
	}
	free(set->slot);
	set->slot = bigger.slot;
	set->nslots = nslots;
	return 0;
}

int
fpset_add(struct fpset *set, const void *data, size_t len)
{
	struct fingerprint f = fingerprint_of(&set->key, data, len), *s;

	if (set->nslots > 0 && ((s = find(set, f))->a != 0 || s->b != 0))
		return 0;
	if (set->n >= set->max)
		return -1;
	/* at most 3/4 full after this member */
	if ((set->n + 1) * 4 > set->nslots * 3 && grow(set) < 0)
		return -1;
	*find(set, f) = f;
	set->n++;
	return 1;
}

int
fpset_has(const struct fpset *set, const void *data, size_t len)
{
	struct fingerprint f;
	const struct fingerprint *s;

	if (set->nslots == 0)
		return 0;
	f = fingerprint_of(&set->key, data, len);
	s = find(set, f);
	return s->a != 0 || s->b != 0;
}

void
fpset_clear(struct fpset *set)
{
	free(set->slot);
	set->slot = NULL;
	set->nslots = 0;
	set->n = 0;
}

size_t
fpset_count(const struct fpset *set)
{
	return set->n;
}

size_t
fpset_bytes(const struct fpset *set)
{
	return set->nslots * sizeof(struct fingerprint);
}
