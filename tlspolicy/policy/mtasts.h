/*
 * mtasts - MTA-STS policy discovery, fetch and cache (RFC 8461 section 5).
 *
 * One entry per policy domain in the store, so it survives restarts; the
 * cache_max most recently used of them in memory as well, for
 * sub-millisecond answers (an entry being resolved, or not saved yet,
 * stays in memory beyond that bound).  An entry not in memory is read
 * from the store when it is asked for; while the store cannot be read (it
 * is lent), the domain is resolved as a new one, and a result without a
 * policy does not replace the policy the store has.  A walk over the
 * store, a slice at a time from the event loop, finds the policies to
 * refresh or forget and counts them by mode.  The rules:
 *  - a valid cached policy is served at once;
 *  - it is revalidated in the background when last checked more than
 *    sts_check_interval ago: the TXT id is looked up; an unchanged id
 *    extends validity without a fetch (even past max_age: the TXT record
 *    vouches for the policy, and a blocked policy host must not downgrade
 *    the domain); a changed id fetches the new policy while the old one
 *    keeps being served;
 *  - a policy counts as valid for its max_age after it was fetched or
 *    confirmed, but at least STS_MAX_AGE_MIN seconds: the lookup that
 *    waited for it is answered with it, even with "max_age: 0";
 *  - a failed fetch never drops an unexpired policy, and is retried no
 *    sooner than STS_RETRY_MIN seconds later;
 *  - no check of a domain starts within STS_CHECK_MIN seconds of the end
 *    of its last one, whatever the remote data;
 *  - policies not checked for 12 hours are refreshed proactively, each
 *    domain after its own offset within an hour more (a hash of its
 *    name), at most twice the steady rate (all policies once per 12
 *    hours) per sweep: policies fetched together do not refresh
 *    together; entries unused for 180 days are removed; a "mode: none"
 *    entry is removed once its TXT record is gone;
 *  - concurrent needs of one domain share one resolution (single flight):
 *    the TXT and address lookups run in parallel, then the HTTPS GET.
 * Failures are classified as RFC 8460 result types for the reporter.
 */
#ifndef TLSPOLICY_MTASTS_H
#define TLSPOLICY_MTASTS_H

#include <stddef.h>
#include <time.h>

#include "domain.h"
#include "sts.h"

struct buf;
struct dns;
struct evloop;
struct https_client;
struct store;
struct mtasts;
struct watch;

#define STS_RETRY_MIN 300              /* seconds between failed fetches */
#define STS_MAX_AGE_MIN 300            /* a smaller max_age counts as this */
#define STS_CHECK_MIN 10               /* seconds between checks of a domain */
#define STS_REFRESH_AGE ((time_t)12 * 3600)     /* proactive refresh after */
#define STS_REFRESH_SPREAD 3600               /* ... plus up to this */
#define STS_UNUSED_MAX ((time_t)180 * 86400)    /* forget entries unused this long */

/* mtasts_refresh_offset - the domain's own delay past STS_REFRESH_AGE,
 * in [0, STS_REFRESH_SPREAD), the same for the same name */
time_t mtasts_refresh_offset(const char *domain);
/* mtasts_refresh_budget - how many proactive refreshes one sweep (every
 * sweep_sec seconds) may start with n policies cached */
unsigned mtasts_refresh_budget(size_t n, unsigned sweep_sec);

struct mtasts_config {
	unsigned https_port;         /* 443; a test seam */
	unsigned fetch_timeout_ms;
	unsigned check_interval;     /* seconds */
	size_t cache_max;            /* entries kept in memory (at least 2) */
};

/* What the cache knows about a domain; borrowed, valid until the next
 * event-loop callback. */
