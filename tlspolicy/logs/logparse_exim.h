/*
 * logparse_exim - one Exim main-log line to one event.
 *
 * Pure and bounded, like logparse_postfix: the line is read through
 * explicit lengths, at most LOGPARSE_LINE_MAX bytes (a longer line is
 * refused whole), and every field is copied with a limit.  Layouts:
 *   file     "YYYY-MM-DD HH:MM:SS[.mmm][ +HHMM] [[PID] ]MSGID MESSAGE"
 *            (log_file_path; local time unless a zone is logged)
 *   syslog   "Mmm dd HH:MM:SS host exim[PID]: " (traditional, Debian's
 *            rsyslog) or "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm) host
 *            exim[PID]: " (RFC 3339) around the file layout, with or
 *            without Exim's own time stamp (syslog_timestamp), which wins
 *            when present.  A tag other than exim or exim4 is EXIM_SKIP.
 *            Of a long line split by Exim ("[n\m] ") the first part is
 *            parsed, the others are EXIM_OTHER.
 * Message ids: Exim <= 4.96 "xxxxxx-xxxxxx-xx", >= 4.97
 * "xxxxxx-xxxxxxxxxxx-xxxx" (base 62; base 36 on case-insensitive
 * systems).  A line without a message id (daemon start, queue runs) is
 * EXIM_OTHER.
 *
 * Lines of interest (SPEC 5.4):
 *   EXIM_DELIVERED   "=> ADDR ..." (first of a transaction), "-> ADDR ..."
 *                    (more = 1: a further recipient, same transaction),
 *                    ">> ADDR ..." (cutthrough)
 *   EXIM_DEFERRED    "== ADDR ... defer (ERRNO)[: strerror] [H=...]: TEXT"
 *   EXIM_FAILED      "** ADDR ...: TEXT"
 *   EXIM_SUPPRESSED  "*> ADDR ..." (not delivered: -N)
 *   EXIM_HOST_ERROR  "H=HOST [IP][:PORT]: TEXT" (one host failed, more to try)
 *   EXIM_VERIFY      "[IP] SSL verify error: TEXT" (OpenSSL builds)
 *   EXIM_UNENCRYPTED "TEXT: delivering unencrypted to H=HOST [IP] (not in
 *                    hosts_require_tls)" (TLS failed, clear text retried)
 *   EXIM_DANE_FAILED "DANE attempt failed; TLS connection to HOST [IP]: TEXT"
 *   EXIM_RECEIVED    "<= SENDER ..." (rcpt: the envelope sender, "" for "<>")
 *   EXIM_CERT        "tlspolicyd: cert H=HOST [IP] depth=N
 *                    notbefore="Mmm dd HH:MM:SS YYYY UTC"
 *                    notafter="Mmm dd HH:MM:SS YYYY UTC" names=BASE64"
 *                    (written by contrib/exim's tls:cert event; see below)
 *   EXIM_DANE        "tlspolicyd: dane H=HOST [IP] result=TYPE" (contrib/exim's
 *                    dane:fail event; TYPE one of tlsrpt_result_type(),
 *                    else the line is EXIM_OTHER; kept in text)
 * Every other line with a message id is EXIM_OTHER ("Completed",
 * GnuTLS's "H=HOST [IP] TLS error on connection (recv): ..." when a
 * continued connection is handed over).
 *
 * Incoming SMTP (the clients that connect to this Exim; mostly lines
 * without a message id):
 *   EXIM_IN_TLS_FAILED "TLS error on connection from CLIENT
 *                    (gnutls_handshake): TEXT" (a STARTTLS handshake
 *                    failed; OpenSSL builds: "(SSL_accept): TEXT" or
 *                    "SSL_accept: TEXT"); other operations ("(recv)") are
 *                    EXIM_OTHER
 *   EXIM_IN_NOMAIL   "no MAIL in SMTP connection from CLIENT D=TIME
 *                    [A=AUTH] [X=CIPHER CV=...] C=..." (+smtp_no_mail: a
 *                    connection over, no MAIL command in it)
 *   EXIM_IN_REJECTED "H=CLIENT [X=CIPHER CV=...] [F=<SENDER>] ...
 *                    rejected ..." (an ACL's refusal; with a message id
 *                    after DATA)
 * and EXIM_RECEIVED ("<= SENDER ...") when it names a client.  CLIENT is
 * "[NAME ][(HELO) ][ADDR][:PORT][ I=[ADDR]:PORT][ U=IDENT]": addr and
 * port (+incoming_port) are the client's.  cipher (X=, '*': resumed) and
 * cv (CV=) are taken only where Exim writes them, right after the fields
 * that come from Exim itself or are checked by it (the sender of "<="
 * with its quotes, R=, DS, H=, TFO, U=, P= and bare flags; D= and A= of
 * "no MAIL"): never after F=, S=, DN=, A=, id= or T=, which a client
 * chooses, so that no sender, subject or certificate can claim a cipher.
 * (An ident answer, U=, or an authenticated id, A= of "no MAIL", with a
 * blank in it could still; Exim asks ident servers of no remote host by
 * default.)  text: the TLS library's error text of EXIM_IN_TLS_FAILED.
 *
 * Fields of the address lines, each optional, from the key=value items
 * after the address: R= router, T= transport, H=HOST[ DS] [IP][:PORT][*]
 * (mx, dnssec, addr, port, continued), X=CIPHER[*] (cipher, resumed),
 * CV=yes|no|dane, DN="..." (peerdn), SNI=, C="..." (confirmation, kept in
 * text for deliveries).  Each key counts once (the first), and a quoted
 * value ends at the first quote followed by the end of the line, ": ", or
 * a space and a key or a bare flag (K, L): a server's DN or reply cannot
 * change fields that Exim logs before it, nor hide the line.  Bare flags
 * and other keys (S=, I=, F=, P=, A=, QT=, DT=...) are passed over.
 *
 * What the server or the sender chooses is checked before it is kept; a
 * field that fails its check is left empty, the event still counts:
 *   mx, sni   a host name as logparse_host() makes it, else ""
 *   addr      an IPv4 or IPv6 address, else ""
 *   rcpt      clean text (text.h) without spaces, else "";
 *             domain: domain_normalize() of what follows its last '@'
 *   cipher, router, transport   printable ASCII without spaces, else ""
 *   peerdn, text   clean text cut to the buffer
 *   msgid, host    printable ASCII (they key the correlation), else the
 *             line is EXIM_SKIP
 *
 * EXIM_CERT: the key=value items after "H=HOST [IP]" in any order, each
 * optional.  depth: 0..99, else -1.  notbefore, notafter: GnuTLS's
 * "Mmm dd HH:MM:SS YYYY UTC" (a one-digit day after two spaces, or after
 * one, or zero-padded), or the same ending in GMT (OpenSSL builds); a
 * date that does not parse leaves its bit of dates clear.  names: the
 * base64 of Exim's ${certextract{subj_altname}...}, elements "TAG=value"
 * separated by newlines or ';'; of them the "DNS=" names that
 * domain_normalize() accepts (a "*." wildcard label first allowed), in
 * lower case, at most EXIM_NAMES_MAX (the rest are dropped); names_known
 * is 0 when names is missing or not valid base64.
 */
