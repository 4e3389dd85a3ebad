/*
 * fpset - a bounded set of 128-bit fingerprints, see fpset.h.
 *
 * The fingerprint is two SipHash-2-4 values under two random keys; an
 * open-addressing table with linear probing holds them, {0, 0} marking
 * an empty slot.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fpset.h"
#include "xalloc.h"

#define FPSET_MIN_SLOTS 1024

struct fp {
	uint64_t a, b;
};

struct fpset {
	struct fp *slot;
	size_t nslots;         /* 0, or a power of two */
	size_t n, max;
	uint64_t key[4];       /* two SipHash keys */
};

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

static uint64_t
load64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* siphash24 - SipHash-2-4 of data[len] under the key (k0, k1) */
static uint64_t
siphash24(uint64_t k0, uint64_t k1, const unsigned char *data, size_t len)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, tail = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = load64(data + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < tail; j++)
		b |= (uint64_t)data[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static struct fp
fingerprint(const struct fpset *set, const void *data, size_t len)
{
	struct fp f;

	f.a = siphash24(set->key[0], set->key[1], data, len);
	f.b = siphash24(set->key[2], set->key[3], data, len);
	if (f.a == 0 && f.b == 0)
		f.b = 1;       /* {0, 0} is an empty slot */
	return f;
}

struct fpset *
fpset_new(size_t max)
{
	struct fpset *set = xcalloc(1, sizeof(*set));

	set->max = max > 0 ? max : 1;
	if (getrandom(set->key, sizeof(set->key), GRND_NONBLOCK) != (ssize_t)sizeof(set->key)) {
		/* no entropy yet (early boot): still distinct per process */
		uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32)
		    ^ (uint64_t)(uintptr_t)set;

		for (int i = 0; i < 4; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			set->key[i] = seed ^ (seed >> 29);
		}
	}
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
static struct fp *
find(const struct fpset *set, struct fp f)
{
	size_t mask = set->nslots - 1, i = (size_t)f.a & mask;

	for (;;) {
		struct fp *s = &set->slot[i];

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

	if (nslots > SIZE_MAX / sizeof(struct fp)
	    || (bigger.slot = calloc(nslots, sizeof(struct fp))) == NULL)
		return -1;
	bigger.nslots = nslots;
	for (size_t i = 0; i < set->nslots; i++) {
		struct fp *s = &set->slot[i];

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
	struct fp f = fingerprint(set, data, len), *s;

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
	struct fp f;
	const struct fp *s;

	if (set->nslots == 0)
		return 0;
	f = fingerprint(set, data, len);
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
	return set->nslots * sizeof(struct fp);
}