struct mtasts_entry {
	char id[STS_ID_MAX + 1];      /* TXT id of the cached policy */
	int have_policy;
	enum sts_mode mode;
	unsigned max_age;
	char *policy;                 /* canonical policy text */
	char *answer;                 /* "secure match=..." (enforce only) */
	char *answer_tlsrpt;          /* the same plus TLSRPT attributes */
	time_t fetched, expires, checked, last_used, retry_after;
	const char *last_error;       /* "" or "<result-type>: <detail>", never NULL */
	void *flight;                 /* resolution in progress */
	long decided_day;             /* UTC day of the last decision recorded, */
	char decided_id[STS_ID_MAX + 1];  /* and its policy id */
	long failed_day;              /* UTC day of the last failure recorded, */
	const char *failed_type;      /* and its result type (or NULL) */
	int unsaved;                  /* the store did not take the last save */
	int stored;                   /* the store has a record of it */
	int provisional;              /* made while the store could not be read */
	time_t saved_used;            /* last_used as the store has it */
	char domain[];
};

/* mtasts_new - the cache over store (nothing is read before it is needed:
 * the first answer does not wait for the store to be read).  loop, dns,
 * https and store are borrowed and kept: they must outlive the cache;
 * cfg is copied */
struct mtasts *mtasts_new(struct evloop *loop, struct dns *dns, struct https_client *https,
    struct store *store, const struct mtasts_config *cfg);
/* mtasts_free - call after dns_free(), which ends the DNS lookups */
void mtasts_free(struct mtasts *m);
/* mtasts_save_unsaved - save again the entries the store did not take
 * (it was lent or full); returns how many are still unsaved */
size_t mtasts_save_unsaved(struct mtasts *m);

/*
 * mtasts_get - the entry for domain, created (and its first resolution
 * started) when the domain is new, so never NULL; notes its use and
 * starts a background revalidation when one is due.  *resolving says
 * whether a resolution is now in progress for it.  The entry is borrowed,
 * as struct mtasts_entry says.
 */
const struct mtasts_entry *mtasts_get(struct mtasts *m, const char *domain, int *resolving);

/*
 * mtasts_answer_until - until when e, as it is now, is served as it is
 * and a lookup would start nothing (no check due and allowed, no policy
 * expiring); 0 while it is being resolved.  Whatever changes it before
 * that is told to the mtasts_on_change function.
 */
time_t mtasts_answer_until(const struct mtasts *m, const struct mtasts_entry *e);
/* mtasts_on_change - fn(arg, domain) when what is known of domain may
 * have changed (a resolution ended, the entry was flushed or dropped) */
typedef void mtasts_changed_fn(void *arg, const char *domain);
void mtasts_on_change(struct mtasts *m, mtasts_changed_fn *fn, void *arg);

/* mtasts_watch - call cb(arg) once when the resolution of domain ends
 * (see watch.h; watch_cancel() cancels); NULL if none is in progress.
 * arg is kept until then */
struct watch *mtasts_watch(struct mtasts *m, const char *domain, void (*cb)(void *),
    void *arg);

/*
 * mtasts_decided - note that e's policy was served: once per UTC day and
 * policy id, a decision record (decision.h, kind sts) goes to the store
 * for the TLSRPT reporter.  Fetch failures are recorded the same way, once
 * per day and result type (kind failure).
 */
void mtasts_decided(struct mtasts *m, const struct mtasts_entry *e);

/* mtasts_flush - forget domain; 0, or -1 if it was not cached */
int mtasts_flush(struct mtasts *m, const char *domain);
/* mtasts_list - one line per cached domain, appended to out until it is
 * full (only those in memory while the store is not open) */
void mtasts_list(struct mtasts *m, struct buf *out);
/* mtasts_count - cached policies by mode (index enum sts_mode), and the
 * domains cached without a policy, as the last complete walk over the
 * store counted them (before the first one completes: so far) */
void mtasts_count(struct mtasts *m, unsigned long by_mode[3], unsigned long *without);
/* mtasts_describe - the entry of domain as "name: value" lines, appended
 * to out */
void mtasts_describe(struct mtasts *m, const char *domain, struct buf *out);

#endif
