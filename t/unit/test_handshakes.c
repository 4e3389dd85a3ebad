/* Unit tests for tlspolicy/logs/handshakes: the reason of TLS library
 * texts, the joining of smtpd's and tlsproxy's lines into one outcome per
 * handshake (the real lines are in the golden file smtpd-3.7), and
 * ingest's publishing of the counts only when what was read is committed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "handshakes.h"
#include "ingest.h"
#include "logfollow.h"
#include "logparse_postfix.h"
#include "metrics.h"
#include "store.h"
#include "tap.h"

static void
reasons(void)
{
	static const struct { const char *text; const char *want; } cases[] = {
		{ "error:0A000418:SSL routines::tlsv1 alert unknown ca:../ssl/record/rec_layer_s3.c:1601:SSL alert number 48:",
		  "unknown_ca" },
		{ "error:0A000412:SSL routines::sslv3 alert bad certificate:x:SSL alert number 42:", "bad_certificate" },
		{ "error:0A000416:SSL routines::sslv3 alert certificate unknown:x:SSL alert number 46:",
		  "certificate_unknown" },
		{ "error:0A000415:SSL routines::sslv3 alert certificate expired:x:SSL alert number 45:",
		  "certificate_expired" },
		/* OpenSSL 1.1 layout, and the words without the number */
		{ "error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:s3_pkt.c:1", "handshake_failure" },
		{ "error:1417A0C1:SSL routines:tls_post_process_client_hello:no shared cipher:x", "no_shared_cipher" },
		{ "error:0A000102:SSL routines::unsupported protocol:x", "protocol_version" },
		{ "error:0A000126:SSL routines::unexpected eof while reading:x", "eof" },
		{ "error:0A00045A:SSL routines::tlsv1 unrecognized name:x:SSL alert number 112:", "unrecognized_name" },
		{ "tlsv1 alert protocol version:x:SSL alert number 70:", "protocol_version" },
		/* the number wins over words; an unknown number falls back to them */
		{ "tlsv1 alert unknown ca:SSL alert number 45:", "certificate_expired" },
		{ "tlsv1 alert unknown ca:SSL alert number 99:", "unknown_ca" },
		{ "SSL alert number 4800", "other" },
		{ "SSL alert number ", "other" },
		{ "lost connection", "eof" },
		{ "Connection reset by peer", "eof" },
		{ "Connection timed out", "timeout" },
		/* GnuTLS, as Exim logs it: alert names and error texts */
		{ "CA is unknown", "unknown_ca" },
		{ "Certificate is bad", "bad_certificate" },
		{ "Certificate is expired", "certificate_expired" },
		{ "Unknown certificate", "certificate_unknown" },
		{ "Handshake failed", "handshake_failure" },
		{ "Error in protocol version", "protocol_version" },
		{ "The server name sent was not recognized", "unrecognized_name" },
		{ "Decrypt error", "decrypt_error" },
		{ "The TLS connection was non-properly terminated.", "eof" },
		{ "The TLS connection was non-properly terminated.: syscall: Connection reset by peer", "eof" },
		{ "Error in the pull function.", "eof" },
		{ "Could not negotiate a supported cipher suite.", "no_shared_cipher" },
		{ "timed out", "timeout" },
		/* TLS 1.3: the client's alert cannot be read */
		{ "Decryption has failed.", "other" },
		{ "Error decoding the received TLS packet.", "other" },
		/* OpenSSL builds of Exim */
		{ "TCP connection closed by peer", "eof" },
		{ "-1", "other" },
		{ "", "other" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(metrics_hs_reasons[handshake_reason(cases[i].text, strlen(cases[i].text))], cases[i].want,
		    "reason of \"%.40s\"", cases[i].text);
}

static char got[4096];

static void
outcome(void *arg, int success, enum metrics_hs_reason reason)
{
	size_t n = strlen(got);

	(void)arg;
	snprintf(got + n, sizeof(got) - n, "%s%s", n ? " " : "", success ? "ok" : metrics_hs_reasons[reason]);
}

static void
feed(struct handshakes *h, const char *line)
{
	struct logparse_event ev;

	logparse_postfix(line, strlen(line), 1741600000, &ev);
	handshakes_feed(h, &ev);
}

