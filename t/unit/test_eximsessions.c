/* Unit tests for tlspolicy/logs/eximsessions: Exim main-log lines (as
 * Exim 4.96 writes them, and the event-action lines of contrib/exim) to
 * session outcomes; exactly once across a save and load at every line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eximsessions.h"
#include "logparse_exim.h"
#include "record.h"
#include "tap.h"

#define NOW 1741600000

static struct buf out;

static void
emit(void *arg, const struct session_outcome *o)
{
	static const char *const trusts[] = { "anonymous", "untrusted", "trusted", "verified" };
	char b[1024];

	(void)arg;
	snprintf(b, sizeof(b), "%s %s %s %s%s%s%s%s|", o->domain, o->mx[0] ? o->mx : "-",
	    o->addr[0] ? o->addr : "-",
	    o->success ? (o->tls ? trusts[o->trust & 3] : "plaintext") : o->result_type,
	    o->success && o->result_type[0] ? " would=" : "", o->success ? o->result_type : "",
	    o->reason[0] ? " reason=" : "", o->reason);
	buf_append(&out, b, strlen(b));
}

static struct exim_event ev;

static void
feed(struct eximsessions *x, const char *line)
{
	logparse_exim(line, strlen(line), NOW, &ev);
	eximsessions_feed(x, &ev);
}

/* run - the outcomes of lines, as one string (static) */
static const char *
run(const char *const *lines, size_t n, unsigned long *excluded)
{
	static char b[8192];
	struct eximsessions *x = eximsessions_new(emit, NULL);

	eximsessions_exclude_sender(x, "tlsrpt-noreply@Out.test");
	buf_reset(&out);
	for (size_t i = 0; i < n; i++)
		feed(x, lines[i]);
	if (excluded)
		*excluded = eximsessions_excluded(x);
	eximsessions_free(x);
	snprintf(b, sizeof(b), "%.*s", (int)out.len, out.data ? out.data : "");
	return b;
}

#define RUN(lines) run(lines, sizeof(lines) / sizeof(lines[0]), NULL)
#define P "2026-12-01 02:54:39.714 "

