/*
 * handshakes - incoming STARTTLS handshakes from log events, see
 * handshakes.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handshakes.h"
#include "logparse_postfix.h"
#include "xalloc.h"

#define HANDSHAKES_MAX 256   /* processes with state */

struct proc {
	char host[64], syslog_name[64], service[16];
	unsigned long pid;
	uint64_t seen;               /* last use, for the eviction; 0: a free slot */
	int failed;                  /* an SSL_accept error in this connection */
	int named;                   /* its reason is known, not to be refined */
	enum metrics_hs_reason reason;
};

struct handshakes {
	handshakes_cb *cb;
	void *arg;
	uint64_t clock;
	struct proc procs[HANDSHAKES_MAX];
};

static const struct { const char *text; enum metrics_hs_reason r; } texts[] = {
#define T(s, r) { s, METRICS_HS_ ## r }
	/* OpenSSL's reason strings of the alerts (ssl/ssl_err.c) */
	T("alert handshake failure", HANDSHAKE_FAILURE),
	T("alert bad certificate", BAD_CERTIFICATE),
	T("alert unsupported certificate", UNSUPPORTED_CERTIFICATE),
	T("alert certificate revoked", CERTIFICATE_REVOKED),
	T("alert certificate expired", CERTIFICATE_EXPIRED),
	T("alert certificate unknown", CERTIFICATE_UNKNOWN),
	T("alert unknown ca", UNKNOWN_CA),
	T("alert access denied", ACCESS_DENIED),
	T("alert decode error", DECODE_ERROR),
	T("alert decrypt error", DECRYPT_ERROR),
	T("alert protocol version", PROTOCOL_VERSION),
	T("alert insufficient security", INSUFFICIENT_SECURITY),
	T("alert internal error", INTERNAL_ERROR),
	T("unrecognized name", UNRECOGNIZED_NAME),
	/* the server's own errors */
	T("no shared cipher", NO_SHARED_CIPHER),
	T("unsupported protocol", PROTOCOL_VERSION),
	T("version too low", PROTOCOL_VERSION),
	T("unexpected eof", EOF),
	/* Postfix's own words and system errors */
	T("lost connection", EOF),
	T("Connection reset by peer", EOF),
	T("Broken pipe", EOF),
	T("timed out", TIMEOUT),
	/* GnuTLS (Exim's Debian build): the names of the alerts
	 * (gnutls_alert_get_name), which Exim logs for a fatal alert the
	 * client sent, then its error texts (gnutls_strerror).  In TLS 1.3 a
	 * client's alert about our certificate comes encrypted with keys
	 * GnuTLS has not got yet: "Decryption has failed.", other. */
	T("Handshake failed", HANDSHAKE_FAILURE),
	T("Certificate is bad", BAD_CERTIFICATE),
	T("Certificate is not supported", UNSUPPORTED_CERTIFICATE),
	T("Certificate was revoked", CERTIFICATE_REVOKED),
	T("Certificate is expired", CERTIFICATE_EXPIRED),
	T("Unknown certificate", CERTIFICATE_UNKNOWN),
	T("CA is unknown", UNKNOWN_CA),
	T("Access was denied", ACCESS_DENIED),
	T("Decode error", DECODE_ERROR),
	T("Decrypt error", DECRYPT_ERROR),
	T("Error in protocol version", PROTOCOL_VERSION),
	T("Insufficient security", INSUFFICIENT_SECURITY),
	T("Internal error", INTERNAL_ERROR),
	T("The server name sent was not recognized", UNRECOGNIZED_NAME),
	T("The TLS connection was non-properly terminated.", EOF),
	T("Error in the pull function.", EOF),
	T("Error in the push function.", EOF),
	T("Could not negotiate a supported cipher suite.", NO_SHARED_CIPHER),
	T("No supported cipher suites have been found.", NO_SHARED_CIPHER),
	T("A packet with illegal or unsupported version was received.", PROTOCOL_VERSION),
	/* Exim's own, OpenSSL builds */
	T("TCP connection closed by peer", EOF),
#undef T
};

/* alert numbers (RFC 8446 6, RFC 5246 7.2) */
static const struct { unsigned n; enum metrics_hs_reason r; } alerts[] = {
	{ 40, METRICS_HS_HANDSHAKE_FAILURE }, { 42, METRICS_HS_BAD_CERTIFICATE },
	{ 43, METRICS_HS_UNSUPPORTED_CERTIFICATE }, { 44, METRICS_HS_CERTIFICATE_REVOKED },
	{ 45, METRICS_HS_CERTIFICATE_EXPIRED }, { 46, METRICS_HS_CERTIFICATE_UNKNOWN },
	{ 48, METRICS_HS_UNKNOWN_CA }, { 49, METRICS_HS_ACCESS_DENIED },
	{ 50, METRICS_HS_DECODE_ERROR }, { 51, METRICS_HS_DECRYPT_ERROR },
	{ 70, METRICS_HS_PROTOCOL_VERSION }, { 71, METRICS_HS_INSUFFICIENT_SECURITY },
	{ 80, METRICS_HS_INTERNAL_ERROR }, { 112, METRICS_HS_UNRECOGNIZED_NAME },
};

