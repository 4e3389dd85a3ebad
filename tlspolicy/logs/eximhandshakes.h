/*
 * eximhandshakes - incoming STARTTLS handshakes (other senders connecting
 * to our Exim) from Exim's main-log events (logparse_exim): one outcome
 * per handshake, success or failure with a bounded reason, as handshakes
 * counts them for Postfix.
 *
 * A failed handshake is one line, whatever else the connection logs:
 *
 *   [PID] TLS error on connection from CLIENT (gnutls_handshake): TEXT
 *
 * counted as a failure for handshake_reason(TEXT) ("CA is unknown":
 * unknown_ca, "Certificate is bad": bad_certificate, "The TLS connection
 * was non-properly terminated.": eof, "timed out": timeout, TLS 1.3's
 * "Decryption has failed.": other).  A successful one shows as the
 * cipher, X=, in the lines Exim writes about the connection afterwards:
 * each message received ("<="), each refusal by an ACL ("H=... X=...
 * rejected ...") and, with +smtp_no_mail, the end of a connection that
 * sent no message ("no MAIL in SMTP connection ... X=...").  Each SMTP
 * connection is one Exim process, so with +pid these lines are joined
 * by (logging host, pid) and the connection counts one success: at its
 * first such line, and not again while the process's later lines name
 * the same client address, port and cipher (another address, port or
 * cipher under the same pid is another connection: the pid was used
 * again).  A failed handshake and "no MAIL" end the process's connection
 * (after a failure Exim takes no more mail in it).  Without +pid (pid 0) nothing
 * can be joined: each "<=" and each "no MAIL" with X= counts a success
 * (one per message), refusals none (one per refused command).
 *
 * State is kept for at most EXIMHANDSHAKES_MAX processes (the least
 * recently seen is dropped: a later message of its connection is counted
 * again).  It is not saved: a connection whose messages straddle a
 * restart of the reader is counted again at its first message after it.
 * Pure: no I/O; outcomes go to a callback.
 */
#ifndef TLSPOLICY_EXIMHANDSHAKES_H
#define TLSPOLICY_EXIMHANDSHAKES_H

#include "handshakes.h"

#define EXIMHANDSHAKES_MAX 256   /* processes with state */

struct exim_event;
struct eximhandshakes;

struct eximhandshakes *eximhandshakes_new(handshakes_cb *cb, void *arg);
void eximhandshakes_free(struct eximhandshakes *h);
/* eximhandshakes_feed - one event of logparse_exim(); kinds other than
 * EXIM_IN_* and EXIM_RECEIVED are passed over */
void eximhandshakes_feed(struct eximhandshakes *h, const struct exim_event *ev);

#endif
