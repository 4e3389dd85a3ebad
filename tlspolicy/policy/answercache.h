/*
 * answercache - the socketmap answers already decided, per domain and
 * map, in a few dozen bytes a domain.
 *
 * The MTA-STS and DANE caches (mtasts.h, dane.h) keep all they know of a
 * domain (policy text, hosts, times: half a kilobyte) in memory for at
 * most policy_cache_size domains each, and read the others from the
 * store, two records a lookup.  This cache keeps only the outcome, for
 * every domain asked for: a 96-bit keyed fingerprint of the name
 * (fingerprint.h), the answer of each map (ANSWERCACHE_MAPS) or "none",
 * and the time until which it holds, 28 bytes; the answer texts are kept
 * once however many domains share them ("dane-only", the "secure
 * match=..." of domains hosted alike).  resolve.c answers from it first
 * and puts there what the sources decide, to hold until the first moment
 * a lookup would make a source look again (resolve.h); a source that
 * learns something new of a domain forgets it here at once.
 *
 * Bounded: at most max domains, and ANSWERCACHE_TEXT_AVG bytes of answer
 * text per domain of max; when a new domain or text would pass either
 * bound, everything is forgotten (counted) and the cache fills again from
 * the sources.
 */
#ifndef TLSPOLICY_ANSWERCACHE_H
#define TLSPOLICY_ANSWERCACHE_H

#include <stddef.h>
#include <time.h>

/* the answers kept per domain: those of resolve.h's map names (0 and 1),
 * and the reply sent to Exim (daemon/exim.c), built from map 0's */
#define ANSWERCACHE_EXIM 2
#define ANSWERCACHE_MAPS 3
#define ANSWERCACHE_TEXT_AVG 64

struct answercache;

struct answercache_stats {
	size_t domains;               /* held now */
	size_t texts, text_bytes;     /* distinct answer texts, their bytes */
	size_t bytes;                 /* memory held by the tables */
	unsigned long long clears;    /* times everything was forgotten at a bound */
};

/* answercache_new - an empty cache of at most max domains (at least 1) */
struct answercache *answercache_new(size_t max);
void answercache_free(struct answercache *c);

/*
 * answercache_get - the answer of map (< ANSWERCACHE_MAPS) for domain, as
 * put and still held at now: 1, *answer (NULL: no policy, a borrowed text
 * otherwise, valid until the next put) and, unless until is NULL, *until
 * as put; or 0 when it is not known.
 */
int answercache_get(struct answercache *c, const char *domain, unsigned map, time_t now,
    const char **answer, time_t *until);
/* answercache_put - domain's answer of map (NULL: none) holds until
 * until; nothing is kept when until <= now.  The other map's answer is
 * kept only if it was put with the same until. */
void answercache_put(struct answercache *c, const char *domain, unsigned map,
    const char *answer, time_t until, time_t now);
/* answercache_forget - what is known of domain no longer holds */
void answercache_forget(struct answercache *c, const char *domain);
/* answercache_clear - forget everything (not counted as a clear) */
void answercache_clear(struct answercache *c);
void answercache_stats(const struct answercache *c, struct answercache_stats *st);

#endif
