/*
 * rptparse - an incoming TLSRPT report (RFC 8460 section 4, JSON) read
 * into a bounded structure.
 *
 * Pure: no I/O, no logging.  The JSON is parsed by json-c with a nesting
 * limit; strings are kept as clean text (text.h), cut to their fields.
 * The report must have an organization-name, a report-id, a date-range
 * and a "policies" array; everything else is taken as far as it can be
 * understood, and what cannot is recorded in the report's notes rather
 * than refused.  Real senders' known deviations are accepted and noted:
 *
 *   - "mx-host" as one string instead of an array;
 *   - date-times without a time zone (read as UTC);
 *   - a tlsa policy-string holding several records in one string;
 *   - policy types other than "sts", "tlsa" and "no-policy-found"
 *     (kept as they are, noted);
 *   - draft-era key names: "mx-host-pattern", "total-failed-session-count",
 *     "failure-session-count", the summary counters at the policy's top
 *     level, and a "policy-domain" given as a list;
 *   - counts given as strings of digits;
 *   - result types not in RFC 8460 section 4.3 (kept and noted).
 *
 * Entry points: rptparse_json() for JSON text, and rptparse_body() for
 * what a transport hands over, with its declared content type
 * (application/tlsrpt+gzip, application/tlsrpt+json, or a gzip body
 * recognised by its magic bytes): mail (after mime.h found the part) and
 * an HTTPS POST (RFC 8460 section 5.3) go through the same code.
 */
#ifndef TLSPOLICY_RPTPARSE_H
#define TLSPOLICY_RPTPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "domain.h"

struct buf;

#define RPT_JSON_MAX ((size_t)8 * 1024 * 1024)  /* decompressed report */
#define RPT_POLICIES_MAX 64
#define RPT_RESULTS_MAX 24     /* distinct result types per policy */
#define RPT_TEXT_MAX 256
#define RPT_NOTES_MAX 1024

struct rpt_result {
	char type[64];
	uint64_t count;
};

struct rpt_policy {
	char ptype[32];                 /* as sent (clean text) */
	char domain[DOMAIN_MAX + 1];    /* policy-domain, normalized */
	char mx[RPT_TEXT_MAX];          /* mx-host patterns, joined by " " */
	unsigned nstrings;              /* policy-string entries (records) */
	uint64_t successes, failures;
	size_t nresults;
	struct rpt_result results[RPT_RESULTS_MAX];   /* failed sessions by result type */
};

struct rpt_report {
	char org[RPT_TEXT_MAX];
	char contact[RPT_TEXT_MAX];
	char id[RPT_TEXT_MAX];
	char start[32], end[32];        /* as RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ" */
	time_t tstart, tend;
	char day[11];                   /* the UTC day of start, YYYY-MM-DD */
	size_t npolicies;
	struct rpt_policy policies[RPT_POLICIES_MAX];
	char notes[RPT_NOTES_MAX];      /* what was not understood or was irregular, "; " joined */
};

/* rptparse_json - parse json[0..len) into r; 0, or -1 with why (a
 * sentence) when it is not a report that can be kept */
int rptparse_json(const char *json, size_t len, struct rpt_report *r, char *why, size_t whylen);

/*
 * rptparse_body - a report as a transport delivers it: body[0..len) with
 * its content type (NULL or "" if none was given; parameters allowed).
 * A gzip body (application/tlsrpt+gzip, or the gzip magic bytes) is
 * inflated to at most RPT_JSON_MAX bytes, a bomb refused; then
 * rptparse_json.  0, or -1 with why.
 */
int rptparse_body(const void *body, size_t len, const char *ctype, struct rpt_report *r,
    char *why, size_t whylen);

/* rptparse_datetime - an RFC 3339 date-time (or one without zone, read as
 * UTC) to seconds; 0, 1 when it had no zone, -1 if it is not one */
int rptparse_datetime(const char *s, time_t *t);

#endif
