/*
 * results - per-day TLS session counts in the store's result database,
 * as RFC 8460 reports need them.
 *
 * One record per counter, key fields separated by tabs:
 *   DAY DOMAIN PTYPE PKEY "S"                               successes
 *   DAY DOMAIN PTYPE PKEY "F" RESULT SENDIP MX RIP REASON   failed sessions
 * DAY is the UTC day YYYY-MM-DD, DOMAIN the policy (recipient) domain,
 * PTYPE "sts", "tlsa" or "no-policy-found", PKEY the MTA-STS policy id or
 * the TLSA base domain ("" for no-policy-found).  Values are the count in
 * decimal.  Keys sort by day first, so retention walks from the front.
 *
 * A results_batch gathers count increments in memory; results_apply()
 * adds them to the stored counts inside the caller's transaction, so that
 * the counts commit together with whatever else the transaction holds
 * (the log cursor).
 */
#ifndef TLSPOLICY_RESULTS_H
#define TLSPOLICY_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "domain.h"

struct store;
struct store_txn;
struct buf;

#define RESULTS_KEY_MAX 1280   /* more than all fields at their sizes */

struct result_rec {
	char day[11];
	char domain[DOMAIN_MAX + 1];
	char ptype[16];
	char pkey[DOMAIN_MAX + 1];
	int failure;
	char result[40];
	char sendip[48];
	char mx[DOMAIN_MAX + 1];
	char rip[48];
	char reason[160];
};

/* results_key - the record key of r into out (tabs and control bytes in
 * fields become spaces); returns its length */
size_t results_key(const struct result_rec *r, char *out, size_t outlen);
/* results_parse_key - split a key back into r; -1 if malformed */
int results_parse_key(const char *key, size_t klen, struct result_rec *r);

struct results_batch;
struct results_batch *results_batch_new(void);
void results_batch_free(struct results_batch *b);
/* results_batch_add - add n to r's counter (r is copied) */
void results_batch_add(struct results_batch *b, const struct result_rec *r, uint64_t n);
/* results_batch_size - number of distinct counters waiting */
size_t results_batch_size(const struct results_batch *b);
void results_batch_clear(struct results_batch *b);
/* results_apply - add every counter of b to the store within txn; 0 or -1
 * (b is unchanged either way: clear it after the commit succeeds) */
int results_apply(struct store *st, struct store_txn *txn, const struct results_batch *b);

/* one counter: r and its count n (never 0), borrowed for the call */
typedef void results_fn(void *arg, const struct result_rec *r, uint64_t n);

/* results_foreach - fn for each counter of day ("YYYY-MM-DD"; NULL: of
 * every day), in key order; unreadable records are passed over.  0, or -1
 * on a store error (after the counters read so far). */
int results_foreach(struct store *st, const char *day, results_fn *fn, void *arg);

/* results_purge - delete the result and decision records of days before
 * cutoff ("YYYY-MM-DD"); returns the number deleted or -1.  The report
 * delivery records are the reporter's to purge (state_purge()). */
long results_purge(struct store *st, const char *cutoff);

#endif
