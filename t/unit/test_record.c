/* Unit tests for the store record modules: the binary record cursor,
 * the day-keyed purge, the decision records (keys as earlier releases
 * wrote them must still read) and the log source record of ingest. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "attrib.h"
#include "buf.h"
#include "decision.h"
#include "ingest.h"
#include "logfollow.h"
#include "logparse_postfix.h"
#include "record.h"
#include "results.h"
#include "sessions.h"
#include "store.h"
#include "tap.h"

static struct store *
open_store(const char *name)
{
	char dir[600], err[256];
	struct store *st;

	snprintf(dir, sizeof(dir), "%s/%s", tap_tmpdir(), name);
	mkdir(dir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL)
		tap_diag("store %s: %s", name, err);
	return st;
}

/* sample - a record of every kind of value */
static void
sample(struct buf *b)
{
	struct record_wr w;

	record_wr_init(&w, b);
	record_put_u8(&w, 0xa5);
	record_put_u64(&w, UINT64_C(0x0102030405060708));
	record_put_str(&w, "mx.example");
	record_put_str(&w, "");
	record_put_u64(&w, UINT64_MAX);
}

static void
test_cursor(void)
{
	struct buf b, small;
	struct record_rd r;
	struct record_wr w;
	char s1[32], s2[4], s3[10];
	unsigned bad_cuts = 0;
	uint64_t v;

	buf_init(&b, 1024);
	sample(&b);
	is_int(b.len, 1 + 8 + 2 + 10 + 2 + 8, "record: the encoded size");
	ok(memcmp(b.data + 1, "\x08\x07\x06\x05\x04\x03\x02\x01", 8) == 0,
	    "record: numbers little-endian, as earlier releases wrote them");
	record_rd_init(&r, b.data, b.len);
	is_int(record_get_u8(&r), 0xa5, "record: byte back");
	ok(record_get_u64(&r) == UINT64_C(0x0102030405060708), "record: number back");
	record_get_str(&r, s1, sizeof(s1));
	record_get_str(&r, s2, sizeof(s2));
	v = record_get_u64(&r);
	ok(v == UINT64_MAX && strcmp(s1, "mx.example") == 0 && s2[0] == '\0'
	    && record_rd_done(&r) == 0, "record: round trip of strings, the empty one and 2^64-1");

	/* every truncation is refused, none reads past its end */
	for (size_t cut = 0; cut < b.len; cut++) {
		char *copy = malloc(cut > 0 ? cut : 1);   /* exact: ASan sees an over-read */

		memcpy(copy, b.data, cut);
		record_rd_init(&r, copy, cut);
		(void)record_get_u8(&r);
		(void)record_get_u64(&r);
		record_get_str(&r, s1, sizeof(s1));
		record_get_str(&r, s2, sizeof(s2));
		(void)record_get_u64(&r);
		if (record_rd_done(&r) == 0 || r.n > cut)
			bad_cuts++;
		free(copy);
	}
	is_int(bad_cuts, 0, "record: every truncated record refused, no read past its end");

	record_rd_init(&r, b.data, b.len);
	(void)record_get_u8(&r);
	(void)record_get_u64(&r);
	record_get_str(&r, s3, sizeof(s3));   /* 10 bytes do not fit in 10 */
	ok(r.bad && s3[0] == '\0', "record: a string longer than its field refused");
	(void)record_get_u8(&r);
	ok(record_rd_done(&r) < 0, "record: the error sticks");

	record_rd_init(&r, b.data, b.len);
	(void)record_get_u8(&r);
	ok(record_rd_done(&r) < 0, "record: bytes left over refused");

	/* a string length pointing past the end */
	{
		static const unsigned char hostile[] = { 0xff, 0xff, 'a', 'b' };
		char big[70000];

		record_rd_init(&r, hostile, sizeof(hostile));
		record_get_str(&r, big, sizeof(big));
		ok(r.bad && big[0] == '\0', "record: a length beyond the record refused");
	}
	record_rd_init(&r, NULL, 5);
	ok(record_get_u8(&r) == 0 && r.bad, "record: no data reads as nothing");

	buf_init(&small, 12);
	record_wr_init(&w, &small);
	record_put_u64(&w, 1);
	ok(!w.bad, "record: a write that fits");
	record_put_u64(&w, 2);
	record_put_u8(&w, 3);
	ok(w.bad && small.len == 8, "record: a full buffer makes the writer bad, nothing half-written");
	buf_fini(&small);
	buf_fini(&b);
}

