/* Unit tests for incoming TLSRPT reports: the MIME walker (mime), the
 * report parser (rptparse) with real senders' formats and quirks and the
 * project's own reporter output, and their storage (incoming). */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "buf.h"
#include "fileio.h"
#include "incoming.h"
#include "mime.h"
#include "psl.h"
#include "report.h"
#include "results.h"
#include "rptparse.h"
#include "store.h"
#include "strmap.h"
#include "tap.h"

static struct rpt_report rep;

/* slurp - t/data/incoming/name into b */
static int
slurp(const char *name, struct buf *b)
{
	char path[1024];
	const char *top = getenv("top_srcdir");
	FILE *fp;
	char chunk[4096];
	size_t n;

	snprintf(path, sizeof(path), "%s/t/data/incoming/%s", top ? top : "..", name);
	buf_init(b, 1 << 20);
	if ((fp = fopen(path, "r")) == NULL) {
		ok(0, "open %s", path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(b, chunk, n);
	fclose(fp);
	return 0;
}

/* gz - gzip data[0..len) into out (reset first) */
static void
gz(const void *data, size_t len, struct buf *out)
{
	z_stream z;
	unsigned char chunk[16384];
	int rc;

	buf_reset(out);
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
}

/* b64 - base64 of data[0..len) appended to out, lines of 76 */
static void
b64(const void *data, size_t len, struct buf *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t col = 0;

	for (size_t i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = al[(v >> 18) & 63];
		q[1] = al[(v >> 12) & 63];
		q[2] = i + 1 < len ? al[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? al[v & 63] : '=';
		buf_append(out, q, 4);
		if ((col += 4) >= 76) {
			buf_puts(out, "\r\n");
			col = 0;
		}
	}
	buf_puts(out, "\r\n");
}

static int
parse_file(const char *name, char *why, size_t whylen)
{
	struct buf b;
	int rc;

	if (slurp(name, &b) < 0)
		return -2;
	rc = rptparse_json(b.data, b.len, &rep, why, whylen);
	buf_fini(&b);
	return rc;
}

static uint64_t
result_count(const struct rpt_policy *p, const char *type)
{
	for (size_t i = 0; i < p->nresults; i++)
		if (strcmp(p->results[i].type, type) == 0)
			return p->results[i].count;
	return 0;
}

static void
test_senders(void)
{
	char why[512];

	is_int(parse_file("google.json", why, sizeof(why)), 0, "Google's report parses");
	is_str(rep.org, "Google Inc.", "organization-name");
	is_str(rep.day, "2026-11-29", "day of the date-range start");
	is_int(rep.npolicies, 1, "one policy");
	is_str(rep.policies[0].ptype, "sts", "sts");
	is_str(rep.policies[0].mx, "mx1.example.org mx2.example.org", "mx-host list");
	is_int(rep.policies[0].successes, 1204, "successes");
	is_int(rep.policies[0].failures, 7, "failures");
	is_int(result_count(&rep.policies[0], "certificate-expired"), 5, "by result type");
	is_int(result_count(&rep.policies[0], "starttls-not-supported"), 2, "by result type, 2");
	is_str(rep.notes, "", "no notes for a report that keeps to RFC 8460");

	is_int(parse_file("microsoft.json", why, sizeof(why)), 0, "Microsoft's report parses");
	is_str(rep.policies[0].mx, "*.example.org", "mx-host as a string is taken");
	ok(strstr(rep.notes, "mx-host given as a string") != NULL, "and noted: %s", rep.notes);
	ok(strstr(rep.notes, "start-datetime without a time zone") != NULL, "zone-less date noted");
	is_str(rep.start, "2026-11-29T00:00:00Z", "zone-less date read as UTC");
	is_int(result_count(&rep.policies[0], "certificate-host-mismatch"), 1, "failure counted");

	is_int(parse_file("mailru.json", why, sizeof(why)), 0, "Mail.ru's report parses");
	is_int(rep.policies[0].nstrings, 2, "two TLSA records packed in one string are two");
	ok(strstr(rep.notes, "several TLSA records packed in one policy-string") != NULL, "noted");
	is_int(rep.policies[0].successes, 88, "count given as a string is read");
	ok(strstr(rep.notes, "given as a string") != NULL, "and noted");
	is_int(result_count(&rep.policies[0], "tlsa-invalid"), 4, "tlsa-invalid");

	is_int(parse_file("mox.json", why, sizeof(why)), 0, "mox's report parses");
	is_int(rep.npolicies, 3, "three policies");
	is_str(rep.policies[1].domain, "mx1.example.org", "host policy domain");
	is_int(result_count(&rep.policies[1], "validation-failure"), 1, "validation-failure");

	{
		struct strmap *ours = strmap_new();
		char others[256];
		static int yes;

		strmap_put(ours, "example.org", &yes);
		is_int(incoming_keep_domains(&rep, ours, others, sizeof(others)), 1,
		    "report_domains: one policy of three stays");
		is_str(others, "mx1.example.org other.example", "the others named");
		ok(strstr(rep.notes, "left out: mx1.example.org other.example") != NULL, "and noted");
		is_str(rep.policies[0].domain, "example.org", "the one of ours");
		strmap_free(ours, NULL);
		is_int(incoming_keep_domains(&rep, NULL, others, sizeof(others)), 0, "no domains: none stays");
	}

	is_int(parse_file("draft.json", why, sizeof(why)), 0, "draft-era report parses");
	is_str(rep.day, "2026-11-28", "+01:00 start is the day before in UTC");
	is_str(rep.policies[0].ptype, "dane-ta", "unknown policy type kept");
	ok(strstr(rep.notes, "unknown policy type \"dane-ta\"") != NULL, "and noted: %s", rep.notes);
	is_str(rep.policies[0].domain, "example.org", "policy-domain given as a list");
	is_str(rep.policies[0].mx, "mx1.example.org", "mx-host-pattern read as mx-host");
	is_int(rep.policies[0].successes, 10, "summary counters outside summary");
	is_int(rep.policies[0].failures, 2, "total-failed-session-count");
	is_int(result_count(&rep.policies[0], "starttls-not-supported"), 1, "failure-session-count");
	ok(strstr(rep.notes, "tls-downgraded") != NULL, "a result type not in RFC 8460 noted");
}

static void
test_refused(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "", "not JSON" },
		{ "{\"organization-name\":\"x\"", "not JSON" },
		{ "[1,2]", "not a JSON object" },
		{ "{} trailing", "not JSON" },
		{ "{\"report-id\":\"1\"}", "no organization-name" },
		{ "{\"organization-name\":\"o\"}", "no report-id" },
		{ "{\"organization-name\":\"o\",\"report-id\":\"1\",\"date-range\":{\"start-datetime\":"
		  "\"yesterday\",\"end-datetime\":\"2026-11-29T00:00:00Z\"}}", "no valid date-range" },
		{ "{\"organization-name\":\"o\",\"report-id\":\"1\",\"date-range\":{\"start-datetime\":"
		  "\"2026-11-29T00:00:00Z\",\"end-datetime\":\"2026-11-29T00:00:00Z\"}}", "no policies" },
		{ "{\"organization-name\":\"o\",\"report-id\":\"1\",\"date-range\":{\"start-datetime\":"
		  "\"2026-11-29T00:00:00Z\",\"end-datetime\":\"2026-11-29T00:00:00Z\"},\"policies\":"
		  "[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"-bad-\"}}]}", "no usable policy" },
	};
	char why[512], deep[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		ok(rptparse_json(cases[i].json, strlen(cases[i].json), &rep, why, sizeof(why)) < 0
		    && strstr(why, cases[i].want) != NULL, "refused: %s (%s)", cases[i].want, why);
	}
	memset(deep, '[', sizeof(deep));
	ok(rptparse_json(deep, sizeof(deep), &rep, why, sizeof(why)) < 0, "deep nesting refused");
	ok(rptparse_json("{\"a\":\"\0\"}", 9, &rep, why, sizeof(why)) < 0, "NUL bytes refused");
}

/* test_own - the project's report builder's output reads back the same */
static void
test_own(void)
{
	char dir[600], err[256], why[512];
	struct store *st;
	struct store_txn *txn;
	struct results_batch *b = results_batch_new();
	struct result_rec rec = { 0 };
	struct report_day *d;
	struct report_meta meta = { "tlspolicyd test", "mailto:tls@sender.example", "sender.example" };
	struct buf json, z;

	snprintf(dir, sizeof(dir), "%s/own", tap_tmpdir());
	mkdir(dir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		ok(0, "store opens: %s", err);
		return;
	}
	snprintf(rec.day, sizeof(rec.day), "2026-11-29");
	snprintf(rec.domain, sizeof(rec.domain), "example.org");
	snprintf(rec.ptype, sizeof(rec.ptype), "no-policy-found");
	results_batch_add(b, &rec, 40);
	rec.failure = 1;
	snprintf(rec.result, sizeof(rec.result), "certificate-not-trusted");
	snprintf(rec.mx, sizeof(rec.mx), "mx1.example.org");
	results_batch_add(b, &rec, 3);
	snprintf(rec.result, sizeof(rec.result), "starttls-not-supported");
	results_batch_add(b, &rec, 2);
	txn = store_begin(st);
	ok(results_apply(st, txn, b) == 0 && store_commit(st, txn) == 0, "own: counts stored");
	results_batch_free(b);
	d = report_day_load(st, "2026-11-29");
	buf_init(&json, 1 << 20);
	buf_init(&z, 1 << 20);
	ok(d && report_json(st, d, &meta, "example.org", 0, &json) == 0, "own: report built");
	is_int(rptparse_json(json.data, json.len, &rep, why, sizeof(why)), 0, "own report parses: %s",
	    why);
	is_str(rep.org, "tlspolicyd test", "own: organization");
	is_str(rep.day, "2026-11-29", "own: day");
	is_str(rep.policies[0].domain, "example.org", "own: domain");
	is_int(rep.policies[0].successes, 40, "own: successes");
	is_int(rep.policies[0].failures, 5, "own: failures");
	is_int(result_count(&rep.policies[0], "certificate-not-trusted"), 3, "own: by type");
	is_str(rep.notes, "", "own: nothing irregular");
	/* the same through the body entry point, gzip'd as reports are sent */
	gz(json.data, json.len, &z);
	is_int(rptparse_body(z.data, z.len, "application/tlsrpt+gzip", &rep, why, sizeof(why)), 0,
	    "own report gzip'd, through rptparse_body");
	is_int(rep.policies[0].failures, 5, "same counts");
	ok(rptparse_body(json.data, json.len, "application/tlsrpt+gzip", &rep, why, sizeof(why)) < 0,
	    "declared gzip but JSON: refused");
	is_int(rptparse_body(json.data, json.len, "application/tlsrpt+json", &rep, why, sizeof(why)), 0,
	    "JSON body");
	report_day_free(d);
	buf_fini(&json);
	buf_fini(&z);
	store_close(st);
}

/* a report message as RFC 8460 section 5.3 describes it */
static void
make_msg(struct buf *m, const char *ctype, const char *cte, const char *name, const void *part,
    size_t plen)
{
	buf_reset(m);
	buf_puts(m, "From: tlsrpt@sender.example\r\nTo: tls@example.org\r\n"
	    "Subject: Report Domain: example.org\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; report-type=\"tlsrpt\";\r\n\tboundary=\"=_b 1\"\r\n\r\n"
	    "preamble\r\n--=_b 1\r\nContent-Type: text/plain\r\n\r\nThis is a report.\r\n"
	    "{ not the report }\r\n--=_b 1\r\n");
	buf_printf(m, "Content-Type: %s%s%s%s\r\n", ctype, name ? "; name=\"" : "", name ? name : "",
	    name ? "\"" : "");
	if (cte)
		buf_printf(m, "Content-Transfer-Encoding: %s\r\n", cte);
	buf_puts(m, "\r\n");
	if (cte && strcmp(cte, "base64") == 0)
		b64(part, plen, m);
	else {
		buf_append(m, part, plen);
		buf_puts(m, "\r\n");
	}
	buf_puts(m, "--=_b 1--\r\nepilogue\r\n");
}

static int
count_part(void *arg, const struct mime_part *p)
{
	(void)p;
	(*(int *)arg)++;
	return 0;
}

static void
test_mime(void)
{
	struct buf js, z, m, out, big;
	const char *why = NULL;
	char what[512], v[256], nest[4096];
	int n = 0;
	size_t hlen;

	if (slurp("google.json", &js) < 0)
		return;
	buf_init(&z, 1 << 20);
	buf_init(&m, 1 << 24);
	buf_init(&out, RPT_JSON_MAX);
	gz(js.data, js.len, &z);

	make_msg(&m, "application/tlsrpt+gzip", "base64", "x.json.gz", z.data, z.len);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), 0, "tlsrpt+gzip part found");
	ok(out.len == js.len && memcmp(out.data, js.data, js.len) == 0, "decoded and inflated intact");
	is_str(what, "application/tlsrpt+gzip x.json.gz", "the part chosen");
	ok(mime_walk(m.data, m.len, count_part, &n, &why) == 0 && n == 2, "two leaf parts walked");

	make_msg(&m, "application/octet-stream", "base64", "google.com!example.org!1!2.json.gz", z.data, z.len);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), 0,
	    "octet-stream named .json.gz found");
	ok(out.len == js.len, "and inflated");

	make_msg(&m, "application/gzip", "base64", NULL, z.data, z.len);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), 0, "unnamed application/gzip");

	make_msg(&m, "application/tlsrpt+json", "quoted-printable", NULL, "{\"a\":=\r\n\"=3D\"}", 15);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), 0, "quoted-printable JSON");
	is_str(out.data, "{\"a\":\"=\"}", "soft break and =3D decoded");

	make_msg(&m, "application/json", "7bit", "report.json", js.data, js.len);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), 0, "application/json .json");

	/* a message that is nothing but the report (LF line ends) */
	buf_reset(&m);
	buf_puts(&m, "From: a@b.example\nSubject: report\n\n");
	buf_append(&m, js.data, js.len);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), 0, "bare JSON body with LF ends");

	/* multipart inside multipart, boundary without quotes, no close delimiter */
	buf_reset(&m);
	buf_puts(&m, "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n"
	    "Content-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n--inner\r\n"
	    "Content-Type: text/plain\r\n\r\nhello\r\n--inner\r\n"
	    "Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	b64(z.data, z.len, &m);
	buf_puts(&m, "--inner--\r\n--outer\r\n");
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), 0, "nested multipart");

	/* an inner boundary that starts with the outer one: the inner
	 * epilogue (after --b1--) is no part, however it looks */
	buf_reset(&m);
	buf_puts(&m, "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
	    "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n"
	    "Content-Type: text/plain\r\n\r\nhello\r\n--b1--\r\n"
	    "Content-Type: application/tlsrpt+json\r\n\r\n{\"epilogue\":1}\r\n--b\r\n"
	    "Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	b64(z.data, z.len, &m);
	buf_puts(&m, "--b--\r\n");
	n = 0;
	ok(mime_walk(m.data, m.len, count_part, &n, &why) == 0 && n == 2, "boundary b does not split "
	    "at --b1: %d parts", n);
	ok(mime_report(m.data, m.len, &out, what, sizeof(what), &why) == 0 && out.len == js.len,
	    "the report, not the inner epilogue");

	make_msg(&m, "text/plain", NULL, NULL, "just text", 9);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), 1, "no report: 1");
	ok(why && strstr(why, "no TLSRPT report") != NULL, "with the reason");

	make_msg(&m, "application/tlsrpt+gzip", "base64", NULL, z.data, z.len / 2);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), -1, "cut gzip refused");

	/* a decompression bomb: 64 MiB of zeros in a few dozen KiB */
	buf_init(&big, (size_t)64 << 20);
	buf_space(&big, (size_t)64 << 20);
	memset(big.data, '0', (size_t)64 << 20);
	big.len = (size_t)64 << 20;
	gz(big.data, big.len, &z);
	buf_fini(&big);
	ok(z.len < 200000, "bomb is small: %zu bytes", z.len);
	make_msg(&m, "application/tlsrpt+gzip", "base64", NULL, z.data, z.len);
	why = NULL;
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), -1, "gzip bomb refused");
	ok(why && strstr(why, "bomb") != NULL, "as a bomb: %s", why ? why : "");
	ok(out.len <= RPT_JSON_MAX, "never inflated past the cap");

	/* too deep */
	nest[0] = '\0';
	for (int i = 0; i < 12; i++) {
		size_t l = strlen(nest);

		snprintf(nest + l, sizeof(nest) - l, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
	}
	is_int(mime_walk(nest, strlen(nest), count_part, &n, &why), -1, "nesting past the limit refused");
	make_msg(&m, "multipart/mixed", NULL, NULL, "x", 1);
	is_int(mime_report(m.data, m.len, &out, what, sizeof(what), &why), -1,
	    "multipart without boundary refused");

	/* header fields and parameters */
	buf_reset(&m);
	buf_puts(&m, "Subject: a\r\n  folded\r\nFrom : \"x\" <a@b.example>\r\nnot a field\r\n\r\nbody");
	mime_header_end(m.data, m.len, &hlen);
	ok(mime_header_get(m.data, hlen, "subject", v, sizeof(v)) && strcmp(v, "a  folded") == 0,
	    "folded field unfolded: \"%s\"", v);
	ok(mime_header_get(m.data, hlen, "From", v, sizeof(v)) && strcmp(v, "\"x\" <a@b.example>") == 0,
	    "blank before the colon");
	ok(mime_param("text/plain; a=1; name=\"q\\\"x;y\"", "name", v, sizeof(v)) && strcmp(v, "q\"x;y") == 0,
	    "quoted parameter with ; and \\\"");
	buf_fini(&js);
	buf_fini(&z);
	buf_fini(&m);
	buf_fini(&out);
}