#ifndef TLSPOLICY_LOGPARSE_EXIM_H
#define TLSPOLICY_LOGPARSE_EXIM_H

#include <stddef.h>
#include <time.h>

#include "domain.h"
#include "logparse_postfix.h"

enum exim_kind {
	EXIM_SKIP,              /* garbage, too long, or not Exim */
	EXIM_OTHER,             /* an Exim line of no interest */
	EXIM_DELIVERED,         /* "=>", "->", ">>" */
	EXIM_DEFERRED,          /* "==" */
	EXIM_FAILED,            /* "**" */
	EXIM_SUPPRESSED,        /* "*>" */
	EXIM_HOST_ERROR,        /* "H=HOST [IP]: TEXT" */
	EXIM_VERIFY,            /* "[IP] SSL verify error: TEXT" */
	EXIM_UNENCRYPTED,       /* "...: delivering unencrypted to H=HOST [IP] ..." */
	EXIM_DANE_FAILED,       /* "DANE attempt failed; TLS connection to HOST [IP]: TEXT" */
	EXIM_RECEIVED,          /* "<= SENDER ..." */
	EXIM_CERT,              /* "tlspolicyd: cert H=HOST [IP] depth=N ..." */
	EXIM_DANE,              /* "tlspolicyd: dane H=HOST [IP] result=TYPE" */
	EXIM_IN_TLS_FAILED,     /* "TLS error on connection from CLIENT (gnutls_handshake): TEXT" */
	EXIM_IN_NOMAIL,         /* "no MAIL in SMTP connection from CLIENT ..." */
	EXIM_IN_REJECTED,       /* "H=CLIENT ... rejected ..." */
};

