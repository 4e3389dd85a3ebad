/*
 * webstatus - the status page "/" (HTML, no scripts, no external
 * assets) and the JSON API under "/api/v1/" of the HTTP side (http.h).
 *
 *   /                          version, uptime, listeners, resolver,
 *                              policy cache, sessions of today and
 *                              yesterday per domain (worst first), report
 *                              deliveries, a chart of sessions per day
 *   /api/v1/status             the same as JSON
 *   /api/v1/policy/DOMAIN      the answer for DOMAIN and why, as
 *   /api/v1/policy?domain=D    "tlspolicyctl query" gives it: a domain
 *                              not cached is resolved, and the answer
 *                              waits for it (at most lookup_timeout) as
 *                              a socketmap lookup would; 400 for a bad
 *                              name
 *   /api/v1/results/DAY        the session counts of DAY (YYYY-MM-DD,
 *                              "today" or "yesterday"), as "tlspolicyctl
 *                              results --json"
 *   /api/v1/reports            the report deliveries
 *   /api/v1/incoming           the TLSRPT reports received about our
 *                              domains (report_domains) whose date-range
 *                              starts on ?day=YYYY-MM-DD, or on one of the
 *                              last ?days=N days (7 unless said), of
 *                              ?domain=D only if given: each report, and a
 *                              summary per our domain and reporting
 *                              organization, failures worst first; with
 *                              ?day=, the failure details of the reports
 *                              as received
 *
 * The page shows the incoming reports of the last 7 days the same way.
 * Every string that came from the network or a log (domains, reasons,
 * host names, policies) is escaped: in HTML with html_escape(), in JSON
 * through json-c with jsontext (valid UTF-8).  Pages are written into a
 * bounded buffer; rows past a limit are left out and said to be.
 */
#ifndef TLSPOLICYD_WEBSTATUS_H
#define TLSPOLICYD_WEBSTATUS_H

struct buf;
struct daemon;
struct webstatus_wait;

/* a request: its path, its query arguments and, for an answer that
 * waits, whom to give it to */
struct webstatus_req {
	const char *url;                 /* path, without the query */
	/* the value of query argument name, or NULL */
	const char *(*arg)(void *ctx, const char *name);
	/* a page that waited: code, content type (static) and the page
	 * (borrowed for the call) */
	void (*done)(void *ctx, unsigned code, const char *ctype, const struct buf *page);
	void *ctx;
	struct webstatus_wait *wait;     /* set when WEBSTATUS_PENDING */
};

#define WEBSTATUS_PENDING 0

/* webstatus_page - the page for req into out; returns the HTTP status
 * code and sets *ctype (a static string).  Or WEBSTATUS_PENDING: the
 * answer waits for a resolution and comes through req->done, once, from
 * the event loop, unless req->wait is cancelled first. */
unsigned webstatus_page(struct daemon *d, struct webstatus_req *req, struct buf *out,
    const char **ctype);
/* webstatus_cancel - a waiting page is not wanted any more: done is not
 * called */
void webstatus_cancel(struct webstatus_wait *w);

#endif
