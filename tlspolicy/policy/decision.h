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
 */
#ifndef TLSPOLICY_DECISION_H
#define TLSPOLICY_DECISION_H

#include <stddef.h>
#include <time.h>

struct store;

/* decision_day - the current UTC day as a number (days since 1970) */
long decision_day(void);
/* decision_daystr - "YYYY-MM-DD", the UTC day of t, into out */
void decision_daystr(time_t t, char out[11]);

/*
 * decision_record - write one record for today.  When the store cannot
 * take it (lent to a client, disk full), the record waits in a queue of
 * the process, at most DECISION_QUEUE_MAX bytes of keys and values (a
 * record over the bound is dropped and counted), until decision_flush.
 */
#define DECISION_QUEUE_MAX ((size_t)8 << 20)
void decision_record(struct store *st, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen);
/* decision_flush - write the queued records in their order; stops at the
 * first failure (the rest stay queued).  Returns the number left. */
size_t decision_flush(struct store *st);
/* decision_queue_stats - records queued now, and dropped so far */
void decision_queue_stats(size_t *queued, unsigned long long *dropped);

#endif