static void
put(struct store *st, enum store_db db, const char *key, const char *val)
{
	store_put(st, NULL, db, key, strlen(key), val, strlen(val));
}

struct seen {
	struct buf list;
};

static void
collect(void *arg, const char *kind, const char *what, const char *value, size_t vlen)
{
	struct seen *s = arg;

	buf_printf(&s->list, "%s/%s=%.*s|", kind, what, (int)vlen, value);
}

static void
test_decision(void)
{
	struct store *st = open_store("decision");
	struct seen s;
	struct buf v, key;
	char today[11];

	if (st == NULL) {
		ok(0, "decision: store opens");
		return;
	}
	/* records as the earlier releases wrote them, by hand */
	put(st, STORE_DB_DECISION, "2026-11-20\ta.example\tsts\tid1", "version: STSv1\nmode: testing\n");
	put(st, STORE_DB_DECISION, "2026-11-20\ta.example\ttlsa\tmx.a.example", "3 1 1 AB");
	put(st, STORE_DB_DECISION, "2026-11-20\ta.example\tfailure\tsts-webpki-invalid", "expired");
	put(st, STORE_DB_DECISION, "2026-11-20\ta.example.org\tsts\tid9", "other domain");
	put(st, STORE_DB_DECISION, "2026-11-21\ta.example\tsts\tid2", "other day");
	/* garbage: no what, a tab too many, a kind too long */
	put(st, STORE_DB_DECISION, "2026-11-20\ta.example\tsts", "x");
	put(st, STORE_DB_DECISION, "2026-11-20\ta.example\tsts\tid\textra", "x");
	put(st, STORE_DB_DECISION, "2026-11-20\ta.example\tkindlongerthan15\tx", "x");

	buf_init(&s.list, 4096);
	is_int(decision_foreach(st, "2026-11-20", "a.example", collect, &s), 0, "decision: foreach");
	is_str(s.list.data, "failure/sts-webpki-invalid=expired|sts/id1=version: STSv1\nmode: testing\n|"
	    "tlsa/mx.a.example=3 1 1 AB|",
	    "decision: the day's records of the domain, old keys read, garbage passed over");
	buf_reset(&s.list);
	decision_foreach(st, "2026-11-19", "a.example", collect, &s);
	ok(s.list.len == 0, "decision: a day without records");

	buf_init(&v, 1024);
	is_int(decision_get(st, "2026-11-20", "a.example", "tlsa", "mx.a.example", &v), 0,
	    "decision: get an old record");
	ok(v.len == 8 && memcmp(v.data, "3 1 1 AB", 8) == 0, "decision: its value");
	is_int(decision_get(st, "2026-11-20", "a.example", "tlsa", "mx.b.example", &v),
	    STORE_NOTFOUND, "decision: an absent record");

	/* written by decision_record (today), read back by both readers */
	decision_daystr(time(NULL), today);
	decision_record(st, "b.example", "sts", "id7", "mode: enforce\n", 14);
	is_int(decision_get(st, today, "b.example", "sts", "id7", &v), 0, "decision: round trip, get");
	ok(v.len == 14 && memcmp(v.data, "mode: enforce\n", 14) == 0, "decision: round trip value");
	buf_reset(&s.list);
	decision_foreach(st, today, "b.example", collect, &s);
	is_str(s.list.data, "sts/id7=mode: enforce\n|", "decision: round trip, foreach");
	/* the same record again today is not written again; another value is */
	{
		unsigned long long skipped = decision_skipped();
		struct buf k;

		buf_init(&k, DECISION_KEY_MAX);
		decision_key(&k, today, "b.example", "sts", "id7");
		is_int(store_del(st, NULL, STORE_DB_DECISION, k.data, k.len), 0, "decision: deleted");
		decision_record(st, "b.example", "sts", "id7", "mode: enforce\n", 14);
		is_int(decision_get(st, today, "b.example", "sts", "id7", &v), STORE_NOTFOUND,
		    "decision: the same record today is not written again");
		ok(decision_skipped() == skipped + 1, "decision: and counted as skipped");
		decision_record(st, "b.example", "sts", "id7", "mode: testing\n", 14);
		is_int(decision_get(st, today, "b.example", "sts", "id7", &v), 0,
		    "decision: another value is written");
		ok(v.len == 14 && memcmp(v.data, "mode: testing\n", 14) == 0,
		    "decision: the new value");
		decision_record(st, "c.example", "sts", "id7", "mode: enforce\n", 14);
		is_int(decision_get(st, today, "c.example", "sts", "id7", &v), 0,
		    "decision: another domain is written");
		buf_fini(&k);
	}
	buf_init(&key, DECISION_KEY_MAX);
	decision_key(&key, "2026-11-20", "a.example", "sts", "id1");
	is_str(key.data, "2026-11-20\ta.example\tsts\tid1", "decision: the key layout is unchanged");

	is_int(decision_purge(st, "2026-11-21"), 7, "decision: purge before a day");
	buf_reset(&s.list);
	decision_foreach(st, "2026-11-21", "a.example", collect, &s);
	is_str(s.list.data, "sts/id2=other day|", "decision: the later day kept");
	buf_fini(&key);
	buf_fini(&v);
	buf_fini(&s.list);
	store_close(st);
}