/* the world log of Exim 4.96 (t/data/logparse_exim/world-4.96.log), cut */
static const char *const world[] = {
	P "[1682] 1xYE0t-0000R8-21 <= sender@out.localdomain U=root P=local S=340",
	P "[1695] 1xYE0t-0000R8-21 => user@good.test R=remote T=remote_smtp H=mx.good.test DS [127.0.3.81]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=yes DN=\"CN=mx.good.test\" K C=\"250 2.0.0 Ok: 351 bytes queued as AD8EDA7AB9E\"",
	P "[1695] 1xYE0t-0000R8-21 Completed",
	P "[1756] 1xYE0t-0000S7-2a => user@plain.test R=remote T=remote_smtp H=mx.plain.test DS [127.0.3.82]:25 K C=\"250 2.0.0 Ok: 353 bytes queued as CCE3AA7ABA8\"",
	P "[2098] 1xYE0u-0000X6-1k => d@good.test R=remote T=remote_smtp H=mx.good.test DS [127.0.3.81]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=yes DN=\"CN=mx.good.test\" K C=\"250 2.0.0 Ok: 345 bytes queued as 97F76A7ABD0\"",
	P "[2101] 1xYE0u-0000Wq-1f => c@good.test R=remote T=remote_smtp H=mx.good.test DS [127.0.3.81]:25* X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=no K C=\"250 2.0.0 Ok: 345 bytes queued as 9B799A7ABD0\"",
	P "[2103] 1xYE0u-0000X6-1k H=mx.good.test [127.0.3.81] TLS error on connection (recv): Error in the pull function.",
	P "[2106] 1xYE0u-0000Wa-1b => a@good.test R=remote T=remote_smtp H=mx.good.test DS [127.0.3.81]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=yes K C=\"250 2.0.0 Ok: 339 bytes queued as 9E876A7ABC8\"",
	P "[2106] 1xYE0u-0000Wa-1b -> b@good.test R=remote T=remote_smtp H=mx.good.test DS [127.0.3.81]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=yes K C=\"250 2.0.0 Ok: 339 bytes queued as 9E876A7ABC8\"",
	P "[1732] 1xYE0t-0000Rf-2N H=mx.nostarttls.test [127.0.3.82]:25: a TLS session is required, but the server did not offer TLS support",
	P "[1728] 1xYE0t-0000Rf-2N == user@nostarttls.test R=remote T=remote_smtp defer (-38) H=mx.nostarttls.test DS [127.0.3.82]:25: a TLS session is required, but the server did not offer TLS support",
	P "[1983] 1xYE0u-0000Vi-1G H=mx.tlsa-bogus.test [127.0.3.81]:25: DANE error: tlsa lookup DEFER",
	P "[1979] 1xYE0u-0000Vi-1G == user@tlsa-bogus.test R=remote T=remote_smtp defer (-36): DANE error: tlsa lookup DEFER",
	P "[1955] 1xYE0u-0000VG-12 DANE attempt failed; TLS connection to mx.dane-bad.test [127.0.3.88]: (certificate verification failed): Verification failed. The certificate differs. ",
	P "[1951] 1xYE0u-0000VG-12 == user@dane-bad.test R=remote T=remote_smtp defer (-37) H=mx.dane-bad.test DS [127.0.3.88]:25: TLS session: (certificate verification failed): Verification failed. The certificate differs. ",
	P "[1811] 1xYE0t-0000T0-31 == user@wrongname.test R=remote T=remote_smtp defer (-37) H=mx.wrongname.test DS [127.0.3.84]:25: TLS session: (certificate verification failed)",
	P "[1783] 1xYE0t-0000SY-2m == user@certexpired.test R=remote T=remote_smtp defer (-37) H=mx.certexpired.test DS [127.0.3.83]:25: TLS session: (certificate verification failed): certificate invalid",
	P "[2006] 1xYE0u-0000W9-1S => user@opportunistic.test R=remote T=remote_smtp H=mx.opportunistic.test DS [127.0.3.83]:25 X=TLS1.3:ECDHE_SECP256R1__ECDSA_SECP256R1_SHA256__AES_256_GCM:256 CV=no DN=\"CN=mx.certexpired.test\" K C=\"250 2.0.0 Ok\"",
	/* the second attempt of a message, by another process */
	P "[2119] 1xYE0t-0000Rf-2N H=mx.nostarttls.test [127.0.3.82]:25: a TLS session is required, but the server did not offer TLS support",
	P "[2118] 1xYE0t-0000Rf-2N == user@nostarttls.test R=remote T=remote_smtp defer (-38) H=mx.nostarttls.test DS [127.0.3.82]:25: a TLS session is required, but the server did not offer TLS support",
};

static void
test_world(void)
{
	is_str(RUN(world),
	    "good.test mx.good.test 127.0.3.81 verified|"
	    "plain.test mx.plain.test 127.0.3.82 plaintext|"
	    "good.test mx.good.test 127.0.3.81 verified|"
	    "good.test mx.good.test 127.0.3.81 verified|"
	    "nostarttls.test mx.nostarttls.test 127.0.3.82 starttls-not-supported|"
	    "tlsa-bogus.test mx.tlsa-bogus.test 127.0.3.81 dnssec-invalid|"
	    "dane-bad.test mx.dane-bad.test 127.0.3.88 validation-failure reason=(certificate verification failed): Verification failed. The certificate differs.|"
	    "wrongname.test mx.wrongname.test 127.0.3.84 certificate-host-mismatch reason=(certificate verification failed)|"
	    "certexpired.test mx.certexpired.test 127.0.3.83 certificate-not-trusted reason=(certificate verification failed): certificate invalid|"
	    "opportunistic.test mx.opportunistic.test 127.0.3.83 untrusted would=certificate-not-trusted|"
	    "nostarttls.test mx.nostarttls.test 127.0.3.82 starttls-not-supported|",
	    "Exim 4.96's log: one session per transaction, none for '*' or '->', a host line and its "
	    "deferral once, each attempt once, GnuTLS's texts classified");
}

#define E "2026-12-01 05:04:10 "
#define ID "1xYG2E-0003br-1S "

