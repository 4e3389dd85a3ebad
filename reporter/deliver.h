/*
 * deliver - one day's report of one policy domain to the addresses of
 * its TLSRPT record, and the delivery files of --dry-run and
 * report_archive_directory.
 *
 * mailto: addresses get an e-mail through sendmail, https: ones a POST.
 * Each (day, domain, address) has a delivery record (state.h): an
 * address already delivered to is skipped, a failed one is retried when
 * due, and once any address has the report an earlier failure elsewhere
 * is not retried (RFC 8460 asks for one delivery).  With dry_run set the
 * messages and JSON reports are written to that directory instead and no
 * delivery state changes.  Outcomes are logged and counted in the
 * context.
 */
#ifndef TLSPOLICY_DELIVER_H
#define TLSPOLICY_DELIVER_H

#include <stddef.h>
#include <time.h>

#define DELIVER_REPORT_MAX ((size_t)64 << 20)   /* JSON or gzip'd report; the
                                                   message may be twice that */

struct buf;
struct dns;
struct evloop;
struct endpoint;
struct https_client;
struct message_info;
struct store;
struct tlsrpt_record;

struct deliver_ctx {
	struct store *st;             /* all borrowed from the caller */
	struct evloop *loop;
	struct dns *dns;
	struct https_client *hc;
	const struct endpoint *control;   /* to borrow st back, or NULL */
	const char *sendmail_path;
	const char *from;             /* envelope sender */
	const char *dry_run;          /* directory, or NULL */
	time_t now;
	unsigned sent, failed, skipped;   /* counted here */
	unsigned already;             /* sent on an earlier run */
	unsigned waiting;             /* failed before, retried when due */
	unsigned written;             /* dry-run files */
};

/* deliver_report - the report (json, and gz its gzip'd form) of domain on
 * day to every address of rec; mi describes the message (its to is set
 * here, per address) */
void deliver_report(struct deliver_ctx *x, const char *day, const char *domain,
    const struct tlsrpt_record *rec, const struct buf *json, const struct buf *gz,
    const struct message_info *mi);

/* deliver_archive - keep gz in dir under the report's file name, unless a
 * file of that name is there already; 0 or -1 (logged) */
int deliver_archive(const char *dir, const struct message_info *mi, const struct buf *gz);

#endif
