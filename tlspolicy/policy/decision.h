/*
 * decision - the records of policies served and policy failures, kept
 * for the TLSRPT reporter in the store's decision database.
 *
 * Key "YYYY-MM-DD\tDOMAIN\tKIND\tWHAT" (UTC day), value free text:
 *   KIND sts      WHAT = policy id,        value = the policy lines
 *   KIND tlsa     WHAT = TLSA base domain, value = "u s m HEX" lines
 *   KIND failure  WHAT = RFC 8460 result type, value = the detail
 * Writers record each key once per day themselves (decision_day() lets
 * them compare cheaply); decision_record also remembers what it wrote
 * today, so an entry that left a writer's memory and came back does not
 * write the same record (or log line) again.
 * This module alone knows the key: readers use decision_get() and
 * decision_foreach().
 */
#ifndef TLSPOLICY_DECISION_H
#define TLSPOLICY_DECISION_H

#include <stddef.h>
#include <time.h>

struct buf;
struct store;

#define DECISION_KEY_MAX 1024
#define DECISION_VALUE_MAX ((size_t)1 << 20)
#define DECISION_KIND_MAX 15       /* "sts", "tlsa", "failure" */
#define DECISION_WHAT_MAX 255      /* a policy id, a domain, a result type */

/* decision_day - the current UTC day as a number (days since 1970) */
long decision_day(void);
/* decision_daystr - "YYYY-MM-DD", the UTC day of t, into out */
void decision_daystr(time_t t, char out[11]);

/*
 * decision_record - write one record for today into st (borrowed for the
 * call), durable against a crash of the process (not of the machine) at
 * once, and on disk with the next durable commit or checkpoint.  When the
 * store cannot take it (lent to a client, disk full), the record waits in
 * a queue of the process, at most DECISION_QUEUE_MAX bytes of keys and
 * values (a record over the bound is dropped and counted), until
 * decision_flush; never waited for.
 */
#define DECISION_QUEUE_MAX ((size_t)8 << 20)
/* It also logs the record as a decisionlog line (decisionlog.h), or a
 * warning when that would be too long. */
void decision_record(struct store *st, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen);
/* What it wrote today is remembered as 16-byte fingerprints of key and
 * value (fpset.h), at most DECISION_WRITTEN_MAX records (64 MB); past
 * that, records are written again as before. */
#define DECISION_WRITTEN_MAX ((size_t)3 << 20)
/* decision_skipped - records decision_record did not write again */
unsigned long long decision_skipped(void);
/* decision_put - decision_record's write, for the given day and without
 * the log line: a record read back from a log (decisionlog) */
void decision_put(struct store *st, const char *day, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen);
/* decision_flush - write the queued records in their order; stops at the
 * first failure (the rest stay queued).  Returns the number left. */
size_t decision_flush(struct store *st);
/* decision_queue_stats - records queued now, and dropped so far */
void decision_queue_stats(size_t *queued, unsigned long long *dropped);

/* decision_key - the record key of (day, domain, kind, what) into key,
 * which is reset first */
void decision_key(struct buf *key, const char *day, const char *domain, const char *kind,
    const char *what);

/* decision_get - the value of one record into out (reset first); 0,
 * STORE_NOTFOUND, or -1 on a store error */
int decision_get(struct store *st, const char *day, const char *domain, const char *kind,
    const char *what, struct buf *out);

/* one record: kind and what are strings; value[vlen] is borrowed for the
 * call only and not NUL-terminated */
typedef void decision_fn(void *arg, const char *kind, const char *what, const char *value,
    size_t vlen);

/* decision_foreach - fn for each record of (day, domain), in key order;
 * keys this module would not have written are passed over.  0, or -1 on
 * a store error (after the records read so far). */
int decision_foreach(struct store *st, const char *day, const char *domain, decision_fn *fn,
    void *arg);

/* decision_purge - delete the records of days before cutoff
 * ("YYYY-MM-DD"); the number deleted, or -1 */
long decision_purge(struct store *st, const char *cutoff);

#endif
