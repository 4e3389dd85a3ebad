/* Unit tests for the TLSRPT record parser and the report pieces that
 * meet hostile data: JSON built from reason strings with quotes and
 * backslashes, and the e-mail around it. */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "message.h"
#include "report.h"
#include "results.h"
#include "state.h"
#include "store.h"
#include "strmap.h"
#include "tap.h"
#include "text.h"
#include "tlsrpt.h"

/* open_store - a new store in the test directory; NULL (a failed test) */
static struct store *
open_store(const char *name)
{
	char err[256], dir[600];
	struct store *st;

	snprintf(dir, sizeof(dir), "%s/%s", tap_tmpdir(), name);
	mkdir(dir, 0700);
	if ((st = store_open(dir, err, sizeof(err))) == NULL)
		ok(0, "store %s opens: %s", name, err);
	return st;
}

static enum tlsrpt_status
parse(const char *txt, struct tlsrpt_record *r, const char **why)
{
	*why = NULL;
	return tlsrpt_parse(txt, strlen(txt), r, why);
}

static void
test_record(void)
{
	struct tlsrpt_record r;
	const char *why, *txt[2];
	size_t len[2];

	ok(parse("v=TLSRPTv1; rua=mailto:reports@example.com", &r, &why) == TLSRPT_OK
	    && r.nrua == 1 && strcmp(r.rua[0].address, "reports@example.com") == 0, "mailto rua");
	ok(parse("v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt", &r, &why) == TLSRPT_OK
	    && r.rua[0].scheme == TLSRPT_HTTPS && strcmp(r.rua[0].host, "reporting.example.com") == 0
	    && r.rua[0].port == 443 && strcmp(r.rua[0].path, "/v1/tlsrpt") == 0, "https rua");
	ok(parse("v=TLSRPTv1 ; rua=mailto:a@x.example , https://h.example:8443/p ; ext=1;", &r, &why)
	    == TLSRPT_OK && r.nrua == 2 && r.rua[1].port == 8443, "spaces, two URIs, extension, trailing ;");
	ok(parse("v=TLSRPTv1; rua=mailto:tls%2Dreports@x.example", &r, &why) == TLSRPT_OK
	    && strcmp(r.rua[0].address, "tls-reports@x.example") == 0, "percent-encoded bytes decoded");
	is_int(parse("v=TLSRPTv2; rua=mailto:a@x.example", &r, &why), TLSRPT_NONE, "another version is not ours");
	is_int(parse("v=TLSRPTv1rua=mailto:a@x.example", &r, &why), TLSRPT_NONE, "v=TLSRPTv1 must be followed by ;");
	is_int(parse("v=TLSRPTv1; ext=1", &r, &why), TLSRPT_INVALID, "no rua: invalid");
	is_int(parse("v=TLSRPTv1; rua=mailto:a%0ABcc:%20evil@x.example", &r, &why), TLSRPT_INVALID,
	    "an encoded newline (header injection) is refused");
	is_int(parse("v=TLSRPTv1; rua=mailto:-oQ/tmp@x.example", &r, &why), TLSRPT_INVALID,
	    "an address that would be a sendmail option is refused");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example?subject=hi", &r, &why), TLSRPT_INVALID,
	    "mailto header fields are refused");
	ok(parse("v=TLSRPTv1; rua=ftp://x.example/,mailto:ok@x.example", &r, &why) == TLSRPT_OK
	    && r.nrua == 1 && r.nbad == 1 && strcmp(r.bad[0], "ftp://x.example/") == 0,
	    "a bad URI is dropped, counted and named; the good one kept");
	ok(parse("v=TLSRPTv1; rua=ftp://x.example/,mailto:ok@x.example,mailto:-oi@x.example,gopher://y", &r, &why)
	    == TLSRPT_OK && r.nrua == 1 && r.nbad == 3 && strcmp(r.bad[1], "mailto:-oi@x.example") == 0
	    && strcmp(r.bad[2], "gopher://y") == 0 && r.bad_why[1] != NULL && r.bad_why[2] != NULL,
	    "every bad URI is named with its reason, not only the first");
	is_int(parse("v=TLSRPTv1; rua=https://bad host/x", &r, &why), TLSRPT_INVALID, "https host with a space");
	is_int(parse("v=TLSRPTv1; rua=https://x.example:99999/", &r, &why), TLSRPT_INVALID, "bad port");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; rua=mailto:b@x.example", &r, &why),
	    TLSRPT_OK, "rua twice");
	is_int(r.nrua, 2, "the lists are joined");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example, mailto:b@x.example  ", &r, &why),
	    TLSRPT_INVALID, "whitespace at the end without ;");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example;\t", &r, &why),
	    TLSRPT_OK, "whitespace after the last ;");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example;;", &r, &why), TLSRPT_INVALID, "empty field");
	is_int(parse("v=TLSRPTv1;; rua=mailto:a@x.example", &r, &why), TLSRPT_INVALID,
	    "empty first field");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; x-y.z_1=!{}", &r, &why), TLSRPT_OK,
	    "extension");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; more=", &r, &why), TLSRPT_INVALID,
	    "extension without a value");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; a=b=", &r, &why), TLSRPT_INVALID,
	    "extension value with =");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; a=b c", &r, &why), TLSRPT_INVALID,
	    "extension value with a space");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; 1%=a", &r, &why), TLSRPT_INVALID,
	    "extension name with %%");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; _x=a", &r, &why), TLSRPT_INVALID,
	    "extension name starting with _");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; a12345678901234567890123456789012=1", &r,
	    &why), TLSRPT_INVALID, "extension name of 33 characters");
	is_int(parse("v=TLSRPTv1; rua=mailto:a@x.example; a1234567890123456789012345678901=1", &r,
	    &why), TLSRPT_OK, "extension name of 32 characters");
	txt[0] = "v=TLSRPTv1; rua=mailto:a@x.example";
	txt[1] = "v=TLSRPTv1; rua=mailto:b@x.example";
	len[0] = strlen(txt[0]);
	len[1] = strlen(txt[1]);
	is_int(tlsrpt_select(txt, len, 2, &r, &why), TLSRPT_MULTIPLE, "two records: none applies");
	txt[1] = "v=spf1 -all";
	len[1] = strlen(txt[1]);
	is_int(tlsrpt_select(txt, len, 2, &r, &why), TLSRPT_OK, "other TXT records are ignored");
}

