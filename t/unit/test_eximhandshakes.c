/* Unit tests for tlspolicy/logs/eximhandshakes: Exim's incoming lines
 * joined into one outcome per handshake, by pid and without it (the real
 * lines are in the golden files incoming-4.96*), and ingest's publishing
 * of the counts under mta="exim" when what was read is committed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eximhandshakes.h"
#include "ingest.h"
#include "logfollow.h"
#include "logparse_exim.h"
#include "metrics.h"
#include "store.h"
#include "tap.h"

static char got[4096];

static void
outcome(void *arg, int success, enum metrics_hs_reason reason)
{
	size_t n = strlen(got);

	(void)arg;
	snprintf(got + n, sizeof(got) - n, "%s%s", n ? " " : "", success ? "ok" : metrics_hs_reasons[reason]);
}

static void
feed(struct eximhandshakes *h, const char *line)
{
	static struct exim_event ev;

	logparse_exim(line, strlen(line), 1741600000, &ev);
	eximhandshakes_feed(h, &ev);
}

#define T "2025-03-10 09:30:12 "
#define X1 " X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no"
#define X2 " X=TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256 CV=no"
/* the lines of an Exim process PID (+pid) */
#define IN(pid, id, from, x) T "[" pid "] " id " <= a@c.example H=(c.example) [" from "] P=esmtps" x " S=300"
#define REJ(pid, from, x) T "[" pid "] H=(c.example) [" from "]" x " F=<a@c.example> rejected RCPT <b@d.example>: no"
#define NOMAIL(pid, from, x) T "[" pid "] no MAIL in SMTP connection from (c.example) [" from "] D=0s" x " C=EHLO,STARTTLS,QUIT"
#define FAIL(pid, text) T "[" pid "] TLS error on connection from (c.example) [192.0.2.7] (gnutls_handshake): " text

static void
joining(void)
{
	struct eximhandshakes *h = eximhandshakes_new(outcome, NULL);
	char line[300];

	got[0] = '\0';
	/* one connection: two messages, a refusal, interleaved with another
	 * process's connection that sends no mail */
	feed(h, IN("10", "1tra7x-0004Qm-2C", "192.0.2.7", X1));
	feed(h, NOMAIL("11", "192.0.2.8", X2));
	feed(h, IN("10", "1tra7x-0004Qm-2D", "192.0.2.7", X1));
	feed(h, REJ("10", "192.0.2.7", X1));
	is_str(got, "ok ok", "+pid: one success per connection, whatever its messages and refusals");

	got[0] = '\0';
	/* failures, each followed by its connection's "no MAIL" (no X=) */
	feed(h, FAIL("12", "CA is unknown"));
	feed(h, NOMAIL("12", "192.0.2.7", ""));
	feed(h, FAIL("13", "Certificate is bad"));
	feed(h, FAIL("14", "Decryption has failed."));
	feed(h, FAIL("15", "Error in the pull function."));
	feed(h, FAIL("16", "The TLS connection was non-properly terminated."));
	feed(h, FAIL("17", "timed out"));
	feed(h, FAIL("18", "Certificate is expired"));
	is_str(got, "unknown_ca bad_certificate other eof eof timeout certificate_expired",
	    "a failure per handshake error, with GnuTLS's reason");

	got[0] = '\0';
	/* no TLS, or no client: nothing */
	feed(h, IN("20", "1tra7x-0004Qm-2E", "192.0.2.7", ""));
	feed(h, REJ("20", "192.0.2.7", ""));
	feed(h, NOMAIL("21", "192.0.2.7", ""));
	feed(h, T "[22] 1tra7x-0004Qm-2F <= a@out.example U=root P=local S=300");
	feed(h, T "[23] TLS error on connection from (c.example) [192.0.2.7] (recv): Error in the pull function.");
	is_str(got, "", "no handshake: plain connections, local mail, errors after a handshake");

	got[0] = '\0';
	/* the same pid for another connection (the pid used again): another
	 * client address, port or cipher is another success */
	feed(h, IN("10", "1tra7x-0004Qm-2G", "192.0.2.9", X1));
	feed(h, IN("10", "1tra7x-0004Qm-2H", "192.0.2.9", X2));
	feed(h, T "[10] 1tra7x-0004Qm-2I <= a@c.example H=(c.example) [192.0.2.9]:4000 P=esmtps" X2 " S=3");
	feed(h, T "[10] 1tra7x-0004Qm-2J <= a@c.example H=(c.example) [192.0.2.9]:4000 P=esmtps" X2 " S=3");
	is_str(got, "ok ok ok", "a pid used again: another address, cipher or port is another connection");

	got[0] = '\0';
	/* "no MAIL" and a failure end the process's connection: the same
	 * client, cipher and pid after them is a new connection */
	feed(h, NOMAIL("11", "192.0.2.8", X2));
	feed(h, NOMAIL("11", "192.0.2.8", X2));
	feed(h, IN("30", "1tra7x-0004Qm-2K", "192.0.2.7", X1));
	feed(h, FAIL("30", "CA is unknown"));
	feed(h, IN("30", "1tra7x-0004Qm-2L", "192.0.2.7", X1));
	is_str(got, "ok ok ok unknown_ca ok", "after the end of a connection the pid starts afresh");

	got[0] = '\0';
	/* the same pid on two logging hosts (syslog): two processes */
	feed(h, "Mar 10 09:30:59 mx1 exim[40]: 2025-03-10 09:30:12 1tra7x-0004Qm-2M <= a@c H=[192.0.2.7] P=esmtps" X1 " S=1");
	feed(h, "Mar 10 09:30:59 mx2 exim[40]: 2025-03-10 09:30:12 1tra7x-0004Qm-2N <= a@c H=[192.0.2.7] P=esmtps" X1 " S=1");
	feed(h, "Mar 10 09:30:59 mx1 exim[40]: 2025-03-10 09:30:12 1tra7x-0004Qm-2O <= a@c H=[192.0.2.7] P=esmtps" X1 " S=1");
	is_str(got, "ok ok", "per logging host");

	got[0] = '\0';
	/* without +pid: one success per message and per connection without
	 * mail, none per refusal (one per refused command) */
	feed(h, T "1tra7x-0004Qm-2P <= a@c.example H=(c.example) [192.0.2.7] P=esmtps" X1 " S=300");
	feed(h, T "1tra7x-0004Qm-2Q <= a@c.example H=(c.example) [192.0.2.7] P=esmtps" X1 " S=300");
	feed(h, T "H=(c.example) [192.0.2.7]" X1 " F=<a@c.example> rejected RCPT <b@d.example>: no");
	feed(h, T "no MAIL in SMTP connection from [192.0.2.7] D=0s" X1 " C=EHLO,STARTTLS,QUIT");
	feed(h, T "TLS error on connection from (c.example) [192.0.2.7] (gnutls_handshake): CA is unknown");
	is_str(got, "ok ok ok unknown_ca", "without +pid: per message, no refusals");

	got[0] = '\0';
	/* more processes than the table holds: the oldest are dropped (its
	 * next message counts again), the newest kept */
	for (int i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), IN("%d", "1tra7x-0004Qm-2R", "192.0.2.7", X1), 1000 + i);
		feed(h, line);
	}
	is_int(strlen(got), 300 * 3 - 1, "300 connections: 300 successes");
	got[0] = '\0';
	snprintf(line, sizeof(line), IN("%d", "1tra7x-0004Qm-2S", "192.0.2.7", X1), 1299);
	feed(h, line);
	snprintf(line, sizeof(line), IN("%d", "1tra7x-0004Qm-2S", "192.0.2.7", X1), 1000);
	feed(h, line);
	is_str(got, "ok", "the table stays bounded: a dropped process counts again, a kept one not");
	eximhandshakes_free(h);
}

