/* Unit tests for decisionlog (the decision line: format, parse back,
 * hostile lines) and for its use by ingest: the sessions after a
 * decision line count under its policy. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "decision.h"
#include "decisionlog.h"
#include "ingest.h"
#include "results.h"
#include "store.h"
#include "tap.h"

#define NOW 1764583200   /* 2025-12-01 10:00 UTC */
#define POLICY "version: STSv1\nmode: enforce\nmx: mx.good.test\nmax_age: 86400\n"

static void
test_roundtrip(void)
{
	static const struct { const char *kind, *what, *value; } recs[] = {
		{ "sts", "20261201", POLICY },
		{ "tlsa", "mx.good.test", "3 1 1 0123456789ABCDEF\n2 0 1 FF\n" },
		{ "failure", "sts-policy-fetch-error", "HTTP 404 \"not\\found\"\t\x01\xc3\xa9" },
	};
	struct buf msg, line;
	struct decisionlog_event ev;

	buf_init(&msg, DECISIONLOG_MSG_MAX);
	buf_init(&line, 4096);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		size_t vlen = strlen(recs[i].value);

		ok(decisionlog_format(&msg, "2025-12-01", "good.test", recs[i].kind, recs[i].what,
		    recs[i].value, vlen) == 0, "%s: formatted", recs[i].kind);
		ok(memchr(msg.data, '\n', msg.len) == NULL && memchr(msg.data, '\t', msg.len) == NULL,
		    "%s: one line, control bytes escaped", recs[i].kind);
		for (int form = 0; form < 2; form++) {
			buf_reset(&line);
			buf_printf(&line, "%s s2 tlspolicyd[4711]: %.*s",
			    form ? "2025-12-01T10:00:00.123+01:00" : "Dec  1 10:00:00", (int)msg.len,
			    msg.data);
			memset(&ev, 0, sizeof(ev));
			ok(decisionlog_parse(line.data, line.len, NOW, &ev) == 1
			    && strcmp(ev.host, "s2") == 0 && strcmp(ev.syslog_name, "tlspolicyd") == 0
			    && ev.pid == 4711 && strcmp(ev.day, "2025-12-01") == 0
			    && strcmp(ev.domain, "good.test") == 0 && strcmp(ev.kind, recs[i].kind) == 0
			    && strcmp(ev.what, recs[i].what) == 0 && ev.vlen == vlen
			    && memcmp(ev.value, recs[i].value, vlen) == 0,
			    "%s: parsed back whole (%s time stamp)", recs[i].kind,
			    form ? "RFC 3339" : "traditional");
		}
	}
	is_str(msg.len > 0 ? msg.data : "", "decision day=2025-12-01 domain=good.test policy=failure "
	    "result=sts-policy-fetch-error value=\"HTTP 404 \\\"not\\\\found\\\"\\x09\\x01\\xC3\\xA9\"",
	    "the failure line as logged");
	/* too long: not formatted */
	{
		char big[DECISIONLOG_MSG_MAX];

		memset(big, 'x', sizeof(big));
		ok(decisionlog_format(&msg, "2025-12-01", "good.test", "sts", "1", big, sizeof(big)) < 0,
		    "a value over the bound is not formatted");
		ok(decisionlog_format(&msg, "2025-12-01", "good.test", "other", "1", "", 0) < 0,
		    "an unknown kind is not formatted");
	}
	buf_fini(&msg);
	buf_fini(&line);
}

static void
test_hostile(void)
{
	static const char *const bad[] = {
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"x\" ",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"x",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"\\x00\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"\\q\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"a\tb\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=a-b value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=123456789012345678901234567890123 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=Good.test policy=sts id=1 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good..test policy=sts id=1 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=tlsa base=mx\tx value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=failure result=a_b value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=dane id=1 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-1-01 domain=good.test policy=sts id=1 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-0x domain=good.test policy=sts id=1 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: decision domain=good.test day=2025-12-01 policy=sts id=1 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[x]: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"\"",
		"Dec  1 10:00:00 s2 tlspolicyd[1]: warning: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"\"",
		"Dex  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"\"",
	};
	struct decisionlog_event ev;
	int wrong = 0;
	char nul[] = "Dec  1 10:00:00 s2 tlspolicyd[1]: decision day=2025-12-01 domain=good.test policy=sts id=1 value=\"a\0\"";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (decisionlog_parse(bad[i], strlen(bad[i]), NOW, &ev) != 0) {
			wrong++;
			tap_diag("taken: %s", bad[i]);
		}
	is_int(wrong, 0, "malformed decision lines are not taken (%zu rows)", sizeof(bad) / sizeof(bad[0]));
	ok(decisionlog_parse(nul, sizeof(nul) - 1, NOW, &ev) == 0, "a NUL in the line: not taken");
	ok(decisionlog_parse(bad[0], strlen(bad[0]) - 1, NOW, &ev) == 1,
	    "the same line without the trailing blank is taken");
}