#define EXIM_NAMES_MAX 32           /* DNS names kept of a certificate */
#define EXIM_NOTBEFORE 1            /* bits of exim_event.dates */
#define EXIM_NOTAFTER 2

enum exim_cv {
	EXIM_CV_UNKNOWN,        /* no CV= */
	EXIM_CV_NO,
	EXIM_CV_YES,
	EXIM_CV_DANE,
};

/*
 * What Exim's own failure text says about TLS (tls_error), told from its
 * start only (after an optional "TLS session: "), so that a server's
 * reply quoted in a text ("SMTP error from remote mail server after
 * ...: 550 ...") cannot pass for one.  Debian's GnuTLS build says
 * "certificate invalid" for an expired, a not yet valid, a self-signed
 * and an untrusted certificate alike, and gives no reason at all for a
 * name mismatch: the text cannot tell these apart.
 */
enum exim_tls {
	EXIM_TLS_NONE,          /* no TLS problem named */
	EXIM_TLS_NOT_OFFERED,   /* "a TLS session is required, but the server did not offer TLS support" */
	EXIM_TLS_START_FAILED,  /* "a TLS session is required, but an attempt to start TLS failed" */
	EXIM_TLS_CERT_INVALID,  /* "(certificate verification failed): certificate invalid" */
	EXIM_TLS_CERT_REVOKED,  /* "(certificate verification failed): certificate revoked" */
	EXIM_TLS_CERT_NOREASON, /* "(certificate verification failed)" and nothing more */
	EXIM_TLS_CERT_OTHER,    /* "(certificate verification failed): " another reason */
	EXIM_TLS_DANE_MISMATCH, /* "(certificate verification failed): Verification failed. The certificate differs." */
	EXIM_TLS_TLSA_DEFER,    /* "DANE error: tlsa lookup DEFER" (no usable answer, e.g. bogus) */
	EXIM_TLS_TLSA_FAIL,     /* "DANE error: tlsa lookup FAIL" */
	EXIM_TLS_DANE_ERROR,    /* another "DANE error: " ("... lookup not DNSSEC") */
	EXIM_TLS_HANDSHAKE,     /* "(gnutls_handshake): ...", "(SSL_connect): ..." */
};

#define EXIM_ERRNO_NONE 0x7fffffff   /* no "defer (N)" */

struct exim_event {
	enum exim_kind kind;
	time_t when;                      /* UTC seconds */
	unsigned msec;                    /* +millisec, else 0 */
	char host[64];                    /* syslog: the logging host; file: "" */
	unsigned long pid;                /* +pid or the syslog tag, else 0 */
	char msgid[24];
	int more;                         /* "->": a further recipient */
	char rcpt[256];
	char domain[DOMAIN_MAX + 1];      /* of rcpt */
	char router[64];
	char transport[64];
	char mx[DOMAIN_MAX + 1];          /* H= name */
	char addr[48];                    /* H= [address]; incoming: the client's */
	unsigned port;                    /* +outgoing_port (incoming: +incoming_port), else 0 */
	int dnssec;                       /* " DS" after the name */
	int continued;                    /* '*' after the address: no new connection */
	char cipher[128];                 /* X=, "" without TLS */
	int resumed;                      /* '*' after X= */
	enum exim_cv cv;
	char peerdn[256];                 /* DN= */
	char sni[DOMAIN_MAX + 1];         /* SNI= */
	int defer_errno;                  /* "defer (N)", else EXIM_ERRNO_NONE */
	char text[512];                   /* failure text; C= of a delivery */
	enum exim_tls tls_error;          /* of text: DEFERRED, FAILED, HOST_ERROR,
	                                   * UNENCRYPTED, DANE_FAILED */
	/* EXIM_CERT */
	int depth;                        /* -1: unknown */
	int dates;                        /* EXIM_NOTBEFORE | EXIM_NOTAFTER: known */
	time_t notbefore, notafter;
	int names_known;
	size_t nnames;
	char names[EXIM_NAMES_MAX][DOMAIN_MAX + 1];
};

/*
 * logparse_exim - parse line[0..len) (no newline).  now anchors the year
 * of a syslog envelope (only used when Exim's own timestamp is absent).
 * Returns ev->kind.
 */
enum exim_kind logparse_exim(const char *line, size_t len, time_t now, struct exim_event *ev);

const char *logparse_exim_kind_name(enum exim_kind kind);
const char *logparse_exim_tls_name(enum exim_tls tls);

#endif