/* one attempt, two recipients, with and without +pid */
static const char *const multi_pid[] = {
	E "[10] " ID "H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support",
	E "[9] " ID "== a@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support",
	E "[9] " ID "== b@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support",
	E "[9] " ID "== c@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support",
	"2026-12-01 05:34:10 [19] " ID "== a@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support",
	"2026-12-01 05:34:10 [19] " ID "== b@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support",
};
static const char *const multi_nopid[] = {
	E ID "== a@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]: a TLS session is required, but the server did not offer TLS support",
	"2026-12-01 05:04:40 " ID "== b@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]: a TLS session is required, but the server did not offer TLS support",
	"2026-12-01 05:05:20 " ID "== c@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]: a TLS session is required, but the server did not offer TLS support",
	"2026-12-01 05:06:40 " ID "== a@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]: a TLS session is required, but the server did not offer TLS support",
	/* another address of the same attempt: another session */
	"2026-12-01 05:06:40 " ID "== d@x.test R=r T=t defer (-38) H=mx2.x.test [192.0.2.2]: a TLS session is required, but the server did not offer TLS support",
};

static const char *const nomx_retry[] = {
	E "[9] " ID "== a@x.test R=tlspolicy_enforce_nomx defer (-1): no MX host of x.test matches its MTA-STS policy",
	"2026-12-01 05:14:10 [19] " ID "== a@x.test R=tlspolicy_enforce_nomx defer (-52): retry time not reached",
	"2026-12-01 05:34:10 [29] " ID "== a@x.test R=tlspolicy_enforce_nomx defer (-1): no MX host of x.test matches its MTA-STS policy",
};

static void
test_multi(void)
{
	is_str(RUN(nomx_retry),
	    "x.test - - certificate-host-mismatch reason=mx-not-in-policy|x.test - - certificate-host-mismatch reason=mx-not-in-policy|",
	    "no MX in the policy: once per routing, not for a retry time not reached");
	is_str(RUN(multi_pid),
	    "x.test mx.x.test 192.0.2.1 starttls-not-supported|x.test mx.x.test 192.0.2.1 starttls-not-supported|",
	    "+pid: a host line and three recipients' deferrals are one session; the next attempt (another pid) one more");
	is_str(RUN(multi_nopid),
	    "x.test mx.x.test 192.0.2.1 starttls-not-supported|x.test mx.x.test 192.0.2.1 starttls-not-supported|"
	    "x.test mx2.x.test 192.0.2.2 starttls-not-supported|",
	    "no pid: lines within 60 s of each other are one attempt, a line 80 s later another; another address another");
}

/* host-level lines joined to the next address line */
static const char *const joined[] = {
	E "[11] " ID "H=mx1.two.test [192.0.2.11]:25: a TLS session is required, but the server did not offer TLS support",
	E "[11] " ID "H=mx2.two.test [192.0.2.12]:25: Connection refused",
	E "[12] 1xYG2F-0003bs-2A H=mx.other.test [192.0.2.99]:25: a TLS session is required, but the server did not offer TLS support",
	E "[10] " ID "=> u@two.test R=r T=t H=mx3.two.test [192.0.2.13]:25 X=TLS1.3:A:256 CV=yes C=\"250 OK\"",
	/* a clear-text retry after a failed handshake */
	E "[21] 1xYG2G-0003bt-3B (gnutls_handshake): A TLS fatal alert has been received.: delivering unencrypted to H=mx.retry.test [192.0.2.21] (not in hosts_require_tls)",
	E "[20] 1xYG2G-0003bt-3B => u@retry.test R=r T=t H=mx.retry.test [192.0.2.21]:25 C=\"250 OK\"",
	E "[20] 1xYG2G-0003bt-3B -> v@retry.test R=r T=t H=mx.retry.test [192.0.2.21]:25 C=\"250 OK\"",
	/* the waiting message's own address line, later */
	E "[13] 1xYG2F-0003bs-2A == w@other.test R=r T=t defer (-38) H=mx.other.test [192.0.2.99]:25: a TLS session is required, but the server did not offer TLS support",
};

static void
test_joined(void)
{
	is_str(RUN(joined),
	    "two.test mx1.two.test 192.0.2.11 starttls-not-supported|two.test mx3.two.test 192.0.2.13 verified|"
	    "retry.test mx.retry.test 192.0.2.21 validation-failure reason=(gnutls_handshake): A TLS fatal alert has been received.|"
	    "other.test mx.other.test 192.0.2.99 starttls-not-supported|",
	    "a host line takes the domain of its message's next address line; a refused connection is no session; "
	    "a clear-text retry is the failed session only; a host line and its own deferral count once");
}