#define L(pid, rest) "Mar 10 09:14:02 mx1 postfix/smtpd[" pid "]: " rest
#define P(pid, rest) "Mar 10 09:14:02 mx1 postfix/tlsproxy[" pid "]: " rest

static void
joining(void)
{
	struct handshakes *h = handshakes_new(outcome, NULL);
	char line[200];

	got[0] = '\0';
	/* two processes interleaved; the reason from the process's own lines */
	feed(h, L("1", "SSL_accept error from a[192.0.2.1]: -1"));
	feed(h, L("2", "SSL_accept error from b[192.0.2.2]: -1"));
	feed(h, L("2", "warning: TLS library problem: error:0A000412:SSL routines::sslv3 alert bad certificate:x:SSL alert number 42:"));
	feed(h, L("1", "warning: TLS library problem: error:0A000418:SSL routines::tlsv1 alert unknown ca:x:SSL alert number 48:"));
	feed(h, L("1", "warning: TLS library problem: error:0A000126:SSL routines::unexpected eof while reading:x"));
	feed(h, L("1", "disconnect from a[192.0.2.1] ehlo=1 starttls=0/1 commands=1/2"));
	feed(h, L("2", "disconnect from b[192.0.2.2] ehlo=1 starttls=0/1 commands=1/2"));
	is_str(got, "unknown_ca bad_certificate", "interleaved processes: one failure each, its own first named reason");

	got[0] = '\0';
	/* at smtpd_tls_loglevel 1 the summary and the disconnect: one success */
	feed(h, L("1", "Anonymous TLS connection established from a[192.0.2.1]: TLSv1.3 with cipher X"));
	feed(h, L("1", "disconnect from a[192.0.2.1] ehlo=2 starttls=1 quit=1 commands=4"));
	/* at 0 only the disconnect */
	feed(h, L("1", "disconnect from a[192.0.2.1] ehlo=2 starttls=1 quit=1 commands=4"));
	/* no STARTTLS, or one refused before a handshake: nothing */
	feed(h, L("1", "disconnect from a[192.0.2.1] ehlo=1 quit=1 commands=2"));
	feed(h, L("1", "disconnect from a[192.0.2.1] ehlo=1 starttls=0/1 quit=1 commands=2/3"));
	is_str(got, "ok ok", "successes from the disconnect lines, once per connection");

	got[0] = '\0';
	/* a failure whose disconnect line is counted, then the next
	 * connection of the process: the old reason is not carried over */
	feed(h, L("3", "SSL_accept error from a[192.0.2.1]: lost connection"));
	feed(h, L("3", "warning: TLS library problem: tlsv1 alert unknown ca:SSL alert number 48:"));
	feed(h, L("3", "disconnect from a[192.0.2.1] ehlo=1 starttls=0/1 commands=1/2"));
	feed(h, L("3", "disconnect from a[192.0.2.1] ehlo=1 starttls=1 commands=2"));
	/* a disconnect without its SSL_accept error (read by another life of
	 * the reader): no failure made up */
	feed(h, L("4", "warning: TLS library problem: tlsv1 alert unknown ca:SSL alert number 48:"));
	feed(h, L("4", "disconnect from a[192.0.2.1] ehlo=1 starttls=0/1 commands=1/2"));
	/* "-1" and no library line: other */
	feed(h, L("5", "SSL_accept error from a[192.0.2.1]: -1"));
	feed(h, L("5", "disconnect from a[192.0.2.1] ehlo=1 starttls=0/1 commands=1/2"));
	/* the same pid on another host, another syslog name: other processes */
	feed(h, "Mar 10 09:14:02 mx2 postfix/smtpd[6]: SSL_accept error from a[192.0.2.1]: -1");
	feed(h, "Mar 10 09:14:02 mx1 postfix-in/smtpd[6]: SSL_accept error from a[192.0.2.1]: Connection timed out");
	feed(h, L("6", "warning: TLS library problem: x:SSL alert number 45:"));
	feed(h, "Mar 10 09:14:02 mx2 postfix/smtpd[6]: warning: TLS library problem: x:SSL alert number 40:");
	feed(h, "Mar 10 09:14:02 mx1 postfix-in/smtpd[6]: disconnect from a[192.0.2.1] starttls=0/1 commands=1/2");
	feed(h, "Mar 10 09:14:02 mx2 postfix/smtpd[6]: disconnect from a[192.0.2.1] starttls=0/1 commands=1/2");
	is_str(got, "eof ok other timeout handshake_failure", "reasons kept per process, none invented");

	got[0] = '\0';
	/* tlsproxy: no disconnect line; a failure is counted at the
	 * process's next handshake, with the reason that followed it */
	feed(h, P("7", "SSL_accept error from a[192.0.2.1]:25: -1"));
	feed(h, P("7", "warning: TLS library problem: x:SSL alert number 46:"));
	feed(h, P("7", "Anonymous TLS connection established from b[192.0.2.2]:25: TLSv1.3 with cipher X"));
	feed(h, P("7", "SSL_accept error from a[192.0.2.1]:25: lost connection"));
	feed(h, P("7", "SSL_accept error from a[192.0.2.1]:25: lost connection"));
	is_str(got, "certificate_unknown ok eof", "tlsproxy: successes at once, failures at the next handshake");

	got[0] = '\0';
	/* more processes than the table holds: the oldest are dropped, and
	 * a waiting tlsproxy failure among them is counted */
	for (int i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), L("%d", "SSL_accept error from a[192.0.2.1]: -1"), 1000 + i);
		feed(h, line);
	}
	is_str(got, "eof", "300 processes: the table stays bounded, tlsproxy's failure counted when dropped");
	got[0] = '\0';
	snprintf(line, sizeof(line), L("%d", "disconnect from a[192.0.2.1] starttls=0/1 commands=1/2"), 1000);
	feed(h, line);
	snprintf(line, sizeof(line), L("%d", "disconnect from a[192.0.2.1] starttls=0/1 commands=1/2"), 1299);
	feed(h, line);
	is_str(got, "other", "a dropped smtpd process counts nothing, a kept one its failure");
	handshakes_free(h);
}

