/*
 * resolve - from a socketmap key to a TLS policy answer.
 *
 * The order of sources is fixed: the key is normalised (domain.h); next-hop
 * forms and invalid names answer NOTFOUND at once; then the local policy
 * table answers; then domains that must have DANE answer dane-only; then
 * DANE (dane.h), which wins over MTA-STS (RFC 8461 section 2): TLSA on
 * every MX host answers dane-only, on some dane, a DNS failure or bogus
 * answer dane (Postfix then applies its own DNSSEC rules), unless an
 * unexpired MTA-STS enforce policy is cached, so an attack on DNS never
 * downgrades a domain; then MTA-STS (mtasts.h): an enforce policy answers
 * "secure match=...", testing and none answer NOTFOUND.  A domain no
 * source knows answers NOTFOUND, so Postfix applies its own default
 * level; outages never turn into TEMP (no source ever makes the lookup
 * fail).  A domain being resolved for the first time answers
 * RESOLVE_PENDING when the caller may wait for it, naming the one source
 * whose end can change the answer; resolve_watch() tells the caller when
 * that source is done, so a waiting lookup is decided again once per
 * source that ends, never more.  The result also says why, for logs and
 * for "tlspolicyctl query".
 * With an answer cache (answercache.h), what DANE and MTA-STS decide is
 * kept there and answered from there, without asking them, until the
 * first moment a lookup would make one of them look again (a policy's
 * check or expiry, a DANE result's TTL: mtasts_answer_until,
 * dane_answer_until), and never past the UTC day, whose first answer
 * records the day's decisions; the sources forget a domain there when
 * they learn something new of it (mtasts_on_change, dane_on_change).
 * Lookups that ask why (explain) always ask the sources.
 */
#ifndef TLSPOLICY_RESOLVE_H
#define TLSPOLICY_RESOLVE_H

#include <time.h>

#include "domain.h"

struct answercache;
struct dane;
struct localpolicy;
struct mtasts;
struct strmap;
struct watch;

enum resolve_status {
	RESOLVE_OK,
	RESOLVE_NOTFOUND,
	RESOLVE_PENDING,   /* first resolution in progress; only if may_wait */
};

/* The source a RESOLVE_PENDING result waits for. */
enum resolve_source {
	RESOLVE_SOURCE_NONE,
	RESOLVE_SOURCE_DANE,
	RESOLVE_SOURCE_MTASTS,
};

/* Map names: "postfix" for any Postfix, "postfix-tlsrpt" for >= 3.10. */
enum resolve_map {
	RESOLVE_MAP_POSTFIX,
	RESOLVE_MAP_POSTFIX_TLSRPT,
};

/* the sources, borrowed for each call; nothing is kept */
struct resolve_ctx {
	const struct localpolicy *local;   /* may be NULL */
	const struct strmap *dane_required; /* domains answered dane-only; may be NULL */
	struct dane *dane;                 /* may be NULL */
	struct mtasts *mtasts;             /* may be NULL */
	struct answercache *answers;       /* may be NULL; see below */
};

struct resolve_result {
	int explain;                 /* set by the caller: fill why? */
	enum resolve_status status;
	const char *answer;          /* OK: borrowed until the next lookup */
	char domain[DOMAIN_MAX + 1]; /* normalised key, "" if none */
	char why[512];               /* human-readable reason, if explain */
	enum resolve_source waiting; /* PENDING: the source still resolving */
	time_t until;                /* held in the answer cache until then, or 0 */
};

/* resolve_map_name - map a socketmap name to enum resolve_map; -1 if unknown */
int resolve_map_name(const char *name, size_t len);

/* resolve_lookup - decide the answer for key[0..len) */
void resolve_lookup(const struct resolve_ctx *ctx, enum resolve_map map,
    const char *key, size_t len, int may_wait, struct resolve_result *res);

/*
 * resolve_watch - call cb(arg) once when the resolution res waits for
 * ends; res is a RESOLVE_PENDING result of resolve_lookup() returned in
 * this event-loop callback, and then the watch is never NULL.  The
 * handle is freed after cb runs; watch_cancel() (watch.h) cancels it.
 * The caller decides again with resolve_lookup() from cb.
 */
struct watch *resolve_watch(const struct resolve_ctx *ctx, const struct resolve_result *res,
    void (*cb)(void *), void *arg);

#endif
