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

/* decision_record - write one record for today, durable against a crash
 * of the process (not of the machine) at once, and on disk with the next
 * durable commit or checkpoint; a failure is logged, once until a record
 * is written again, and never waited for */
void decision_record(struct store *st, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen);

#endif
