/*
 * logparse_postfix - one Postfix log line to one event.
 *
 * Pure and bounded: the line is read through explicit lengths, at most
 * LOGPARSE_LINE_MAX bytes (a longer line is refused whole, never cut into
 * a wrong result), and every field is copied with a limit.  Accepted
 * envelopes (SPEC 3.1): traditional syslog "Mmm dd HH:MM:SS" (space- or
 * zero-padded day, local time, year inferred), RFC 3339 / journald
 * short-iso(-precise), and RFC 5424.  Tags "<syslog_name>/<service>[pid]"
 * where syslog_name may hold '/' (postfix/relay) or another instance name
 * (postfix-out).  Only what the TLS results need is recognised; every
 * other line is LOGPARSE_OTHER (a Postfix line of no interest) or
 * LOGPARSE_SKIP (not a Postfix line, or malformed).  Lines whose tag
 * names another service (smtpd, cleanup, ...) are told OTHER from the tag
 * alone, without their other fields.
 *
 * Remote servers choose their host names and reply texts, so the fields
 * of a line of interest are checked before they are kept; a field that
 * fails its check is left empty, the event itself still counts (a hostile
 * name must not hide a session):
 *   peer      a host name as domain_normalize() makes it (A-labels, lower
 *             case, no trailing dot; a U-label must be valid UTF-8 without
 *             U+FFFD), or an IP address for a literal next hop
 *             ("192.0.2.1[192.0.2.1]"); anything else: ""
 *   addr      an IPv4 or IPv6 address (inet_pton; an "IPv6:" prefix is
 *             dropped); anything else: ""
 *   text      clean text (text.h: valid UTF-8, control characters
 *             replaced), at most sizeof(text) - 1 bytes
 *   rcpt      clean text, else ""
 *   protocol, dsn, status  printable ASCII without spaces, else ""
 *   host, syslog_name      printable ASCII without spaces, else the line
 *             is LOGPARSE_SKIP (they key the correlation state)
 * Of smtpd's lines only those of its STARTTLS handshakes are parsed:
 * "SSL_accept error from", "warning: TLS library problem: ", "<Trust> TLS
 * connection established from" and "disconnect from" with its command
 * counts (Postfix >= 3.0; a line without "starttls=" is OTHER); every
 * other smtpd line is told OTHER from its first words.
 * Which syslog names count as Postfix is the caller's choice
 * (logparse_name_match()).
 */
#ifndef TLSPOLICY_LOGPARSE_POSTFIX_H
#define TLSPOLICY_LOGPARSE_POSTFIX_H

#include <stddef.h>
#include <time.h>

#include "domain.h"

#define LOGPARSE_LINE_MAX 8192

enum logparse_kind {
	LOGPARSE_SKIP,          /* garbage, too long, or not Postfix */
	LOGPARSE_OTHER,         /* a Postfix line of no interest */
	LOGPARSE_TLS,           /* "<Trust> TLS connection established|reused to H[A]:P: ..." */
	LOGPARSE_VERIFY,        /* "[server |CA ]certificate verification failed for H[A]:P: R" */
	LOGPARSE_SSL_ERROR,     /* "SSL_connect error to H[A]:P: R" */
	LOGPARSE_STATUS,        /* "QID: to=<R>, relay=..., ..., dsn=D, status=S (TEXT)" */
	LOGPARSE_QUEUE_REASON,  /* "QID: TEXT" (an attempt failed, more MX left) */
	LOGPARSE_FROM,          /* qmgr "QID: from=<S>, size=..." */
	LOGPARSE_TLSRPT,        /* Postfix >= 3.10 "TLSRPT: status=..., domain=..., ..." */
	LOGPARSE_POLICY,        /* "warning: TLS policy lookup for D/MX: R" */
	/* the server side (smtpd, tlsproxy): other senders connecting to us */
	LOGPARSE_IN_TLS,        /* "<Trust> TLS connection established|reused from H[A]: ..." */
	LOGPARSE_IN_SSL_ERROR,  /* "SSL_accept error from H[A]: R" */
	LOGPARSE_TLS_PROBLEM,   /* "warning: TLS library problem: R" (smtpd, tlsproxy) */
	LOGPARSE_IN_DISCONNECT, /* smtpd "disconnect from H[A] ... starttls=N[/M] ..." */
};

enum logparse_trust {
	LOGPARSE_ANONYMOUS, LOGPARSE_UNTRUSTED, LOGPARSE_TRUSTED, LOGPARSE_VERIFIED,
};

struct logparse_event {
	enum logparse_kind kind;
	time_t when;                      /* UTC seconds */
	char host[64];                    /* the logging host */
	char syslog_name[64];             /* "postfix", "postfix-out", "postfix/relay" */
	char service[16];                 /* "smtp", "lmtp", "tlsproxy", "qmgr" */
	unsigned long pid;
	char queue_id[32];
	/* LOGPARSE_TLS, _VERIFY, _SSL_ERROR, _STATUS (relay), _TLSRPT (receiving_mx) */
	char peer[DOMAIN_MAX + 1];
	char addr[48];
	unsigned port;
	int relay_none;                   /* STATUS: relay=none */
	enum logparse_trust trust;        /* TLS */
	int reused;                       /* TLS: "reused"; STATUS: conn_use >= 2 */
	char protocol[16];                /* TLS: TLSv1.3 */
	char rcpt[256];                   /* STATUS: recipient; FROM: sender */
	char domain[DOMAIN_MAX + 1];      /* STATUS: recipient domain; TLSRPT, POLICY: domain */
	char dsn[12];
	char status[16];                  /* STATUS: sent, deferred, bounced...; TLSRPT: success/failure */
	int verify_num;                   /* VERIFY: OpenSSL error number, or -1 */
	unsigned starttls_ok;             /* IN_DISCONNECT: "starttls=OK/TRIES" (OK */
	unsigned starttls_tries;          /* alone: TRIES = OK), at most 9999 each */
	char text[512];                   /* reason, status text, failure_type... */
};

/*
 * logparse_postfix - parse line[0..len) (no newline).  now anchors the
 * year of yearless timestamps (a date more than a day after now belongs
 * to the previous year).  Returns ev->kind.  Every field is copied into
 * ev: nothing in it points into line.
 */
enum logparse_kind logparse_postfix(const char *line, size_t len, time_t now,
    struct logparse_event *ev);

const char *logparse_kind_name(enum logparse_kind kind);

/* logparse_host - text[0..len) as the peer field above into out
 * (DOMAIN_MAX + 1 bytes); 0, or -1 with out empty */
int logparse_host(const char *text, size_t len, char *out);
/* logparse_addr - text[0..len) as the addr field above into out[outlen];
 * 0, or -1 with out empty */
int logparse_addr(const char *text, size_t len, char *out, size_t outlen);

/*
 * logparse_name_match - 1 if the syslog name (ev->syslog_name) is one of
 * names[0..n): a word matches the name itself and its sub-names ("postfix"
 * matches "postfix" and "postfix/relay"); a word ending in '*' matches
 * every name that starts with the rest ("postfix-*" matches "postfix-out",
 * "postfix-out/relay").
 */
int logparse_name_match(char *const *names, size_t n, const char *name);

#endif
