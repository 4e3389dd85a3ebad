/*
 * incoming - the TLSRPT reports received about our domains, in the
 * store's "incoming" database.
 *
 * Three records per report, all keyed by text:
 *
 *   "r:" DAY TAB ORG TAB REPORT-ID  -> the parsed report (record.h encoding:
 *                                     when and how it was received, its
 *                                     policies and their counts by result type)
 *   "j:" DAY TAB ORG TAB REPORT-ID  -> the report JSON as received
 *   "i:" ORG TAB REPORT-ID          -> DAY (the duplicate check)
 *
 * DAY is the UTC day the report's date-range starts on.  A report whose
 * organization and report-id were stored before is a duplicate and is
 * not stored again, whatever it holds.  The parsed record and the JSON
 * are purged together after the retention period (incoming_retention).
 *
 * The steps after a transport has the report's bytes are the same for
 * mail and HTTPS: rptparse_body(), incoming_keep_domains(), then
 * incoming_store() with via "mail" or "https" and how the sender was
 * trusted.
 */
#ifndef TLSPOLICY_INCOMING_H
#define TLSPOLICY_INCOMING_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rptparse.h"

struct store;
struct buf;
struct strmap;

#define INCOMING_DUPLICATE 1
#define INCOMING_RAW_MAX ((size_t)1000 * 1000)   /* JSON kept; a longer one is not */

struct incoming_rec {
	struct rpt_report r;
	char trust[RPT_TEXT_MAX];   /* how the sender was trusted ("dkim d=example.org") */
	char via[32];               /* "mail", "https" */
	uint64_t received;          /* seconds since the epoch */
};

/* incoming_keep_domains - only the policies of r whose policy-domain is
 * in domains (report_domains; NULL: none) stay; the others' domains are
 * named in others[olen] and, when some stay, in r's notes.  The number
 * that stay: 0 means the report is not about our domains. */
size_t incoming_keep_domains(struct rpt_report *r, const struct strmap *domains, char *others,
    size_t olen);

/* incoming_store - keep r, received at now, with its JSON raw[0..rawlen)
 * (not kept when longer than INCOMING_RAW_MAX, said in the notes); one
 * durable transaction.  0 when stored,
 * INCOMING_DUPLICATE when the organization's report-id is known already,
 * -1 on a store error (store_strerror) */
int incoming_store(struct store *st, const struct incoming_rec *rec, const char *raw,
    size_t rawlen);

/* incoming_foreach - fn for every stored report, of day only unless day
 * is NULL, in key order (day, organization, report-id); rec borrowed for
 * the call.  0, or -1 on a store error */
int incoming_foreach(struct store *st, const char *day,
    void (*fn)(void *arg, const struct incoming_rec *rec), void *arg);

/* incoming_raw - the JSON kept for (day, org, id) into out; 0,
 * STORE_NOTFOUND or -1 */
int incoming_raw(struct store *st, const char *day, const char *org, const char *id,
    struct buf *out);

/* incoming_purge - delete the reports of days before cutoff (YYYY-MM-DD);
 * the number deleted, or -1 */
long incoming_purge(struct store *st, const char *cutoff);

/* incoming_encode / incoming_decode - the "r:" record (exposed for tests
 * and fuzzing); decode returns 0 or -1 for a record that does not read */
int incoming_encode(const struct incoming_rec *rec, struct buf *out);
int incoming_decode(const void *data, size_t len, struct incoming_rec *rec);

#endif
