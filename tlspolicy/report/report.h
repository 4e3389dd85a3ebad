/*
 * report - one UTC day's session counts from the store, and the RFC 8460
 * JSON reports built from them (json-c).
 *
 * report_day_load() reads every result record of the day into policy
 * domains, each with its policies (sts + id, tlsa + base domain,
 * no-policy-found) and their summary and failure details.  A report for a
 * recipient domain holds all its policies; a host report for a TLSA base
 * domain holds the tlsa policies of that base, summed over the recipient
 * domains whose mail went to it.  Policy strings and MX patterns come from
 * the decision records of the same day; the counts are the stored ones,
 * never recomputed.  report_detail_json() builds one RFC 8460
 * failure-details entry for every program that prints them.
 */
#ifndef TLSPOLICY_REPORT_H
#define TLSPOLICY_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "domain.h"

struct store;
struct buf;
struct strmap;
struct json_object;

struct report_detail {
	char result[40], sendip[48], mx[DOMAIN_MAX + 1], rip[48], reason[160];
	uint64_t count;
};

struct report_policy {
	char domain[DOMAIN_MAX + 1];   /* the recipient domain it was counted for */
	char ptype[16];
	char pkey[DOMAIN_MAX + 1];
	uint64_t successes, failures;
	size_t ndetails;
	struct report_detail *details;
};

struct report_domain {
	char domain[DOMAIN_MAX + 1];
	size_t npolicies;
	struct report_policy *policies;
	uint64_t failures;
};

struct report_day {
	char day[11];
	time_t start;                   /* 00:00:00 UTC */
	size_t ndomains;
	struct report_domain *domains;  /* in domain order */
};

struct report_meta {
	const char *organization;
	const char *contact;
	const char *submitter;
};

/* report_day_load - the results of day (YYYY-MM-DD), the caller's to
 * report_day_free(); st is used during the call only.  NULL on a store
 * error (reason from store_strerror) */
struct report_day *report_day_load(struct store *st, const char *day);
void report_day_free(struct report_day *d);

/* report_tlsa_bases - calls fn once for each TLSA base domain of the
 * day's tlsa policies that is not the recipient domain itself (base
 * borrowed from d) */
void report_tlsa_bases(const struct report_day *d, void (*fn)(void *arg, const char *base),
    void *arg);

/* report_id - "YYYYMMDD.DOMAIN.START@SUBMITTER", the same on every run */
void report_id(const struct report_day *d, const char *domain, const char *submitter,
    char *out, size_t outlen);

/*
 * report_json - the report for policy domain: with host 0 the recipient
 * domain's report (all its policies), with host 1 the host report of a
 * TLSA base domain.  Appends the JSON text to out; 0, or -1 if there is
 * nothing to report or out is full.
 */
int report_json(struct store *st, const struct report_day *d, const struct report_meta *m,
    const char *domain, int host, struct buf *out);

/* report_host_wanted - should the host report of TLSA base domain base,
 * whose TLSRPT record names the addresses rua (the URIs joined by ","),
 * be sent?  Only where it reaches someone the reports of the recipient
 * domains using that base do not: ruas maps each recipient domain
 * reported on to its addresses in the same form. */
int report_host_wanted(const struct report_day *d, const char *base, const char *rua,
    const struct strmap *ruas);

/* report_detail_json - one failure-details entry (a new object, the
 * caller's); result is the result type (unknown ones are reported as
 * validation-failure), empty strings are left out */
struct json_object *report_detail_json(const char *result, const char *sendip, const char *mx,
    const char *rip, const char *reason, uint64_t count);

#endif
