/*
 * sessions - join Postfix log events into SMTP session outcomes (SPEC 3.8
 * and 4): one outcome per TLS session (or plaintext session, or policy
 * failure), never one per recipient, none for a reused connection.
 *
 * State is kept per (logging host, syslog name, pid): the TLS summary,
 * verification and handshake errors seen since the last status line of
 * that process.  An attempt that failed while more MX hosts were left
 * ("QUEUEID: reason") waits for the status line of the same queue ID,
 * which names the recipient domain.  A process's state is forgotten
 * after an hour of its own host's log time without a line (a day of
 * the log's time at most), so in a log merged from many hosts the lines
 * of one that arrive late, or with a skewed clock, still join their
 * sessions.  Pure: no I/O; outcomes go to a callback.
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
	char mx[DOMAIN_MAX + 1];       /* receiving MX host, "" if none or not a
	                                  host name (logparse_host()) */
	char addr[48];                 /* receiving IP, "" if none or not an
	                                  address (logparse_addr()) */
	int success;
	int tls;                       /* a TLS session (success: with this trust) */
	int trust;                     /* enum logparse_trust when tls */
	char result_type[40];          /* RFC 8460 result type of a failure (only
	                                  those of tlsrpt_result_type()); of an
	                                  untrusted success (Exim's CV=no): the
	                                  type enforce mode would have failed
	                                  with, or "" */
	char reason[160];              /* failure-reason-code, clean text (text.h) */
};

/* o is valid during the call only */
typedef void session_emit(void *arg, const struct session_outcome *o);

/* sessions_new - outcomes go to emit(arg, ...); arg is kept */
struct sessions *sessions_new(session_emit *emit, void *arg);
void sessions_free(struct sessions *s);
void sessions_feed(struct sessions *s, const struct logparse_event *ev);

/* sessions_exclude_sender - do not count the messages of this envelope
 * sender (the reporter's, copied; NULL or "" for none), recognised by
 * qmgr's "QID: from=<...>" line */
void sessions_exclude_sender(struct sessions *s, const char *sender);
/* sessions_excluded - sessions not counted for that reason so far */
unsigned long sessions_excluded(const struct sessions *s);

/*
 * sessions_save - the whole correlation state (processes, waiting
 * attempts, excluded queue IDs) into out, for a restart to continue from
 * the same line; -1 if out is too small.  sessions_load - restore it; -1
 * (and an empty state) if data is not a state this version wrote.
 */
struct buf;
int sessions_save(const struct sessions *s, struct buf *out);
int sessions_load(struct sessions *s, const void *data, size_t len);

/* sessions_verify_type - the RFC 8460 result type (a static string) for
 * a certificate verification failure: Postfix's "num=" code and text
 * (or -1 and the text of Exim's "SSL verify error: " line) */
const char *sessions_verify_type(int num, const char *text);

#endif