/* attribution reads the day's decisions through decision_foreach() */
static void
test_attrib(void)
{
	struct store *st = open_store("attrib");
	struct session_outcome o;
	struct result_rec r;
	struct attrib *a;

	if (st == NULL) {
		ok(0, "attrib: store opens");
		return;
	}
	put(st, STORE_DB_DECISION, "2026-11-20\ta.example\tsts\tpol1",
	    "version: STSv1\nmode: testing\nmx: mx.a.example\nmax_age: 86400\n");
	put(st, STORE_DB_DECISION, "2026-11-20\tb.example\ttlsa\tmx.b.example", "3 1 1 AB");
	put(st, STORE_DB_DECISION, "2026-11-20\tc.example\tfailure\tsts-policy-fetch-error",
	    "timeout");
	a = attrib_new(st);
	memset(&o, 0, sizeof(o));
	o.when = 1795132800 + 3600;   /* 2026-11-20 01:00 UTC */
	o.success = o.tls = 1;
	o.trust = LOGPARSE_TRUSTED;
	snprintf(o.domain, sizeof(o.domain), "a.example");
	snprintf(o.mx, sizeof(o.mx), "mx.other.example");
	attrib_outcome(a, &o, "", &r);
	ok(strcmp(r.day, "2026-11-20") == 0 && strcmp(r.ptype, "sts") == 0
	    && strcmp(r.pkey, "pol1") == 0 && r.failure
	    && strcmp(r.result, "certificate-host-mismatch") == 0,
	    "attrib: a testing policy from an old-layout record judges the session");
	/* an untrusted session to a policy MX: Postfix's (no type) and Exim's */
	snprintf(o.mx, sizeof(o.mx), "mx.a.example");
	o.trust = LOGPARSE_UNTRUSTED;
	attrib_outcome(a, &o, "", &r);
	ok(r.failure && strcmp(r.result, "certificate-not-trusted") == 0,
	    "attrib: testing judges an untrusted session certificate-not-trusted");
	snprintf(o.result_type, sizeof(o.result_type), "certificate-expired");
	attrib_outcome(a, &o, "", &r);
	ok(r.failure && strcmp(r.result, "certificate-expired") == 0,
	    "attrib: or by the type an Exim log gives for it");
	o.trust = LOGPARSE_VERIFIED;
	attrib_outcome(a, &o, "", &r);
	ok(!r.failure, "attrib: that type does not count for a verified session");
	o.result_type[0] = '\0';
	snprintf(o.domain, sizeof(o.domain), "b.example");
	snprintf(o.mx, sizeof(o.mx), "mx.b.example");
	attrib_outcome(a, &o, "", &r);
	ok(strcmp(r.ptype, "tlsa") == 0 && strcmp(r.pkey, "mx.b.example") == 0 && !r.failure,
	    "attrib: TLSA decisions");
	snprintf(o.domain, sizeof(o.domain), "c.example");
	attrib_outcome(a, &o, "", &r);
	ok(strcmp(r.ptype, "sts") == 0 && r.failure && strcmp(r.result, "sts-policy-fetch-error") == 0
	    && strcmp(r.reason, "timeout") == 0, "attrib: a policy failure with its detail");
	snprintf(o.domain, sizeof(o.domain), "a.example.org");
	attrib_outcome(a, &o, "", &r);
	is_str(r.ptype, "no-policy-found", "attrib: another domain's decisions do not count");
	attrib_free(a);
	store_close(st);
}

