/*
 * handshakes - incoming STARTTLS handshakes (other senders connecting to
 * our SMTP server) from Postfix's server-side log events: one outcome per
 * handshake, success or failure with a bounded reason.
 *
 * Postfix smtpd logs a failed handshake in several lines of one process:
 *
 *   SSL_accept error from H[A]: -1
 *   warning: TLS library problem: error:0A000418:...:tlsv1 alert unknown ca:...
 *   lost connection after STARTTLS from H[A]
 *   disconnect from H[A] ehlo=1 starttls=0/1 commands=1/2
 *
 * and a successful one as "starttls=1" in the disconnect line (at every
 * smtpd_tls_loglevel; "TLS connection established from" only at 1 and
 * above).  The disconnect line is the one that counts each smtpd
 * connection once: its successful STARTTLS commands are successes, and a
 * failure is counted when an "SSL_accept error" was seen in that
 * connection, with the reason of that line ("lost connection": eof; a
 * system error text) or of the first TLS library problem after it that
 * names one (the client's TLS alert).  A STARTTLS refused before any
 * handshake (TLS not offered, a syntax error) is no handshake and is not
 * counted.  tlsproxy (postscreen's STARTTLS) logs no disconnect: its
 * "TLS connection established from" counts a success and its SSL_accept
 * error a failure, decided at its next event.
 *
 * State is kept per (logging host, syslog name, service, pid), at most
 * HANDSHAKES_MAX processes (the least recently seen is dropped: an smtpd
 * entry silently, a tlsproxy failure counted).  It is not saved: a
 * failure whose lines are split by a restart of the reader is not counted
 * (no failure is made up from a disconnect line alone, which cannot tell
 * a failed handshake from a STARTTLS refused before one).
 * Pure: no I/O; outcomes go to a callback.
 */
#ifndef TLSPOLICY_HANDSHAKES_H
#define TLSPOLICY_HANDSHAKES_H

#include "metrics.h"

struct logparse_event;
struct handshakes;

/* handshakes_cb - one handshake: success, or a failure for reason */
typedef void handshakes_cb(void *arg, int success, enum metrics_hs_reason reason);

struct handshakes *handshakes_new(handshakes_cb *cb, void *arg);
void handshakes_free(struct handshakes *h);
/* handshakes_feed - one event of logparse_postfix(); kinds other than
 * LOGPARSE_IN_* and LOGPARSE_TLS_PROBLEM are passed over */
void handshakes_feed(struct handshakes *h, const struct logparse_event *ev);

/*
 * handshake_reason - the reason a TLS library's error text names,
 * text[0..len): OpenSSL's "SSL alert number N" or "... alert NAME:"
 * (a TLS alert the client sent), "no shared cipher", "unsupported
 * protocol", "unexpected eof"; GnuTLS's alert names ("CA is unknown",
 * "Certificate is bad", ...) and error texts ("The TLS connection was
 * non-properly terminated.", "Error in the pull function.": eof; "Could
 * not negotiate a supported cipher suite.": no_shared_cipher); Postfix's
 * "lost connection", Exim's "TCP connection closed by peer" and system
 * error texts ("Connection reset by peer", "Broken pipe": eof, "timed
 * out": timeout).  METRICS_HS_OTHER when none is named ("Decryption has
 * failed.", GnuTLS's word for a TLS 1.3 client's refusal of our
 * certificate, names none).
 */
enum metrics_hs_reason handshake_reason(const char *text, size_t len);

#endif
