/*
 * decision - the records of policies served and policy failures, kept
 * for the TLSRPT reporter in the store's decision database.
 *
 * Key "YYYY-MM-DD\tDOMAIN\tKIND\tWHAT" (UTC day), value free text:
 *   KIND sts      WHAT = policy id,        value = the policy lines
 *   KIND tlsa     WHAT = TLSA base domain, value = "u s m HEX" lines
 *   KIND failure  WHAT = RFC 8460 result type, value = the detail
 * Writers record each key once per day themselves (decision_day() lets
 * them compare cheaply); a repeated write only rewrites the same record.
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

/* decision_record - write one record for today into st (borrowed for the
 * call), durable against a crash of the process (not of the machine) at
 * once, and on disk with the next durable commit or checkpoint; a failure
 * is logged, once until a record is written again, and never waited for */
void decision_record(struct store *st, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen);

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