static void
test_hostile_report(void)
{
	struct store *st;
	struct store_txn *txn;
	struct results_batch *b = results_batch_new();
	struct result_rec rec = { 0 };
	struct report_day *d;
	struct report_meta meta = { "Org \"x\" \\ y", "r@sender.example", "sender.example" };
	struct buf json, gz, msg;
	json_object *o, *det;
	struct message_info mi = { 0 };

	if ((st = open_store("store")) == NULL)
		return;
	snprintf(rec.day, sizeof(rec.day), "2026-11-23");
	snprintf(rec.domain, sizeof(rec.domain), "example.com");
	snprintf(rec.ptype, sizeof(rec.ptype), "no-policy-found");
	rec.failure = 1;
	snprintf(rec.result, sizeof(rec.result), "certificate-not-trusted");
	snprintf(rec.mx, sizeof(rec.mx), "mx.example.com");
	snprintf(rec.reason, sizeof(rec.reason), "untrusted issuer /CN=x\"}],\"evil\":{\"a\":\"\\");
	results_batch_add(b, &rec, 3);
	rec.failure = 0;
	results_batch_add(b, &rec, 5);
	txn = store_begin(st);
	ok(results_apply(st, txn, b) == 0 && store_commit(st, txn) == 0, "counts stored");
	d = report_day_load(st, "2026-11-23");
	ok(d && d->ndomains == 1 && d->domains[0].npolicies == 1, "the day loads");
	buf_init(&json, 1 << 20);
	ok(report_json(st, d, &meta, "example.com", 0, &json) == 0, "report built");
	o = json_tokener_parse(json.data);
	ok(o != NULL, "the report is JSON");
	det = json_object_array_get_idx(json_object_object_get(json_object_array_get_idx(
	    json_object_object_get(o, "policies"), 0), "failure-details"), 0);
	is_str(json_object_get_string(json_object_object_get(det, "failure-reason-code")), rec.reason,
	    "a reason with quotes, brackets and a backslash comes back intact");
	is_str(json_object_get_string(json_object_object_get(o, "organization-name")), meta.organization,
	    "so does the organization name");
	ok(json_object_object_get(o, "evil") == NULL, "and adds no member");
	is_int(json_object_get_int(json_object_object_get(det, "failed-session-count")), 3, "count");
	buf_init(&gz, 1 << 20);
	ok(message_gzip(json.data, json.len, &gz) == 0 && gz.len > 18 && (unsigned char)gz.data[0] == 0x1f
	    && (unsigned char)gz.data[1] == 0x8b, "gzip");
	mi.from = "r@sender.example";
	mi.to = "reports@example.com";
	mi.domain = "example.com";
	mi.submitter = "sender.example";
	mi.report_id = "x@sender.example";
	mi.start = d->start;
	mi.end = d->start + 86399;
	mi.now = d->start + 90000;
	buf_init(&msg, 4 << 20);
	ok(message_build(&mi, &gz, &msg) == 0, "message built");
	ok(strstr(msg.data, "filename=\"sender.example!example.com!1795392000!1795478399.json.gz\"") != NULL,
	    "RFC 8460 file name");
	ok(strstr(msg.data, "\nSubject: Report Domain: example.com Submitter: sender.example\n"
	    " Report-ID: <x@sender.example>\n") != NULL, "subject");
	json_object_put(o);
	buf_fini(&json);
	buf_fini(&gz);
	buf_fini(&msg);
	report_day_free(d);
	results_batch_free(b);
	store_close(st);
}

