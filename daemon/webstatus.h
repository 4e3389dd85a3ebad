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
 *                              "tlspolicyctl query" gives it (without
 *                              waiting: a domain not known yet is looked
 *                              up in the background)
 *   /api/v1/results/DAY        the session counts of DAY (YYYY-MM-DD,
 *                              "today" or "yesterday"), as "tlspolicyctl
 *                              results --json"
 *   /api/v1/reports            the report deliveries
 *
 * Every string that came from the network or a log (domains, reasons,
 * host names, policies) is escaped: in HTML with html_escape(), in JSON
 * through json-c with jsontext (valid UTF-8).  Pages are written into a
 * bounded buffer; rows past a limit are left out and said to be.
 */
#ifndef TLSPOLICYD_WEBSTATUS_H
#define TLSPOLICYD_WEBSTATUS_H

struct buf;
struct daemon;

/* webstatus_page - the page for url into out; returns the HTTP status
 * code and sets *ctype (a static string) */
unsigned webstatus_page(struct daemon *d, const char *url, struct buf *out,
    const char **ctype);

#endif