/* count - the sessions stored per policy type and id, "sts/ID=N ..." */
static void
count(struct store *st, char *out, size_t outlen)
{
	struct store_cursor *c = store_cursor_open(st, STORE_DB_RESULT);
	struct buf k, v;
	size_t n = 0;

	out[0] = '\0';
	buf_init(&k, 4096);
	buf_init(&v, 64);
	while (c != NULL && store_cursor_next(c, &k, &v) == 0) {
		struct result_rec r;

		if (results_parse_key(k.data, k.len, &r) == 0 && n < outlen)
			n += (size_t)snprintf(out + n, outlen - n, "%s%s/%s/%s=%.*s", n ? " " : "",
			    r.domain, r.ptype, r.pkey, (int)v.len, v.data);
	}
	if (c != NULL)
		store_cursor_close(c);
	buf_fini(&k);
	buf_fini(&v);
}

static void
session(struct ingest *ig, const char *host, unsigned pid, const char *qid, const char *domain)
{
	char l[1024];

	snprintf(l, sizeof(l), "2025-12-01T10:00:01Z %s postfix/smtp[%u]: Verified TLS connection "
	    "established to mx.%s[192.0.2.7]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
	    "(256/256 bits)", host, pid, domain);
	ingest_line(ig, l, strlen(l));
	snprintf(l, sizeof(l), "2025-12-01T10:00:01Z %s postfix/smtp[%u]: %s: to=<u@%s>, "
	    "relay=mx.%s[192.0.2.7]:25, delay=0.1, delays=0/0/0.05/0.05, dsn=2.0.0, "
	    "status=sent (250 2.0.0 Ok)", host, pid, qid, domain, domain);
	ingest_line(ig, l, strlen(l));
}

static void
test_ingest(void)
{
	char dir[600], err[256], got[1024], l[1024];
	struct store *st;
	struct ingest_config cfg;
	struct ingest *ig;
	struct ingest_stats s;
	struct buf msg;
	static char *const other[] = { "tlspolicyd-x" };

	snprintf(dir, sizeof(dir), "%s/store", tap_tmpdir());
	mkdir(dir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		ok(0, "store opens: %s", err);
		return;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.exclude_sender = "";
	ig = ingest_new(st, "merged", &cfg);
	/* s1's session before any decision: no policy; then s2's decision,
	 * and the sessions of both hosts after it count under the policy */
	session(ig, "s1", 100, "4B7E21C0F51", "good.test");
	buf_init(&msg, DECISIONLOG_MSG_MAX);
	decisionlog_format(&msg, "2025-12-01", "good.test", "sts", "20261201", POLICY,
	    strlen(POLICY));
	snprintf(l, sizeof(l), "2025-12-01T10:00:00Z s2 tlspolicyd[4711]: %.*s", (int)msg.len, msg.data);
	ingest_line(ig, l, strlen(l));
	session(ig, "s2", 200, "4B7E21C0F53", "good.test");
	session(ig, "s1", 101, "4B7E21C0F52", "good.test");
	/* a decision of a name not taken, for another domain */
	decisionlog_format(&msg, "2025-12-01", "other.test", "sts", "7", POLICY, strlen(POLICY));
	snprintf(l, sizeof(l), "2025-12-01T10:00:00Z s2 evil[1]: %.*s", (int)msg.len, msg.data);
	ingest_line(ig, l, strlen(l));
	session(ig, "s2", 201, "4B7E21C0F54", "other.test");
	ok(ingest_commit(ig, NULL) == 0, "committed");
	ingest_get_stats(ig, &s);
	is_int(s.decisions, 1, "one decision line taken");
	is_int(s.sessions, 4, "four sessions");
	count(st, got, sizeof(got));
	is_str(got, "good.test/no-policy-found/=1 good.test/sts/20261201=2 other.test/no-policy-found/=1",
	    "sessions after the decision line count under its policy, of either host");
	buf_reset(&msg);
	ok(decision_get(st, "2025-12-01", "good.test", "sts", "20261201", &msg) == 0
	    && msg.len == strlen(POLICY) && memcmp(msg.data, POLICY, msg.len) == 0,
	    "the decision is stored for the reporter, the policy text whole");
	ingest_free(ig);

	/* with only another name taken, the same line is skipped */
	cfg.decision_names = other;
	cfg.ndecision_names = 1;
	ig = ingest_new(st, "other", &cfg);
	decisionlog_format(&msg, "2025-12-01", "third.test", "sts", "9", POLICY, strlen(POLICY));
	snprintf(l, sizeof(l), "2025-12-01T10:00:00Z s2 tlspolicyd[4711]: %.*s", (int)msg.len, msg.data);
	ingest_line(ig, l, strlen(l));
	ingest_get_stats(ig, &s);
	ok(s.decisions == 0 && s.skipped == 1, "decision_syslog_names: other names' lines skipped");
	ingest_free(ig);
	buf_fini(&msg);
	store_close(st);
}

int
main(void)
{
	test_roundtrip();
	test_hostile();
	test_ingest();
	return tap_done();
}