#define CERT(...) CERT_(__VA_ARGS__)
#define CERT_(host, ip, nb, na, names) E "[30] " ID "tlspolicyd: cert H=" host " [" ip "] depth=0 notbefore=\"" nb \
	"\" notafter=\"" na "\" names=" names
#define OLD "Jan  1 00:00:00 2020 UTC", "Feb  1 00:00:00 2020 UTC"
#define NOTYET "Jan  1 00:00:00 2030 GMT", "Feb  1 00:00:00 2031 GMT"
#define VALID "Jan  1 00:00:00 2026 UTC", "Jan  1 00:00:00 2036 UTC"
/* "DNS=mx.a.test", "DNS=*.a.test\nIP=192.0.2.1", "DNS=other.example" */
#define MXA "RE5TPW14LmEudGVzdA=="
#define WILDA "RE5TPSouYS50ZXN0CklQPTE5Mi4wLjIuMQ=="
#define OTHER "RE5TPW90aGVyLmV4YW1wbGU="
#define DEFER(host, ip, text) E "[31] " ID "== u@a.test R=r T=t defer (-37) H=" host " [" ip "]: TLS session: " text
#define INVALID "(certificate verification failed): certificate invalid"
#define NOREASON "(certificate verification failed)"

static const struct { const char *lines[3]; const char *want; } classes[] = {
	{ { CERT("mx.a.test", "192.0.2.1", OLD, MXA), DEFER("mx.a.test", "192.0.2.1", INVALID) }, "certificate-expired" },
	{ { CERT("mx.a.test", "192.0.2.1", NOTYET, MXA), DEFER("mx.a.test", "192.0.2.1", INVALID) }, "certificate-expired" },
	{ { CERT("mx.a.test", "192.0.2.1", VALID, OTHER), DEFER("mx.a.test", "192.0.2.1", NOREASON) }, "certificate-host-mismatch" },
	{ { CERT("mx.a.test", "192.0.2.1", VALID, MXA), DEFER("mx.a.test", "192.0.2.1", INVALID) }, "certificate-not-trusted" },
	{ { CERT("mx.a.test", "192.0.2.1", VALID, WILDA), DEFER("mx.a.test", "192.0.2.1", INVALID) }, "certificate-not-trusted" },
	{ { CERT("b.mx.a.test", "192.0.2.1", VALID, WILDA), DEFER("b.mx.a.test", "192.0.2.1", INVALID) }, "certificate-host-mismatch" },
	{ { CERT("a.test", "192.0.2.1", VALID, WILDA), DEFER("a.test", "192.0.2.1", INVALID) }, "certificate-host-mismatch" },
	/* a certificate line of another address says nothing */
	{ { CERT("mx.a.test", "192.0.2.2", OLD, OTHER), DEFER("mx.a.test", "192.0.2.1", INVALID) }, "certificate-not-trusted" },
	{ { CERT("mx.a.test", "192.0.2.2", OLD, OTHER), DEFER("mx.a.test", "192.0.2.1", NOREASON) }, "certificate-host-mismatch" },
	{ { DEFER("mx.a.test", "192.0.2.1", "(certificate verification failed): certificate revoked") }, "validation-failure" },
	{ { DEFER("mx.a.test", "192.0.2.1", "(certificate verification failed): something else") }, "validation-failure" },
	{ { E "[31] " ID "== u@a.test R=r T=t defer (-38) H=mx.a.test [192.0.2.1]: a TLS session is required, but an attempt to start TLS failed" }, "validation-failure" },
	{ { E "[31] " ID "== u@a.test R=r T=t defer (-36): DANE error: tlsa lookup FAIL" }, "dnssec-invalid" },
	{ { E "[31] " ID "== u@a.test R=r T=t defer (-36): DANE error: mx.a.test lookup not DNSSEC" }, "dane-required" },
	{ { DEFER("mx.a.test", "192.0.2.1", "(certificate verification failed): Verification failed. The certificate differs. ") }, "validation-failure" },
	/* the dane:fail event wins */
	{ { E "[30] " ID "tlspolicyd: dane H=mx.a.test [192.0.2.1] result=dnssec-invalid",
	    DEFER("mx.a.test", "192.0.2.1", "(certificate verification failed): Verification failed. The certificate differs. ") }, "dnssec-invalid" },
	{ { E "[30] " ID "tlspolicyd: dane H=mx.a.test [192.0.2.1] result=validation-failure",
	    DEFER("mx.a.test", "192.0.2.1", "(certificate verification failed): Verification failed. The certificate differs. ") }, "validation-failure" },
	{ { E "[30] " ID "tlspolicyd: dane H=mx.a.test [192.0.2.1] result=validation-failure",
	    DEFER("mx.a.test", "192.0.2.1", "(gnutls_handshake): A TLS fatal alert has been received.") }, "validation-failure" },
	{ { E "[30] " ID "tlspolicyd: dane H=mx.a.test [192.0.2.1] result=starttls-not-supported",
	    E "[31] " ID "== u@a.test R=r T=t defer (-38) H=mx.a.test [192.0.2.1]: a TLS session is required, but an attempt to start TLS failed" }, "starttls-not-supported" },
	/* OpenSSL builds */
	{ { E "[30] " ID "[192.0.2.1] SSL verify error: certificate name mismatch: DN=\"/CN=other.example\" H=\"mx.a.test\"",
	    DEFER("mx.a.test", "192.0.2.1", "(SSL_connect): error:0A000086:SSL routines::certificate verify failed") }, "certificate-host-mismatch" },
	{ { E "[30] " ID "[192.0.2.1] SSL verify error: depth=0 error=certificate has expired cert=/CN=mx.a.test",
	    DEFER("mx.a.test", "192.0.2.1", "(SSL_connect): error:0A000086:SSL routines::certificate verify failed") }, "certificate-expired" },
	{ { DEFER("mx.a.test", "192.0.2.1", "(SSL_connect): error:0A000086:SSL routines::certificate verify failed") }, "validation-failure" },
	/* successes under CV=no: what enforce would have said */
	{ { CERT("mx.a.test", "192.0.2.1", OLD, MXA), E "[31] " ID "=> u@a.test R=r T=t H=mx.a.test [192.0.2.1] X=TLS1.3:A:256 CV=no C=\"250 OK\"" }, "would=certificate-expired" },
	{ { CERT("mx.a.test", "192.0.2.1", VALID, OTHER), E "[31] " ID "=> u@a.test R=r T=t H=mx.a.test [192.0.2.1] X=TLS1.3:A:256 CV=no C=\"250 OK\"" }, "would=certificate-host-mismatch" },
	{ { E "[31] " ID "=> u@a.test R=r T=t H=mx.a.test [192.0.2.1] X=TLS1.3:A:256 CV=no C=\"250 OK\"" }, "would=certificate-not-trusted" },
	{ { CERT("mx.a.test", "192.0.2.1", OLD, MXA), E "[31] " ID "=> u@a.test R=r T=t H=mx.a.test [192.0.2.1] X=TLS1.3:A:256 CV=yes C=\"250 OK\"" }, "verified|" },
	{ { E "[31] " ID "=> u@a.test R=r T=t H=mx.a.test [192.0.2.1] X=TLS1.3:A:256 C=\"250 OK\"" }, "trusted|" },
	{ { E "[31] " ID ">> u@a.test R=r T=t H=mx.a.test [192.0.2.1] X=TLS1.3:A:256 CV=yes C=\"250 OK\"" }, "verified|" },
	{ { E "[31] " ID "== u@a.test R=tlspolicy_enforce_nomx defer (-1): no MX host of a.test matches its MTA-STS policy",
	    E "[31] " ID "== v@a.test R=tlspolicy_enforce_nomx defer (-1): no MX host of a.test matches its MTA-STS policy" },
	  "a.test - - certificate-host-mismatch reason=mx-not-in-policy|" },
};

