/*
 * decisionlog - the log line of a decision record, which carries the
 * daemon's decisions to a collector through the mail log.
 *
 * When tlspolicyd first records a decision for a (day, domain, kind,
 * what) (decision.h), it also logs it, one bounded line:
 *
 *   decision day=2026-12-01 domain=example.com policy=sts id=20261201 value="version: STSv1\nmode: enforce\n..."
 *   decision day=... domain=... policy=tlsa base=mx.example.com value="3 1 1 AB12...\n"
 *   decision day=... domain=... policy=failure result=sts-policy-fetch-error value="HTTP 404"
 *
 * The value is the record's value with '\\', '"' and every byte outside
 * printable ASCII escaped (\\ \" \n \xHH).  A record whose line would be
 * longer than DECISIONLOG_MSG_MAX is not logged (the caller warns).
 *
 * decisionlog_parse() reads such a line back from a mail log, in the
 * traditional syslog file format or with an RFC 3339 time stamp, as
 * "HOST NAME[PID]: decision ...".  Pure and bounded like the other log
 * parsers: every field is checked (day YYYY-MM-DD, domain and TLSA base
 * lower-case LDH labels, policy id letters and digits, result type
 * lower-case letters and '-', value at most DECISIONLOG_VALUE_MAX bytes
 * decoded, no NUL); a line failing any check is no decision line.
 * Which syslog names may give decisions is the caller's choice.
 */
#ifndef TLSPOLICY_DECISIONLOG_H
#define TLSPOLICY_DECISIONLOG_H

#include <stddef.h>
#include <time.h>

#include "decision.h"
#include "domain.h"

#define DECISIONLOG_MSG_MAX 1900     /* under the log's 2048-byte message */
#define DECISIONLOG_VALUE_MAX 1800   /* value bytes, decoded */

struct buf;

struct decisionlog_event {
	char host[64];                       /* the logging host */
	char syslog_name[64];                /* the tag before "[PID]" */
	unsigned long pid;
	char day[11];                        /* YYYY-MM-DD */
	char domain[DOMAIN_MAX + 1];
	char kind[DECISION_KIND_MAX + 1];    /* "sts", "tlsa", "failure" */
	char what[DECISION_WHAT_MAX + 1];    /* id, base domain, result type */
	char value[DECISIONLOG_VALUE_MAX];   /* not NUL-terminated */
	size_t vlen;
};

/* decisionlog_format - the message of one record into out (reset
 * first); 0, or -1 when kind is unknown or the message would be longer
 * than DECISIONLOG_MSG_MAX */
int decisionlog_format(struct buf *out, const char *day, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen);

/* decisionlog_parse - line[0..len) (no newline) into ev: 1 for a
 * decision line, else 0.  now anchors a yearless time stamp. */
int decisionlog_parse(const char *line, size_t len, time_t now, struct decisionlog_event *ev);

#endif
