/*
 * sessions - join Postfix log events into SMTP session outcomes (SPEC 3.8
 * and 4): one outcome per TLS session (or plaintext session, or policy
 * failure), never one per recipient, none for a reused connection.
 *
 * State is kept per (logging host, syslog name, pid): the TLS summary,
 * verification and handshake errors seen since the last status line of
 * that process.  An attempt that failed while more MX hosts were left
 * ("QUEUEID: reason") waits for the status line of the same queue ID,
 * which names the recipient domain.  Pure: no I/O; outcomes go to a
 * callback.
 */
#ifndef TLSPOLICY_SESSIONS_H
#define TLSPOLICY_SESSIONS_H

#include <time.h>

#include "domain.h"

struct logparse_event;
struct sessions;

struct session_outcome {
	time_t when;
	char host[64];                 /* the logging (sending) host */
	char domain[DOMAIN_MAX + 1];   /* recipient domain */
	char mx[DOMAIN_MAX + 1];       /* receiving MX host, "" if none */
	char addr[48];                 /* receiving IP, "" if none */
	int success;
	int tls;                       /* a TLS session (success: with this trust) */
	int trust;                     /* enum logparse_trust when tls */
	char result_type[40];          /* RFC 8460 result type of a failure */
	char reason[160];              /* failure-reason-code */
};

typedef void session_emit(void *arg, const struct session_outcome *o);

struct sessions *sessions_new(session_emit *emit, void *arg);
void sessions_free(struct sessions *s);
void sessions_feed(struct sessions *s, const struct logparse_event *ev);

/* sessions_result_type - the result type for a certificate verification
 * failure text (as logged by Postfix) */
const char *sessions_verify_type(int num, const char *text);

#endif