static void
test_classes(void)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		size_t n = 0;
		const char *got;

		while (n < 3 && classes[i].lines[n])
			n++;
		got = run(classes[i].lines, n, NULL);
		ok(strstr(got, classes[i].want) != NULL && strchr(got, '|') == strrchr(got, '|'),
		    "class %zu: one session with %s (got %s)", i, classes[i].want, got);
	}
}

/*
 * In a log merged from several hosts (central syslog), one host's lines
 * may arrive hours late with their own time stamps: the other hosts' time
 * must not make it forget its half-seen messages.
 */
static void
test_late_host(void)
{
	static char lines[20][512];
	const char *p[20];
	size_t n = 0;

	snprintf(lines[n++], sizeof(lines[0]), "Dec  1 05:00:00 mta1 exim[30]: 2026-12-01 05:00:00 [30] "
	    "1xYG3A-0003br-1S tlspolicyd: cert H=mx.a.test [192.0.2.1] depth=0 notbefore=\"Jan  1 00:00:00 2020 UTC\" "
	    "notafter=\"Feb  1 00:00:00 2020 UTC\" names=" MXA);
	/* mta2 goes on for two and a half hours, a message every ten minutes */
	for (int m = 10; m <= 150; m += 10)
		snprintf(lines[n++], sizeof(lines[0]), "Dec  1 %02d:%02d:00 mta2 exim[40]: 2026-12-01 %02d:%02d:00 [40] "
		    "1xYG4%c-0003br-1S <= x@y.test U=root P=local S=1", 5 + m / 60, m % 60, 5 + m / 60, m % 60, 'A' + m / 10);
	/* then mta1's held-back deferral arrives */
	snprintf(lines[n++], sizeof(lines[0]), "Dec  1 07:31:00 mta1 exim[31]: 2026-12-01 05:00:01 [31] "
	    "1xYG3A-0003br-1S == u@a.test R=r T=t defer (-37) H=mx.a.test [192.0.2.1]: TLS session: " INVALID);
	for (size_t i = 0; i < n; i++)
		p[i] = lines[i];
	is_str(run(p, n, NULL),
	    "a.test mx.a.test 192.0.2.1 certificate-expired reason=(certificate verification failed): certificate invalid|",
	    "a host's lines held back for hours: its certificate line is still known");
}

