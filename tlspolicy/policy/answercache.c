/*
 * answercache - decided answers in a few bytes a domain, see answercache.h.
 *
 * Domains are a dense array of 28-byte entries, found through an index of
 * 32-bit positions (open addressing, linear probing, at most half full,
 * 0 = empty): the array only grows as far as it is used, and a removal
 * moves the last entry into the hole.  Answer texts live NUL-terminated
 * in one arena and are found by a second index of arena offsets; an
 * entry's answer is 0 (unknown), TEXT_NONE (no policy) or an offset.
 * Texts are never freed one by one: the arena's bound clears everything.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "answercache.h"
#include "fingerprint.h"
#include "xalloc.h"

#define INDEX_MIN 1024
#define HUGE_PAGE ((size_t)2 << 20)
#define TEXT_UNKNOWN 0
#define TEXT_NONE 1
#define TEXT_FIRST 2               /* offsets 0 and 1 are the two above */

/* 32-bit fields only: 28 bytes, no padding */
struct entry {
	uint32_t fa[2];                /* the fingerprint: 64 bits, */
	uint32_t fb;                   /* and 32 more */
	uint32_t until;                /* time_t, unsigned: up to 2106 */
	uint32_t text[ANSWERCACHE_MAPS];
};

struct answercache {
	struct fingerprint_key key;
	size_t max;
	struct entry *e;               /* n used of cap */
	size_t n, cap;
	uint32_t *index;               /* position + 1, or 0; nindex a power of two */
	size_t nindex;
	char *arena;                   /* texts: alen used of acap, at most amax */
	size_t alen, acap, amax;
	uint32_t *tindex;              /* arena offsets, or 0; ntindex a power of two */
	size_t ntindex, ntexts;
	unsigned long long clears;
};

/*
 * big - n bytes (zeroed if asked) for one of the tables.  From 2 MB on,
 * aligned to and advised for transparent huge pages: lookups spread over
 * millions of domains touch three random places of up to a hundred
 * megabytes, which in 4 kB pages costs a TLB miss each.
 */
static void *
big(size_t n, int zero)
{
	void *p;

	if (n < HUGE_PAGE || posix_memalign(&p, HUGE_PAGE, n) != 0)
		return zero ? xcalloc(1, n) : xmalloc(n);
	(void)madvise(p, n, MADV_HUGEPAGE);
	if (zero)
		memset(p, 0, n);
	return p;
}

/* big_grow - p (old bytes, or NULL) moved into a bigger table of n bytes */
static void *
big_grow(void *p, size_t old, size_t n)
{
	void *q = big(n, 0);

	if (p != NULL && old > 0)
		memcpy(q, p, old);
	free(p);
	return q;
}

struct answercache *
answercache_new(size_t max)
{
	struct answercache *c = xcalloc(1, sizeof(*c));

	if (max < 1)
		max = 1;
	/* positions + 1 and arena offsets are 32 bits */
	if (max > UINT32_MAX / 4)
		max = UINT32_MAX / 4;
	c->max = max;
	c->amax = max > (UINT32_MAX - TEXT_FIRST) / ANSWERCACHE_TEXT_AVG ? UINT32_MAX - TEXT_FIRST
	    : max * ANSWERCACHE_TEXT_AVG + TEXT_FIRST;
	fingerprint_key_init(&c->key);
	return c;
}

void
answercache_clear(struct answercache *c)
{
	free(c->e);
	free(c->index);
	free(c->arena);
	free(c->tindex);
	c->e = NULL;
	c->index = c->tindex = NULL;
	c->arena = NULL;
	c->n = c->cap = c->nindex = c->alen = c->acap = c->ntindex = c->ntexts = 0;
}

void
answercache_free(struct answercache *c)
{
	if (c == NULL)
		return;
	answercache_clear(c);
	free(c);
}

/* --- domains -------------------------------------------------------------- */

static uint64_t
entry_fa(const struct entry *e)
{
	return (uint64_t)e->fa[1] << 32 | e->fa[0];
}