/* bytes that are not UTF-8 or are control characters, and a result type
 * outside RFC 8460, as a damaged or old store could hold them: the report
 * is still valid UTF-8 JSON with the RFC's types only */
static void
test_bytes_report(void)
{
	struct store *st;
	struct store_txn *txn;
	struct results_batch *b = results_batch_new();
	struct result_rec rec = { 0 };
	struct report_day *d;
	struct report_meta meta = { "Org \xff\x01", "r@sender.example", "sender.example" };
	struct buf json;
	json_object *o, *det;

	if ((st = open_store("store2")) == NULL)
		return;
	snprintf(rec.day, sizeof(rec.day), "2026-11-24");
	snprintf(rec.domain, sizeof(rec.domain), "example.com");
	snprintf(rec.ptype, sizeof(rec.ptype), "no-policy-found");
	rec.failure = 1;
	snprintf(rec.result, sizeof(rec.result), "bogus-type");
	snprintf(rec.mx, sizeof(rec.mx), "mx.\xff.evil.example");
	snprintf(rec.rip, sizeof(rec.rip), "\x1b[2J\xc0\xaf");
	snprintf(rec.sendip, sizeof(rec.sendip), "\xed\xa0\x80");
	snprintf(rec.reason, sizeof(rec.reason), "r\xe2\x82\x7f\xc3\xa9");
	results_batch_add(b, &rec, 2);
	txn = store_begin(st);
	ok(results_apply(st, txn, b) == 0 && store_commit(st, txn) == 0, "bytes: counts stored");
	d = report_day_load(st, "2026-11-24");
	buf_init(&json, 1 << 20);
	ok(d && report_json(st, d, &meta, "example.com", 0, &json) == 0, "bytes: report built");
	ok(json.data && text_clean_len(json.data, json.len), "bytes: the report is valid UTF-8, no control bytes");
	o = json.data ? json_tokener_parse(json.data) : NULL;
	ok(o != NULL, "bytes: the report is JSON");
	det = json_object_array_get_idx(json_object_object_get(json_object_array_get_idx(
	    json_object_object_get(o, "policies"), 0), "failure-details"), 0);
	is_str(json_object_get_string(json_object_object_get(det, "result-type")), "validation-failure",
	    "bytes: an unknown result type is written as validation-failure");
	is_str(json_object_get_string(json_object_object_get(det, "receiving-mx-hostname")),
	    "mx.\xef\xbf\xbd.evil.example", "bytes: an invalid byte becomes U+FFFD");
	is_str(json_object_get_string(json_object_object_get(det, "failure-reason-code")),
	    "r\xef\xbf\xbd\xef\xbf\xbd \xc3\xa9", "bytes: a cut sequence replaced (DEL: a space in the store), valid UTF-8 kept");
	json_object_put(o);
	buf_fini(&json);
	report_day_free(d);
	results_batch_free(b);
	store_close(st);
}

/* the reporter purges its own delivery records, and only those */
static void
test_state_purge(void)
{
	struct store *st;
	struct delivery d = { DELIVERY_SENT, 100, 100, 0, 1, "" }, got;
	static const char rkey[] = "2026-01-01\ta.example\tno-policy-found\t\tS";
	struct buf v;

	if ((st = open_store("state")) == NULL)
		return;
	state_put(st, "2026-01-01", "a.example", "mailto:x@y.example", &d);
	state_put(st, "2026-01-02", "b.example", "https://r.example/", &d);
	state_put(st, "2026-11-20", "a.example", "mailto:x@y.example", &d);
	state_bounce(st, "x@y.example", 100);
	store_put(st, NULL, STORE_DB_RESULT, rkey, strlen(rkey), "1", 1);
	is_int(state_purge(st, "2026-06-01"), 2, "state: the old delivery records purged");
	state_get(st, "2026-11-20", "a.example", "mailto:x@y.example", &got);
	ok(got.state == DELIVERY_SENT && got.attempts == 1, "state: a later day's record kept");
	state_get(st, "2026-01-01", "a.example", "mailto:x@y.example", &got);
	ok(got.state == DELIVERY_NEW, "state: the purged one reads as new");
	buf_init(&v, 64);
	ok(store_get(st, NULL, STORE_DB_REPORT, "bounce\tx@y.example", 18, &v) == 0,
	    "state: bounce counts kept");
	ok(store_get(st, NULL, STORE_DB_RESULT, rkey, strlen(rkey), &v) == 0,
	    "state: result records are not the reporter's to purge");
	buf_fini(&v);
	store_close(st);
}