/* what is forgotten when, by log time */
static const char *const pruned[] = {
	"2026-12-01 05:00:00 [30] 1xYG2P-0003br-1S tlspolicyd: cert H=mx.a.test [192.0.2.1] depth=0 notbefore=\"Jan  1 00:00:00 2020 UTC\" notafter=\"Feb  1 00:00:00 2020 UTC\" names=" MXA,
	"2026-12-01 05:00:00 [30] 1xYG2Q-0003br-1S tlspolicyd: cert H=mx.a.test [192.0.2.1] depth=0 notbefore=\"Jan  1 00:00:00 2020 UTC\" notafter=\"Feb  1 00:00:00 2020 UTC\" names=" MXA,
	"2026-12-01 05:00:00 [31] 1xYG2R-0003br-1S == u@a.test R=r T=t defer (-37) H=mx.a.test [192.0.2.1]: TLS session: " INVALID,
	/* five minutes on: a certificate line still counts */
	"2026-12-01 05:05:00 [31] 1xYG2P-0003br-1S == u@a.test R=r T=t defer (-37) H=mx.a.test [192.0.2.1]: TLS session: " INVALID,
	/* twelve minutes on, after a prune: the other one is forgotten */
	"2026-12-01 05:11:00 [1] 1xYG2S-0003br-1S <= x@y.test U=root P=local S=1",
	"2026-12-01 05:12:00 [31] 1xYG2Q-0003br-1S == u@a.test R=r T=t defer (-37) H=mx.a.test [192.0.2.1]: TLS session: " INVALID,
	/* a counted attempt is remembered for an hour */
	"2026-12-01 05:50:00 [31] 1xYG2R-0003br-1S == v@a.test R=r T=t defer (-37) H=mx.a.test [192.0.2.1]: TLS session: " INVALID,
	"2026-12-01 06:51:00 [1] 1xYG2S-0003br-1S <= x@y.test U=root P=local S=1",
	"2026-12-01 06:52:00 [31] 1xYG2R-0003br-1S == w@a.test R=r T=t defer (-37) H=mx.a.test [192.0.2.1]: TLS session: " INVALID,
};