/* slot - the index slot of (fa, fb), or of the empty slot where it goes */
static size_t
slot(const struct answercache *c, uint64_t fa, uint32_t fb)
{
	size_t mask = c->nindex - 1, i = (size_t)fa & mask;

	while (c->index[i] != 0) {
		const struct entry *e = &c->e[c->index[i] - 1];

		if (entry_fa(e) == fa && e->fb == fb)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* index_grow - an index twice the size (or the first), rebuilt */
static void
index_grow(struct answercache *c)
{
	size_t n = c->nindex ? c->nindex * 2 : INDEX_MIN;

	free(c->index);
	c->index = big(n * sizeof(*c->index), 1);
	c->nindex = n;
	for (size_t p = 0; p < c->n; p++)
		c->index[slot(c, entry_fa(&c->e[p]), c->e[p].fb)] = (uint32_t)(p + 1);
}

/* find - the entry of domain, or NULL; *fa, *fb its fingerprint */
static struct entry *
find(const struct answercache *c, const char *domain, uint64_t *fa, uint32_t *fb)
{
	struct fingerprint f = fingerprint_of(&c->key, domain, strlen(domain));
	size_t i;

	*fa = f.a;
	*fb = (uint32_t)f.b;
	if (c->nindex == 0)
		return NULL;
	i = slot(c, *fa, *fb);
	return c->index[i] ? &c->e[c->index[i] - 1] : NULL;
}

/* remove_at - the entry in index slot i: the slots after it that probed past
 * it move back (linear probing's deletion), and the last entry of the
 * array moves into its place */
static void
remove_at(struct answercache *c, size_t i)
{
	size_t mask = c->nindex - 1, pos = c->index[i] - 1, last = c->n - 1, j = i, k;

	for (;;) {
		c->index[j] = 0;
		for (k = j;;) {
			size_t home;

			k = (k + 1) & mask;
			if (c->index[k] == 0)
				goto shifted;
			home = (size_t)entry_fa(&c->e[c->index[k] - 1]) & mask;
			/* k may fill the hole j unless its home lies in (j, k] */
			if (((k - home) & mask) >= ((k - j) & mask))
				break;
		}
		c->index[j] = c->index[k];
		j = k;
	}
shifted:
	if (pos != last) {
		c->e[pos] = c->e[last];
		c->index[slot(c, entry_fa(&c->e[pos]), c->e[pos].fb)] = (uint32_t)(pos + 1);
	}
	c->n--;
}

/* --- texts ---------------------------------------------------------------- */

static uint64_t
text_hash(const struct answercache *c, const char *s, size_t len)
{
	return fingerprint_of(&c->key, s, len).b;
}

/* text_slot - the text index slot of s, or of the empty slot for it */
static size_t
text_slot(const struct answercache *c, const char *s, size_t len, uint64_t h)
{
	size_t mask = c->ntindex - 1, i = (size_t)h & mask;

	while (c->tindex[i] != 0) {
		const char *t = c->arena + c->tindex[i];

		if (strncmp(t, s, len) == 0 && t[len] == '\0')
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static void
text_index_grow(struct answercache *c)
{
	size_t n = c->ntindex ? c->ntindex * 2 : INDEX_MIN;

	free(c->tindex);
	c->tindex = big(n * sizeof(*c->tindex), 1);
	c->ntindex = n;
	for (size_t off = TEXT_FIRST; off < c->alen;) {
		size_t len = strlen(c->arena + off);

		c->tindex[text_slot(c, c->arena + off, len, text_hash(c, c->arena + off, len))] =
		    (uint32_t)off;
		off += len + 1;
	}
}

/* text - the offset of s, added when new; 0 when the arena is full */
static uint32_t
text(struct answercache *c, const char *s)
{
	size_t len = strlen(s), i;
	uint64_t h = text_hash(c, s, len);

	if (c->ntindex > 0 && c->tindex[i = text_slot(c, s, len, h)] != 0)
		return c->tindex[i];
	if (len + 1 > c->amax - (c->alen ? c->alen : TEXT_FIRST))
		return 0;
	if (c->alen == 0)
		c->alen = TEXT_FIRST;
	if (c->alen + len + 1 > c->acap) {
		size_t n = c->acap ? c->acap * 2 : 4096;

		while (n < c->alen + len + 1)
			n *= 2;
		if (n > c->amax)
			n = c->amax;
		c->arena = big_grow(c->arena, c->alen, n);
		c->acap = n;
	}
	if ((c->ntexts + 1) * 2 > c->ntindex)
		text_index_grow(c);
	memcpy(c->arena + c->alen, s, len + 1);
	i = c->alen;
	c->tindex[text_slot(c, s, len, h)] = (uint32_t)i;
	c->alen += len + 1;
	c->ntexts++;
	return (uint32_t)i;
}

/* --- the public side -------------------------------------------------------- */

int
answercache_get(struct answercache *c, const char *domain, unsigned map, time_t now,
    const char **answer, time_t *until)
{
	uint64_t fa;
	uint32_t fb;
	const struct entry *e;

	if (map >= ANSWERCACHE_MAPS || (e = find(c, domain, &fa, &fb)) == NULL
	    || now < 0 || (uint64_t)now >= e->until || e->text[map] == TEXT_UNKNOWN)
		return 0;
	*answer = e->text[map] == TEXT_NONE ? NULL : c->arena + e->text[map];
	if (until != NULL)
		*until = (time_t)e->until;
	return 1;
}

/* full - a bound is reached: everything goes */
static void
full(struct answercache *c)
{
	answercache_clear(c);
	c->clears++;
}

void
answercache_put(struct answercache *c, const char *domain, unsigned map, const char *answer,
    time_t until, time_t now)
{
	uint64_t fa;
	uint32_t fb, t;
	struct entry *e;

	if (map >= ANSWERCACHE_MAPS || until <= now || now < 0)
		return;
	if ((e = find(c, domain, &fa, &fb)) == NULL && c->n >= c->max)
		full(c);
	if ((t = answer ? text(c, answer) : TEXT_NONE) == 0) {
		full(c);
		e = NULL;
		/* one text of at most ANSWERCACHE_TEXT_AVG bytes always fits */
		if ((t = text(c, answer)) == 0)
			return;
	}
	if (e == NULL) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap + c->cap / 2 : INDEX_MIN / 2;

			c->e = big_grow(c->e, c->n * sizeof(*c->e), cap * sizeof(*c->e));
			c->cap = cap;
		}
		if ((c->n + 1) * 2 > c->nindex)
			index_grow(c);
		e = &c->e[c->n];
		memset(e, 0, sizeof(*e));
		e->fa[0] = (uint32_t)fa;
		e->fa[1] = (uint32_t)(fa >> 32);
		e->fb = fb;
		c->index[slot(c, fa, fb)] = (uint32_t)++c->n;
	}
	if ((uint64_t)until > UINT32_MAX)
		until = (time_t)UINT32_MAX;
	if (e->until != (uint32_t)until) {
		/* the other map's answer was decided under other conditions */
		memset(e->text, 0, sizeof(e->text));
		e->until = (uint32_t)until;
	}
	e->text[map] = t;
}

void
answercache_forget(struct answercache *c, const char *domain)
{
	uint64_t fa;
	uint32_t fb;

	if (find(c, domain, &fa, &fb) != NULL)
		remove_at(c, slot(c, fa, fb));
}

void
answercache_stats(const struct answercache *c, struct answercache_stats *st)
{
	st->domains = c->n;
	st->texts = c->ntexts;
	st->text_bytes = c->alen > TEXT_FIRST ? c->alen - TEXT_FIRST : 0;
	st->bytes = c->cap * sizeof(*c->e) + c->nindex * sizeof(*c->index) + c->acap
	    + c->ntindex * sizeof(*c->tindex);
	st->clears = c->clears;
}