struct seen {
	int n;
	char ids[8][RPT_TEXT_MAX];
};

static void
seen(void *arg, const struct incoming_rec *rec)
{
	struct seen *s = arg;

	if (s->n < 8)
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", rec->r.id);
	s->n++;
}

static void
test_store(void)
{
	static struct incoming_rec rec, back;
	char dir[600], err[256], why[512];
	struct store *st;
	struct buf js, enc, raw;
	struct seen sn;

	snprintf(dir, sizeof(dir), "%s/incoming", tap_tmpdir());
	mkdir(dir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL || slurp("mailru.json", &js) < 0) {
		ok(0, "store opens: %s", err);
		return;
	}
	rptparse_json(js.data, js.len, &rec.r, why, sizeof(why));
	snprintf(rec.trust, sizeof(rec.trust), "dkim d=mail.ru s=mail");
	snprintf(rec.via, sizeof(rec.via), "mail");
	rec.received = 1764500000;
	buf_init(&enc, 1 << 20);
	ok(incoming_encode(&rec, &enc) == 0 && incoming_decode(enc.data, enc.len, &back) == 0
	    && memcmp(&rec, &back, sizeof(rec)) == 0, "record round trip");
	ok(incoming_decode(enc.data, enc.len - 1, &back) < 0, "a cut record does not read");
	is_int(incoming_store(st, &rec, js.data, js.len), 0, "stored");
	is_int(incoming_store(st, &rec, js.data, js.len), INCOMING_DUPLICATE, "same org and id: duplicate");
	snprintf(rec.r.day, sizeof(rec.r.day), "2026-11-30");
	is_int(incoming_store(st, &rec, js.data, js.len), INCOMING_DUPLICATE,
	    "a duplicate even with another date-range");
	snprintf(rec.r.id, sizeof(rec.r.id), "second");
	is_int(incoming_store(st, &rec, js.data, js.len), 0, "another id: stored");
	memset(&sn, 0, sizeof(sn));
	ok(incoming_foreach(st, NULL, seen, &sn) == 0 && sn.n == 2, "two reports listed");
	memset(&sn, 0, sizeof(sn));
	ok(incoming_foreach(st, "2026-11-30", seen, &sn) == 0 && sn.n == 1
	    && strcmp(sn.ids[0], "second") == 0, "one on 2026-11-30");
	buf_init(&raw, 1 << 20);
	ok(incoming_raw(st, "2026-11-29", "Mail.Ru", "example.org_2026-11-29_mail.ru", &raw) == 0
	    && raw.len == js.len, "raw JSON kept");
	is_int(incoming_purge(st, "2026-11-30"), 1, "purge the day before 2026-11-30");
	memset(&sn, 0, sizeof(sn));
	ok(incoming_foreach(st, NULL, seen, &sn) == 0 && sn.n == 1, "one left");
	ok(incoming_raw(st, "2026-11-29", "Mail.Ru", "example.org_2026-11-29_mail.ru", &raw)
	    == STORE_NOTFOUND, "its JSON purged too");
	snprintf(rec.r.day, sizeof(rec.r.day), "2026-11-29");
	snprintf(rec.r.id, sizeof(rec.r.id), "example.org_2026-11-29_mail.ru");
	is_int(incoming_store(st, &rec, js.data, js.len), 0, "the duplicate check of a purged day is gone");
	buf_fini(&js);
	buf_fini(&enc);
	buf_fini(&raw);
	store_close(st);
}

