/*
 * state - what the reporter has delivered, in the store's report
 * database, so that a report is never sent twice and a failed delivery is
 * retried, with backoff, for up to a day.
 *
 *   "sent\tDAY\tDOMAIN\tURI"  ->  "STATE FIRST LAST NEXT ATTEMPTS\tERROR"
 *   "bounce\tADDRESS"         ->  "COUNT FIRST LAST"
 * STATE is sent, pending (retry at NEXT) or gaveup; times are Unix
 * seconds.  An address whose reports bounced BOUNCE_LIMIT times within
 * BOUNCE_WINDOW is skipped for BOUNCE_SUPPRESS after the last bounce.
 * The "sent" records of days past result_retention are purged by the
 * reporter with state_purge(); the bounce counts age by their times.
 */
#ifndef TLSPOLICY_STATE_H
#define TLSPOLICY_STATE_H

#include <time.h>

struct store;

#define RETRY_FOR ((time_t)24 * 3600)
#define RETRY_FIRST ((time_t)5 * 60)
#define RETRY_MAX ((time_t)4 * 3600)
#define BOUNCE_LIMIT 3
#define BOUNCE_WINDOW ((time_t)14 * 86400)
#define BOUNCE_SUPPRESS ((time_t)30 * 86400)

enum delivery_state { DELIVERY_NEW, DELIVERY_SENT, DELIVERY_PENDING, DELIVERY_GAVEUP };

struct delivery {
	enum delivery_state state;
	time_t first, last, next;
	unsigned attempts;
	char error[200];
};

/* state_parse - a record's value (NUL-terminated) into d; what does not
 * parse is left zero */
void state_parse(const char *value, struct delivery *d);
int state_get(struct store *st, const char *day, const char *domain, const char *uri,
    struct delivery *d);
int state_put(struct store *st, const char *day, const char *domain, const char *uri,
    const struct delivery *d);
/* state_attempted - record an attempt's outcome (err NULL: delivered) */
void state_attempted(struct delivery *d, time_t now, const char *err);
/* state_due - should a delivery in state d be tried now? */
int state_due(const struct delivery *d, time_t now);
const char *state_name(enum delivery_state s);

/* state_bounce - count a bounce for address; state_suppressed - skip it? */
int state_bounce(struct store *st, const char *address, time_t now);
int state_suppressed(struct store *st, const char *address, time_t now);

/* state_purge - delete the delivery records of days before cutoff
 * ("YYYY-MM-DD"); the number deleted, or -1 */
long state_purge(struct store *st, const char *cutoff);

#endif
