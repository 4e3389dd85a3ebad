/*
 * eximsessions - join Exim main-log events (logparse_exim) into SMTP
 * session outcomes (SPEC 5.4, "Correlation for Exim"): the counterpart of
 * sessions for Postfix, with the same struct session_outcome, callback
 * and exactly-once contract (eximsessions_save/load).
 *
 * State is kept per message ("host msgid"; host is "" in the file
 * layout).  Rules:
 *   - One TLS session per "=>" (or ">>" cutthrough) line without '*'
 *     after the address; "->" lines (more recipients of the same
 *     transaction) and continued connections ('*') are no new session.
 *     X= present: a TLS session, trust VERIFIED for CV=yes or CV=dane,
 *     UNTRUSTED for CV=no (with result_type: what enforce mode would have
 *     failed with, see below), TRUSTED when CV= is not logged; no X=: a
 *     plaintext session.
 *   - A "==" or "**" line whose text names a TLS problem (exim_tls) is a
 *     failed session.  One delivery attempt writes one such line per
 *     recipient: lines of the same message with the same host address and
 *     text are one session when written by the same process (+pid, or the
 *     syslog tag's pid), or, without a pid, when each comes within 60
 *     seconds of log time of the previous one (two real attempts that
 *     close together then count once).  Deferrals without a TLS problem
 *     (connection refused, a 4xx reply, even after TLS was up) are not
 *     counted: they say nothing about TLS.  A "==" line of the router
 *     tlspolicy_enforce_nomx (contrib/exim: no MX host matches the MTA-STS
 *     policy, none contacted) is one failure certificate-host-mismatch
 *     "mx-not-in-policy" per attempt, without an MX host.
 *   - Host-level lines with a TLS problem ("H=HOST [IP]: TEXT", "DANE
 *     attempt failed; ...", "...: delivering unencrypted to H=...") wait
 *     for the next address line of the message, which names the recipient
 *     domain: a "=="/"**" line with a TLS problem for the same address (or
 *     without H= and the same problem) is the same session, counted once;
 *     otherwise the waiting line is a session of its own, and a "=>"
 *     without X= to its address (clear text retried) is no second one.
 *   - A failure's result type: not offered -> starttls-not-supported;
 *     STARTTLS or handshake failed -> validation-failure (the text as
 *     reason); "The certificate differs" -> validation-failure
 *     (as Postfix's "no matching DANE TLSA records"); "tlsa lookup
 *     DEFER|FAIL" -> dnssec-invalid; another "DANE error" -> dane-required;
 *     a "tlspolicyd: dane" line for the message and address wins over all
 *     these, except that its validation-failure (Exim's type for every
 *     failed DANE handshake) does not replace a more precise type.  Certificate failures (and CV=no successes): with a depth-0
 *     "tlspolicyd: cert" line for the message and address seen before,
 *     outside its validity at the time of the line -> certificate-expired,
 *     else the MX name matched by none of its DNS names (RFC 6125: exact,
 *     or "*." as the whole left-most label) -> certificate-host-mismatch,
 *     else certificate-not-trusted; without one, an OpenSSL "SSL verify
 *     error" line for the address (sessions_verify_type()), else GnuTLS's
 *     bare "(certificate verification failed)" -> certificate-host-mismatch
 *     (it gives no reason only for a wrong name), "certificate invalid" and
 *     CV=no -> certificate-not-trusted, others -> validation-failure.
 *   - Messages of the reporter's envelope sender ("<=" line) are not
 *     counted (eximsessions_excluded()).
 * Bounded: at most a few addresses, waiting lines and attempts per
 * message, EXIMSESSIONS_MSGS_MAX messages (when full, those with nothing
 * waiting or counted go first, then those silent for five minutes, then
 * all); a message silent for an hour of log time is forgotten, one with
 * nothing waiting or counted (only certificate lines) after ten minutes;
 * driven by the log's own times, so a replay after a restart forgets at
 * the same lines.  Pure: no I/O.
 */
#ifndef TLSPOLICY_EXIMSESSIONS_H
#define TLSPOLICY_EXIMSESSIONS_H

#include <stddef.h>

#include "sessions.h"

#define EXIMSESSIONS_MSGS_MAX 8192

struct exim_event;
struct eximsessions;
struct buf;

/* eximsessions_new - outcomes go to emit(arg, ...); arg is kept */
struct eximsessions *eximsessions_new(session_emit *emit, void *arg);
void eximsessions_free(struct eximsessions *x);
void eximsessions_feed(struct eximsessions *x, const struct exim_event *ev);

/* eximsessions_exclude_sender - do not count the messages of this
 * envelope sender (copied; NULL or "" for none) */
void eximsessions_exclude_sender(struct eximsessions *x, const char *sender);
/* eximsessions_excluded - sessions not counted for that reason so far */
unsigned long eximsessions_excluded(const struct eximsessions *x);

/*
 * eximsessions_save - the whole correlation state into out (record.h
 * encoding); -1 if out is too small.  eximsessions_load - restore it; -1
 * (and an empty state) if data is not a state this version wrote.
 */
int eximsessions_save(const struct eximsessions *x, struct buf *out);
int eximsessions_load(struct eximsessions *x, const void *data, size_t len);

#endif