enum metrics_hs_reason
handshake_reason(const char *text, size_t len)
{
	static const char num[] = "SSL alert number ";
	const char *hit;

	/* "SSL alert number 48": the number, whatever the words before it */
	if ((hit = memmem(text, len, num, sizeof(num) - 1)) != NULL) {
		const char *d = hit + sizeof(num) - 1, *end = text + len;
		unsigned n = 0;
		int digits = 0;

		for (; d < end && *d >= '0' && *d <= '9' && digits < 3; d++, digits++)
			n = n * 10 + (unsigned)(*d - '0');
		for (size_t i = 0; digits > 0 && i < sizeof(alerts) / sizeof(alerts[0]); i++)
			if (alerts[i].n == n)
				return alerts[i].r;
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (memmem(text, len, texts[i].text, strlen(texts[i].text)) != NULL)
			return texts[i].r;
	return METRICS_HS_OTHER;
}

struct handshakes *
handshakes_new(handshakes_cb *cb, void *arg)
{
	struct handshakes *h = xcalloc(1, sizeof(*h));

	h->cb = cb;
	h->arg = arg;
	return h;
}

void
handshakes_free(struct handshakes *h)
{
	free(h);
}

static int
same(const struct proc *p, const struct logparse_event *ev)
{
	return p->seen != 0 && p->pid == ev->pid && strcmp(p->service, ev->service) == 0
	    && strcmp(p->syslog_name, ev->syslog_name) == 0 && strcmp(p->host, ev->host) == 0;
}

static int
is_proxy(const struct proc *p)
{
	return strcmp(p->service, "tlsproxy") == 0;
}

/* settle - a tlsproxy failure waiting for its reason is counted now */
static void
settle(struct handshakes *h, struct proc *p)
{
	if (p->failed && is_proxy(p))
		h->cb(h->arg, 0, p->reason);
	p->failed = p->named = 0;
}

/* find - the process of ev; create: make one (dropping the least recently
 * seen when all are taken) */
static struct proc *
find(struct handshakes *h, const struct logparse_event *ev, int create)
{
	struct proc *p, *old = &h->procs[0];

	for (size_t i = 0; i < HANDSHAKES_MAX; i++) {
		p = &h->procs[i];
		if (same(p, ev)) {
			p->seen = ++h->clock;
			return p;
		}
		if (p->seen < old->seen)
			old = p;
	}
	if (!create)
		return NULL;
	if (old->seen != 0)
		settle(h, old);
	memset(old, 0, sizeof(*old));
	/* the fields fit: logparse_event's are the same sizes */
	memcpy(old->host, ev->host, strlen(ev->host) + 1);
	memcpy(old->syslog_name, ev->syslog_name, strlen(ev->syslog_name) + 1);
	memcpy(old->service, ev->service, strlen(ev->service) + 1);
	old->pid = ev->pid;
	old->seen = ++h->clock;
	return old;
}

void
handshakes_feed(struct handshakes *h, const struct logparse_event *ev)
{
	struct proc *p;
	enum metrics_hs_reason r;

	switch (ev->kind) {
	case LOGPARSE_IN_SSL_ERROR:
		p = find(h, ev, 1);
		settle(h, p);
		p->failed = 1;
		/* "-1", "0": the reason is in the TLS library problem lines
		 * that follow */
		p->reason = handshake_reason(ev->text, strlen(ev->text));
		p->named = p->reason != METRICS_HS_OTHER;
		break;
	case LOGPARSE_TLS_PROBLEM:
		if ((p = find(h, ev, 0)) != NULL && p->failed && !p->named
		    && (r = handshake_reason(ev->text, strlen(ev->text))) != METRICS_HS_OTHER) {
			p->reason = r;
			p->named = 1;
		}
		break;
	case LOGPARSE_IN_TLS:
		/* smtpd's successes are counted from its disconnect line */
		if (strcmp(ev->service, "tlsproxy") != 0)
			break;
		if ((p = find(h, ev, 0)) != NULL)
			settle(h, p);
		h->cb(h->arg, 1, METRICS_HS_OTHER);
		break;
	case LOGPARSE_IN_DISCONNECT:
		for (unsigned i = 0; i < ev->starttls_ok; i++)
			h->cb(h->arg, 1, METRICS_HS_OTHER);
		if ((p = find(h, ev, 0)) != NULL) {
			if (p->failed)
				h->cb(h->arg, 0, p->reason);
			p->seen = 0;   /* the connection is over: free the slot */
		}
		break;
	default:
		break;
	}
}