static void
test_psl(void)
{
	static const char text[] = "// ===BEGIN ICANN DOMAINS===\ncom\nuk\nco.uk\n*.ck\n!www.ck\n"
	    "// comment\n\n  github.io  trailing words\r\n-bad-\n\xe5\x85\xac\xe5\x8f\xb8.cn\n";
	struct psl *p = psl_parse(text, sizeof(text) - 1);
	char err[256];
	size_t len;
	char *real;

	is_int(psl_rules(p), 7, "seven rules kept, the bad one skipped");
	ok(psl_is_suffix(p, "co.uk") && psl_is_suffix(p, "uk") && psl_is_suffix(p, "com"), "rules");
	ok(!psl_is_suffix(p, "example.co.uk") && !psl_is_suffix(p, "example.com"), "below them: not");
	ok(psl_is_suffix(p, "org"), "the default rule: every TLD");
	ok(psl_is_suffix(p, "anything.ck") && !psl_is_suffix(p, "www.ck"), "wildcard and exception");
	ok(psl_is_suffix(p, "github.io") && !psl_is_suffix(p, "me.github.io"), "blank-separated rule, CRLF");
	ok(psl_is_suffix(p, "xn--55qx5d.cn"), "a U-label rule matches its A-label form");
	psl_free(p);
	real = file_read("/usr/share/publicsuffix/public_suffix_list.dat", (size_t)4 << 20, &len, err,
	    sizeof(err));
	if (real == NULL) {
		ok(1, "# SKIP no public suffix list installed: %s", err);
		return;
	}
	p = psl_parse(real, len);
	ok(psl_rules(p) > 5000 && psl_is_suffix(p, "co.uk") && !psl_is_suffix(p, "google.com")
	    && psl_is_suffix(p, "github.io"), "Debian's list: %zu rules", psl_rules(p));
	psl_free(p);
	free(real);
}

int
main(void)
{
	test_psl();
	test_senders();
	test_refused();
	test_own();
	test_mime();
	test_store();
	return tap_done();
}