static void
count_one(void *arg, const struct result_rec *r, uint64_t n)
{
	struct buf *out = arg;

	buf_printf(out, "%s %s %s%s=%llu|", r->day, r->domain, r->failure ? "F:" : "S",
	    r->result, (unsigned long long)n);
}

/* the result counters are read through results_foreach() alone */
static void
test_results(void)
{
	struct store *st = open_store("results");
	struct result_rec r = { .day = "2026-11-20", .domain = "a.example",
		.ptype = "no-policy-found" };
	struct results_batch *b = results_batch_new();
	struct store_txn *txn;
	struct buf out;

	if (st == NULL) {
		ok(0, "results: store opens");
		return;
	}
	results_batch_add(b, &r, 3);
	r.failure = 1;
	snprintf(r.result, sizeof(r.result), "starttls-not-supported");
	results_batch_add(b, &r, 2);
	r.failure = 0;
	snprintf(r.day, sizeof(r.day), "2026-11-21");
	results_batch_add(b, &r, 7);
	txn = store_begin(st);
	ok(results_apply(st, txn, b) == 0 && store_commit(st, txn) == 0, "results: counters stored");
	/* garbage in the day: a bad key, a bad count, a zero count */
	put(st, STORE_DB_RESULT, "2026-11-20\tb.example\tsts", "1");
	put(st, STORE_DB_RESULT, "2026-11-20\tc.example\tsts\tx\tS", "1x");
	put(st, STORE_DB_RESULT, "2026-11-20\td.example\tsts\tx\tS", "0");
	buf_init(&out, 4096);
	is_int(results_foreach(st, "2026-11-20", count_one, &out), 0, "results: foreach of a day");
	is_str(out.data, "2026-11-20 a.example F:starttls-not-supported=2|2026-11-20 a.example S=3|",
	    "results: the day's counters, garbage passed over");
	buf_reset(&out);
	results_foreach(st, NULL, count_one, &out);
	is_str(out.data, "2026-11-20 a.example F:starttls-not-supported=2|2026-11-20 a.example S=3|"
	    "2026-11-21 a.example S=7|", "results: every day's counters");
	buf_fini(&out);
	results_batch_free(b);
	store_close(st);
}