static void
test_prune(void)
{
	is_str(RUN(pruned),
	    "a.test mx.a.test 192.0.2.1 certificate-not-trusted reason=(certificate verification failed): certificate invalid|"
	    "a.test mx.a.test 192.0.2.1 certificate-expired reason=(certificate verification failed): certificate invalid|"
	    "a.test mx.a.test 192.0.2.1 certificate-not-trusted reason=(certificate verification failed): certificate invalid|"
	    "a.test mx.a.test 192.0.2.1 certificate-not-trusted reason=(certificate verification failed): certificate invalid|",
	    "certificate lines kept ten minutes, counted attempts an hour (of log time)");
}

static const char *const reporter[] = {
	E "[40] " ID "<= tlsrpt-noreply@out.test U=root P=local S=2000",
	E "[41] " ID "H=mx1.good.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support",
	E "[41] " ID "=> tlsrpt@good.test R=r T=t H=mx.good.test [192.0.2.2] X=TLS1.3:A:256 CV=yes C=\"250 OK\"",
	E "[42] 1xYG2F-0003bs-2A <= other@out.test U=root P=local S=2000",
	E "[43] 1xYG2F-0003bs-2A => u@good.test R=r T=t H=mx.good.test [192.0.2.2] X=TLS1.3:A:256 CV=yes C=\"250 OK\"",
};

static void
test_exclusion(void)
{
	unsigned long excl = 0;

	is_str(run(reporter, sizeof(reporter) / sizeof(reporter[0]), &excl),
	    "good.test mx.good.test 192.0.2.2 verified|", "the reporter's message is not counted, another one is");
	is_int(excl, 2, "its two sessions are counted as excluded");
}

/* all the sequences above, one after the other, for the restart test */
static const char *all[256];
static size_t nall;

static void
add(const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n && nall < sizeof(all) / sizeof(all[0]); i++)
		all[nall++] = lines[i];
}

static void
test_restart(void)
{
	char straight[8192], got[8192];
	struct buf st;
	int bad = 0, loadfail = 0;
	unsigned long excl_straight, excl;

	add(world, sizeof(world) / sizeof(world[0]));
	add(multi_pid, sizeof(multi_pid) / sizeof(multi_pid[0]));
	add(joined, sizeof(joined) / sizeof(joined[0]));
	add(pruned, sizeof(pruned) / sizeof(pruned[0]));
	/* each case of classes in a message of its own */
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		for (size_t j = 0; j < 3 && classes[i].lines[j]; j++) {
			static char copies[64][1024];
			static size_t ncopies;
			char *c = copies[ncopies++ % 64], *id;

			snprintf(c, sizeof(copies[0]), "%s", classes[i].lines[j]);
			if ((id = strstr(c, ID)) != NULL) {
				id[4] = (char)('a' + i % 26);
				id[5] = (char)('a' + i / 26);
			}
			all[nall++] = c;
		}
	add(reporter, sizeof(reporter) / sizeof(reporter[0]));
	snprintf(straight, sizeof(straight), "%s", run(all, nall, &excl_straight));
	buf_init(&st, 1 << 22);
	if (getenv("SHOW"))
		tap_diag("straight: %s", straight);
	for (size_t cut = 0; cut <= nall; cut++) {
		struct eximsessions *a = eximsessions_new(emit, NULL), *b = eximsessions_new(emit, NULL);

		eximsessions_exclude_sender(a, "tlsrpt-noreply@out.test");
		eximsessions_exclude_sender(b, "tlsrpt-noreply@out.test");
		buf_reset(&out);
		for (size_t i = 0; i < cut; i++)
			feed(a, all[i]);
		if (eximsessions_save(a, &st) < 0 || eximsessions_load(b, st.data, st.len) < 0)
			loadfail++;
		for (size_t i = cut; i < nall; i++)
			feed(b, all[i]);
		excl = eximsessions_excluded(b);
		snprintf(got, sizeof(got), "%.*s", (int)out.len, out.data ? out.data : "");
		if (strcmp(got, straight) != 0 || excl != excl_straight) {
			if (bad++ == 0)
				tap_diag("restart after line %zu: got %s", cut, got);
		}
		eximsessions_free(a);
		eximsessions_free(b);
	}
	is_int(loadfail, 0, "the state saves and loads after every one of %zu lines", nall);
	is_int(bad, 0, "a restart after any line gives the same sessions as a straight run");
	ok(strlen(straight) > 1000, "and that run counted sessions");
	buf_fini(&st);
}