/* publishing - ingest adds the counts to the metrics when it commits */
static void
publishing(void)
{
	static const char *const lines[] = {
		L("1", "SSL_accept error from a[192.0.2.1]: -1"),
		L("1", "warning: TLS library problem: tlsv1 alert unknown ca:SSL alert number 48:"),
		L("1", "disconnect from a[192.0.2.1] ehlo=1 starttls=0/1 commands=1/2"),
		L("1", "disconnect from a[192.0.2.1] ehlo=2 starttls=1 quit=1 commands=4"),
		/* another program's lines: not counted */
		"Mar 10 09:14:02 mx1 other/smtpd[1]: disconnect from a[192.0.2.1] ehlo=2 starttls=1 commands=2",
	};
	struct ingest_config cfg = { .exclude_sender = "" };
	char dir[600], err[256];
	struct store *st;
	struct ingest *ig;
	struct logfollow_cursor c = { .dev = 1, .ino = 2, .offset = 100 };
	const uint64_t *pf = metrics.handshakes[METRICS_MTA_POSTFIX];

	snprintf(dir, sizeof(dir), "%s/publish", tap_tmpdir());
	mkdir(dir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		ok(0, "store opens: %s", err);
		return;
	}
	metrics_reset();
	ig = ingest_new(st, "mail.log", &cfg);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ingest_line(ig, lines[i], strlen(lines[i]));
	ok(pf[0] == 0 && pf[1 + METRICS_HS_UNKNOWN_CA] == 0, "nothing published before the commit");
	is_int(ingest_commit(ig, &c), 0, "commit");
	ok(pf[0] == 1 && pf[1 + METRICS_HS_UNKNOWN_CA] == 1, "after it: 1 success, 1 unknown_ca (got %llu, %llu)",
	    (unsigned long long)pf[0], (unsigned long long)pf[1 + METRICS_HS_UNKNOWN_CA]);
	is_int(ingest_commit(ig, &c), 0, "a second commit");
	ok(pf[0] == 1 && pf[1 + METRICS_HS_UNKNOWN_CA] == 1, "publishes nothing twice");
	/* lines read and not committed (the process dies): never published */
	ingest_line(ig, lines[3], strlen(lines[3]));
	ingest_free(ig);
	is_int((long long)pf[0], 1, "lines read but not committed are not published");
	store_close(st);
}

int
main(void)
{
	reasons();
	joining();
	publishing();
	return tap_done();
}