/* policy-string and mx-host from the decision records of the day */
static void
test_policy_strings(void)
{
	static const char policy[] = "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
	    "mx: *.example.com\nmax_age: 86400\n";
	static const char dkey[] = "2026-11-25\texample.com\tsts\t20261125";
	const struct result_rec rec = { .day = "2026-11-25", .domain = "example.com",
		.ptype = "sts", .pkey = "20261125" };
	struct results_batch *b = results_batch_new();
	struct report_meta meta = { "Org", "r@sender.example", "sender.example" };
	struct report_day *d;
	struct store_txn *txn;
	struct store *st;
	struct buf json;

	if ((st = open_store("policystr")) == NULL)
		return;
	results_batch_add(b, &rec, 2);
	txn = store_begin(st);
	ok(results_apply(st, txn, b) == 0 && store_commit(st, txn) == 0, "policy: counts stored");
	store_put(st, NULL, STORE_DB_DECISION, dkey, strlen(dkey), policy, strlen(policy));
	d = report_day_load(st, "2026-11-25");
	buf_init(&json, 1 << 20);
	ok(d && report_json(st, d, &meta, "example.com", 0, &json) == 0, "policy: report built");
	ok(json.data && strstr(json.data, "\"policy-string\":[\"version: STSv1\",\"mode: enforce\","
	    "\"mx: mx1.example.com\",\"mx: *.example.com\",\"max_age: 86400\"]") != NULL,
	    "policy: the policy lines as served");
	ok(json.data && strstr(json.data, "\"mx-host\":[\"mx1.example.com\",\"*.example.com\"]")
	    != NULL, "policy: the mx patterns of the policy");
	buf_fini(&json);
	report_day_free(d);
	results_batch_free(b);
	store_close(st);
}

/* a host report only where its addresses differ from its domains' */
static void
test_host_wanted(void)
{
	struct report_policy p[2] = { { "a.example", "tlsa", "mx.h.example", 1, 0, 0, NULL },
		{ "b.example", "tlsa", "mx.h.example", 1, 0, 0, NULL } };
	struct report_domain rd[2] = { { "a.example", 1, &p[0], 0 }, { "b.example", 1, &p[1], 0 } };
	struct report_day day = { "2026-11-20", 0, 2, rd };
	struct strmap *ruas = strmap_new();
	json_object *det;

	strmap_put(ruas, "a.example", (void *)"mailto:t@h.example");
	ok(report_host_wanted(&day, "mx.h.example", "mailto:t@h.example", ruas),
	    "host: wanted while a domain's addresses are unknown");
	strmap_put(ruas, "b.example", (void *)"mailto:t@h.example");
	ok(!report_host_wanted(&day, "mx.h.example", "mailto:t@h.example", ruas),
	    "host: not wanted when every domain reports to the same addresses");
	ok(report_host_wanted(&day, "mx.h.example", "mailto:other@h.example", ruas),
	    "host: wanted when the base reports elsewhere");
	ok(!report_host_wanted(&day, "mx.other.example", "mailto:x@h.example", ruas),
	    "host: not wanted for a base no domain used");
	strmap_free(ruas, NULL);

	det = report_detail_json("certificate-expired", "", "mx.example", "192.0.2.1", "", 4);
	is_str(json_object_to_json_string_ext(det, JSON_C_TO_STRING_PLAIN),
	    "{\"result-type\":\"certificate-expired\",\"receiving-mx-hostname\":\"mx.example\","
	    "\"receiving-ip\":\"192.0.2.1\",\"failed-session-count\":4}",
	    "detail: the RFC 8460 fields, empty ones left out");
	json_object_put(det);
}

int
main(void)
{
	test_record();
	test_hostile_report();
	test_bytes_report();
	test_state_purge();
	test_policy_strings();
	test_host_wanted();
	return tap_done();
}