static void
test_hostile(void)
{
	struct eximsessions *x = eximsessions_new(emit, NULL), *y = eximsessions_new(emit, NULL);
	struct buf st;
	char line[600];
	int refused = 0;

	buf_init(&st, 1 << 26);
	ok(eximsessions_load(x, "garbage", 7) < 0, "a garbage state is refused");
	ok(eximsessions_load(x, "", 0) < 0, "an empty state is refused");
	for (size_t i = 0; i < nall; i++)
		feed(x, all[i]);
	eximsessions_save(x, &st);
	/* every truncation and a flipped byte at every place: refused or
	 * loaded, never a crash (the sanitizer build checks the reads) */
	for (size_t n = 0; n < st.len; n++) {
		if (eximsessions_load(y, st.data, n) < 0)
			refused++;
		st.data[n] ^= 0x5a;
		eximsessions_load(y, st.data, st.len);
		st.data[n] ^= 0x5a;
	}
	is_int(refused, (long long)st.len, "every truncated state is refused");
	/* well-formed, but with more entries per message than are kept */
	for (int what = 0; what < 3; what++) {
		struct record_wr w;

		buf_reset(&st);
		record_wr_init(&w, &st);
		record_put_u64(&w, 1);              /* version */
		record_put_u64(&w, 0);              /* next prune */
		record_put_u64(&w, 0);              /* excluded sessions */
		record_put_u64(&w, 0);              /* excluded messages */
		record_put_u64(&w, 1);              /* messages */
		record_put_str(&w, " 1xYG2E-0003br-1S");
		record_put_u64(&w, 0);              /* last seen */
		for (int list = 0; list < 3; list++) {
			int n = list == what ? 9 : 0;

			record_put_u64(&w, (uint64_t)n);
			for (int i = 0; i < n; i++) {
				if (list == 0) {
					record_put_str(&w, "192.0.2.1");
					record_put_u64(&w, 0);
					record_put_u64(&w, 0);
					record_put_u64(&w, 0);
					record_put_str(&w, "");
					record_put_str(&w, "");
				} else if (list == 1) {
					record_put_u64(&w, 0);
					record_put_u64(&w, 1);
					record_put_str(&w, "mx.x.test");
					record_put_str(&w, "192.0.2.1");
					record_put_str(&w, "x");
				} else {
					record_put_u64(&w, 1);
					record_put_u64(&w, 2);
					record_put_u64(&w, 3);
				}
			}
		}
		ok(eximsessions_load(y, st.data, st.len) < 0, "a state with 9 entries in list %d refused", what);
	}
	/* more messages than kept, each with state; then it still works */
	buf_reset(&out);
	for (int i = 0; i < EXIMSESSIONS_MSGS_MAX + 100; i++) {
		snprintf(line, sizeof(line), E "[7] 1xYG%02d-%06d-1S H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support",
		    i / 1000000 % 100, i % 1000000);
		feed(x, line);
	}
	ok(eximsessions_save(x, &st) == 0 && eximsessions_load(y, st.data, st.len) == 0,
	    "a full state saves and loads");
	feed(y, E "[8] 1xYG99-000001-1S == u@x.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support");
	is_int(out.len > 0, 1, "and goes on counting");
	/* a deferral without a domain, hostile fields */
	buf_reset(&out);
	feed(y, E "[8] 1xYG98-000001-1S == \"a b\"@x.test R=r T=t defer (-38) H=mx\x01.x.test [999.1.1.1]:25: a TLS session is required, but the server did not offer TLS support");
	feed(y, E "[8] 1xYG98-000002-1S == u@-bad-.test R=r T=t defer (-38) H=mx.x.test [192.0.2.1]:25: a TLS session is required, but the server did not offer TLS support");
	is_int(out.len, 0, "no session without a recipient domain");
	buf_fini(&st);
	eximsessions_free(x);
	eximsessions_free(y);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	buf_init(&out, 1 << 20);
	test_world();
	test_multi();
	test_joined();
	test_classes();
	test_exclusion();
	test_prune();
	test_late_host();
	test_restart();
	test_hostile();
	buf_fini(&out);
	return tap_done();
}