static void
test_purge_prefix(void)
{
	struct store *st = open_store("purge");
	struct buf v;
	char key[64];
	int left = 0;

	if (st == NULL) {
		ok(0, "purge: store opens");
		return;
	}
	/* more than one batch */
	for (int i = 0; i < 2500; i++) {
		snprintf(key, sizeof(key), "p\t2026-01-%02d\t%d", i % 28 + 1, i);
		put(st, STORE_DB_REPORT, key, "1");
	}
	put(st, STORE_DB_REPORT, "p\t2026-02-01\tx", "1");
	put(st, STORE_DB_REPORT, "q\t2026-01-01\tx", "1");
	put(st, STORE_DB_REPORT, "p\t2026", "1");   /* too short for a day */
	is_int(record_purge(st, STORE_DB_REPORT, "p\t", "2026-02-01"), 2500,
	    "purge: every record before the cutoff, over several transactions");
	buf_init(&v, 64);
	left += store_get(st, NULL, STORE_DB_REPORT, "p\t2026-02-01\tx", 14, &v) == 0;
	left += store_get(st, NULL, STORE_DB_REPORT, "q\t2026-01-01\tx", 14, &v) == 0;
	left += store_get(st, NULL, STORE_DB_REPORT, "p\t2026", 6, &v) == 0;
	is_int(left, 3, "purge: the cutoff day, other prefixes and short keys kept");
	is_int(store_count(st, STORE_DB_REPORT), 3, "purge: nothing else left");
	buf_fini(&v);
	store_close(st);
}