/* publishing - ingest adds Exim's counts to the metrics (mta="exim") when
 * it commits */
static void
publishing(void)
{
	static const char *const lines[] = {
		FAIL("1", "CA is unknown"),
		NOMAIL("1", "192.0.2.7", ""),
		IN("2", "1tra7x-0004Qm-2C", "192.0.2.7", X1),
		IN("2", "1tra7x-0004Qm-2D", "192.0.2.7", X1),
		NOMAIL("3", "192.0.2.7", X1),
	};
	struct ingest_config cfg = { .exclude_sender = "" };
	char dir[600], err[256];
	struct store *st;
	struct ingest *ig;
	struct logfollow_cursor c = { .dev = 1, .ino = 2, .offset = 100 };
	const uint64_t *ex = metrics.handshakes[METRICS_MTA_EXIM], *pf = metrics.handshakes[METRICS_MTA_POSTFIX];

	snprintf(dir, sizeof(dir), "%s/publish", tap_tmpdir());
	mkdir(dir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		ok(0, "store opens: %s", err);
		return;
	}
	metrics_reset();
	ig = ingest_new(st, "mainlog", &cfg);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ingest_line(ig, lines[i], strlen(lines[i]));
	ok(ex[0] == 0 && ex[1 + METRICS_HS_UNKNOWN_CA] == 0, "nothing published before the commit");
	is_int(ingest_commit(ig, &c), 0, "commit");
	ok(ex[0] == 2 && ex[1 + METRICS_HS_UNKNOWN_CA] == 1, "after it: 2 successes, 1 unknown_ca (got %llu, %llu)",
	    (unsigned long long)ex[0], (unsigned long long)ex[1 + METRICS_HS_UNKNOWN_CA]);
	ok(pf[0] == 0 && pf[1 + METRICS_HS_UNKNOWN_CA] == 0, "none under Postfix");
	is_int(ingest_commit(ig, &c), 0, "a second commit");
	ok(ex[0] == 2 && ex[1 + METRICS_HS_UNKNOWN_CA] == 1, "publishes nothing twice");
	/* read and not committed (the process dies): never published */
	ingest_line(ig, lines[4], strlen(lines[4]));
	ingest_free(ig);
	is_int((long long)ex[0], 2, "lines read but not committed are not published");
	store_close(st);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	joining();
	publishing();
	return tap_done();
}