static void
put_u64le(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
test_source(void)
{
	struct store *st = open_store("source");
	struct ingest_config cfg = { "", NULL, NULL };
	struct ingest *ig;
	struct logfollow_cursor c = { 11, 22, 33, 44, 55, 66 }, got;
	struct ingest_stats stats;
	struct sessions *empty;
	struct buf state, rec;
	unsigned char hdr[74] = { 1, 1 };
	int have = 0;

	if (st == NULL) {
		ok(0, "source: store opens");
		return;
	}
	/* a source record exactly as the earlier release laid it out */
	for (int i = 0; i < 9; i++)
		put_u64le(hdr + 2 + 8 * i, (uint64_t)(i + 1) * 1000);
	empty = sessions_new(NULL, NULL);
	buf_init(&state, 1 << 20);
	sessions_save(empty, &state);
	buf_init(&rec, 1 << 20);
	buf_append(&rec, hdr, sizeof(hdr));
	buf_append(&rec, state.data, state.len);
	store_put(st, NULL, STORE_DB_SOURCE, "old", 3, rec.data, rec.len);
	ig = ingest_new(st, "old", &cfg);
	memset(&got, 0, sizeof(got));
	ok(ingest_restore(ig, &got, &have) == 0 && have, "source: an old-layout record restores");
	ingest_get_stats(ig, &stats);
	ok(got.dev == 1000 && got.ino == 2000 && got.offset == 3000 && got.headlen == 4000
	    && got.headhash == 5000 && got.mtime == 0 && stats.lines == 6000 && stats.skipped == 7000
	    && stats.sessions == 8000 && stats.failures == 9000, "source: its cursor and counts");
	ingest_free(ig);

	/* the same record cut inside the header, and with a bad version */
	store_put(st, NULL, STORE_DB_SOURCE, "cut", 3, rec.data, 40);
	ig = ingest_new(st, "cut", &cfg);
	ok(ingest_restore(ig, &got, &have) < 0 && !have, "source: a truncated record refused");
	ingest_free(ig);
	rec.data[0] = 9;
	store_put(st, NULL, STORE_DB_SOURCE, "v9", 2, rec.data, rec.len);
	ig = ingest_new(st, "v9", &cfg);
	ok(ingest_restore(ig, &got, &have) < 0 && !have, "source: an unknown version refused");
	ingest_free(ig);

	/* round trip */
	ig = ingest_new(st, "new", &cfg);
	ingest_line(ig, "not a log line", 14);
	ok(ingest_commit(ig, &c) == 0, "source: commit with a cursor");
	ingest_free(ig);
	ig = ingest_new(st, "new", &cfg);
	memset(&got, 0, sizeof(got));
	ok(ingest_restore(ig, &got, &have) == 0 && have && memcmp(&got, &c, sizeof(c)) == 0,
	    "source: the cursor comes back");
	ingest_get_stats(ig, &stats);
	is_int(stats.lines, 1, "source: the line count comes back");
	ingest_free(ig);
	ig = ingest_new(st, "stream", &cfg);
	ingest_line(ig, "x", 1);
	ingest_commit(ig, NULL);
	ingest_free(ig);
	ig = ingest_new(st, "stream", &cfg);
	ok(ingest_restore(ig, &got, &have) == 0 && !have, "source: a stream has no cursor");
	ingest_free(ig);

	sessions_free(empty);
	buf_fini(&state);
	buf_fini(&rec);
	store_close(st);
}

/* a syslog file with Postfix and Exim lines: both counted, exactly once
 * across a restart between two lines of one Exim delivery attempt */
static void
test_mixed(void)
{
	static const char *const lines[] = {
		"Mar 10 09:31:10 mta1 postfix/smtp[23171]: Verified TLS connection established to mx1.r.example[198.51.100.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
		"Mar 10 09:31:10 mta1 postfix/smtp[23171]: 0C2D3E4F5A: to=<d@r.example>, relay=mx1.r.example[198.51.100.25]:25, delay=0.6, delays=0.01/0/0.6/0, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
		"Mar 10 09:31:11 mta2 exim4[9]: 2025-03-10 09:31:11 1tra7x-0004Qm-2C == a@x.example R=r T=t defer (-38) H=mx.x.example [192.0.2.1]: a TLS session is required, but the server did not offer TLS support",
		"Mar 10 09:31:11 mta2 exim4[9]: 2025-03-10 09:31:11 1tra7x-0004Qm-2C == b@x.example R=r T=t defer (-38) H=mx.x.example [192.0.2.1]: a TLS session is required, but the server did not offer TLS support",
		"2025-03-10 09:31:12 [7] 1tra7y-0004Qm-2C => u@y.example R=r T=t H=mx.y.example [192.0.2.2]:25 X=TLS1.3:A:256 CV=yes C=\"250 OK\"",
		"Mar 10 09:31:12 mta1 sshd[77]: not mail",
		"2025-03-10 09:31:13 [8] 1tra7z-0004Qm-2C <= tlsrpt@out.example U=root P=local S=2000",
		"2025-03-10 09:31:13 [9] 1tra7z-0004Qm-2C => tlsrpt@y.example R=r T=t H=mx.y.example [192.0.2.2]:25 X=TLS1.3:A:256 CV=yes C=\"250 OK\"",
	};
	struct store *st = open_store("mixed");
	struct ingest_config cfg = { "tlsrpt@out.example", NULL, NULL };
	struct logfollow_cursor c = { 1, 2, 3, 4, 5 }, got;
	struct ingest_stats stats;
	struct ingest *ig;
	int have;

	if (st == NULL) {
		ok(0, "mixed: store opens");
		return;
	}
	for (size_t cut = 0; cut <= 8; cut += cut == 6 ? 1 : 3) {
		char name[16];

		snprintf(name, sizeof(name), "mixed%zu", cut);
		ig = ingest_new(st, name, &cfg);
		for (size_t i = 0; i < 8; i++) {
			if (i == cut) {
				ingest_commit(ig, &c);
				ingest_free(ig);
				ig = ingest_new(st, name, &cfg);
				ok(ingest_restore(ig, &got, &have) == 0 && have, "mixed: restored after line %zu", cut);
			}
			ingest_line(ig, lines[i], strlen(lines[i]));
		}
		ok(ingest_commit(ig, &c) == 0, "mixed: committed");
		ingest_get_stats(ig, &stats);
		ok(stats.lines == 8 && stats.skipped == 1 && stats.sessions == 3 && stats.failures == 1
		    && stats.excluded == 1,
		    "mixed, restart before line %zu: one Postfix and two Exim sessions, one failed, the "
		    "reporter's excluded (lines %llu skipped %llu sessions %llu failures %llu excluded %llu)", cut,
		    (unsigned long long)stats.lines, (unsigned long long)stats.skipped,
		    (unsigned long long)stats.sessions, (unsigned long long)stats.failures,
		    (unsigned long long)stats.excluded);
		ingest_free(ig);
	}
	store_close(st);
}

int
main(void)
{
	test_cursor();
	test_decision();
	test_attrib();
	test_results();
	test_purge_prefix();
	test_source();
	test_mixed();
	return tap_done();
}
