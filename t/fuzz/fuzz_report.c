/*
 * Fuzz target: the RFC 8460 JSON report writer, round trip.
 *
 * The input is a day of results as the reporter finds them in the store:
 *
 *   line 1    organization-name
 *   line 2    contact-info (its domain is the submitter)
 *   line 3    the recipient domain
 *   then      one counter per line, until an empty line:
 *             PTYPE TAB PKEY TAB COUNT [TAB RESULT TAB SENDIP TAB MX TAB RIP TAB REASON]
 *             (with a RESULT a failure counter, without one a success counter)
 *   the rest  the policy text, stored as the decision record of every
 *             sts and tlsa policy of the day
 *
 * The counters are stored with results_apply() in a store in a temporary
 * directory, loaded back with report_day_load() and written with
 * report_json() for every domain and every TLSA base domain of the day.
 * Each report must be one JSON document, valid UTF-8, that json-c parses
 * back strictly, with the policies' counts and failure details as loaded.
 */
#include "config.h"

#include <dirent.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "numparse.h"
#include "report.h"
#include "results.h"
#include "store.h"

#define DAY "2026-11-23"
#define NEXT_DAY "2026-11-24"   /* purging before it leaves nothing */
#define COUNTERS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static char dir[512];
static unsigned long runs;

/*
 * The store stays open across inputs.  Its Berkeley DB environment is
 * private to the process, so the cache lives in heap blocks that Berkeley
 * DB addresses by offset, not by pointer: libFuzzer's leak check between
 * inputs would take them for leaks.  They are freed at exit (cleanup).
 */
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_REPORT_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_REPORT_LSAN 1
#endif
#endif
#ifdef FUZZ_REPORT_LSAN
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libdb-5.3.so\n";
}
#endif

/* cleanup - close the store and remove its directory */
static void
cleanup(void)
{
	DIR *d;
	struct dirent *e;
	char path[1024];

	store_close(st);
	st = NULL;
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* store_once - the store, opened on first use */
static struct store *
store_once(void)
{
	char err[512];
	const char *tmp = getenv("TMPDIR");

	if (st != NULL)
		return st;
	snprintf(dir, sizeof(dir), "%s/tlspolicyd-fuzz-report.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	if ((st = store_open(dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_report: %s\n", err);
		exit(1);
	}
	atexit(cleanup);
	return st;
}

/* next_line - the line at *p (without its newline), advancing *p */
static size_t
next_line(const char **p, const char *end, const char **line)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);

	*line = *p;
	*p = nl ? nl + 1 : end;
	return n;
}

/* field - the next TAB-separated field of line[0..*len) into out[size],
 * cut to fit, advancing line and len */
static void
field(const char **line, size_t *len, char *out, size_t size)
{
	const char *tab = memchr(*line, '\t', *len);
	size_t n = tab ? (size_t)(tab - *line) : *len;

	if (n > size - 1)
		n = size - 1;
	memcpy(out, *line, n);
	out[n] = '\0';
	if (tab) {
		*len -= (size_t)(tab - *line) + 1;
		*line = tab + 1;
	} else {
		*line += *len;
		*len = 0;
	}
}

/* utf8_valid - RFC 3629: no overlong forms, no surrogates, <= U+10FFFF */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, min, cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1, min = 0x80, cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2, min = 0x800, cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= need)
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* count_of - integer member name of o, or -1 */
static int64_t
count_of(json_object *o, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* check_report - out holds a valid report whose policies are those of
 * the day's domain dom (host 0) or the TLSA base domain dom (host 1) */
static void
check_report(const struct report_day *d, const char *dom, int host, const struct buf *out)
{
	struct json_tokener *tok;
	json_object *rep, *pols;
	uint64_t want_ok = 0, want_fail = 0, got_ok = 0, got_fail = 0;
	size_t want_pols = 0;

	if (out->len == 0 || strlen(out->data) != out->len
	    || !utf8_valid((const unsigned char *)out->data, out->len))
		abort();
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	rep = json_tokener_parse_ex(tok, out->data, (int)out->len);
	if (rep == NULL || json_tokener_get_error(tok) != json_tokener_success
	    || json_tokener_get_parse_end(tok) != out->len
	    || !json_object_is_type(rep, json_type_object))
		abort();
	json_tokener_free(tok);

	for (size_t i = 0; i < d->ndomains; i++) {
		const struct report_domain *rd = &d->domains[i];

		if (!host && strcmp(rd->domain, dom) != 0)
			continue;
		for (size_t j = 0; j < rd->npolicies; j++) {
			const struct report_policy *p = &rd->policies[j];

			if (host && (strcmp(p->ptype, "tlsa") != 0 || strcmp(p->pkey, dom) != 0))
				continue;
			want_pols++;
			want_ok += p->successes;
			want_fail += p->failures;
		}
	}
	if (!json_object_object_get_ex(rep, "policies", &pols)
	    || !json_object_is_type(pols, json_type_array)
	    || json_object_array_length(pols) != want_pols)
		abort();
	for (size_t i = 0; i < want_pols; i++) {
		json_object *pol = json_object_array_get_idx(pols, i), *sum, *dets;
		int64_t ok, fail, detsum = 0;

		if (!json_object_object_get_ex(pol, "summary", &sum)
		    || (ok = count_of(sum, "total-successful-session-count")) < 0
		    || (fail = count_of(sum, "total-failure-session-count")) < 0
		    || !json_object_object_get_ex(pol, "failure-details", &dets)
		    || !json_object_is_type(dets, json_type_array))
			abort();
		for (size_t k = 0; k < json_object_array_length(dets); k++) {
			int64_t n = count_of(json_object_array_get_idx(dets, k), "failed-session-count");

			if (n <= 0)
				abort();
			detsum += n;
		}
		if (detsum != fail)
			abort();
		got_ok += (uint64_t)ok;
		got_fail += (uint64_t)fail;
	}
	if (got_ok != want_ok || got_fail != want_fail)
		abort();
	json_object_put(rep);
}

struct host_run {
	const struct report_day *d;
	const struct report_meta *m;
	struct buf *out;
};

/* host_report - the host report of TLSA base domain base */
static void
host_report(void *arg, const char *base)
{
	struct host_run *h = arg;

	buf_reset(h->out);
	if (report_json(st, h->d, h->m, base, 1, h->out) < 0)
		abort();
	check_report(h->d, base, 1, h->out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *line, *at;
	char org[256], contact[320], submitter[DOMAIN_MAX + 1], domain[DOMAIN_MAX + 1];
	static struct result_rec recs[COUNTERS_MAX];
	struct results_batch *b;
	struct report_meta m;
	struct report_day *d;
	struct store_txn *txn;
	struct host_run h;
	struct buf out;
	size_t n, nrecs = 0;

	store_once();
	n = next_line(&p, end, &line);
	field(&line, &n, org, sizeof(org));
	n = next_line(&p, end, &line);
	field(&line, &n, contact, sizeof(contact));
	n = next_line(&p, end, &line);
	field(&line, &n, domain, sizeof(domain));
	at = strrchr(contact, '@');
	snprintf(submitter, sizeof(submitter), "%s", at ? at + 1 : "sender.example");
	m.organization = org;
	m.contact = contact;
	m.submitter = submitter;

	/* the day's counters */
	b = results_batch_new();
	while (p < end && (n = next_line(&p, end, &line)) > 0) {
		struct result_rec *r = &recs[nrecs];
		char count[24];
		uint64_t c;

		if (nrecs == COUNTERS_MAX)
			continue;
		memset(r, 0, sizeof(*r));
		memcpy(r->day, DAY, sizeof(r->day));
		memcpy(r->domain, domain, sizeof(r->domain));
		field(&line, &n, r->ptype, sizeof(r->ptype));
		field(&line, &n, r->pkey, sizeof(r->pkey));
		field(&line, &n, count, sizeof(count));
		if (numparse_uint(count, strlen(count), 1000000000, &c) < 0 || c == 0)
			c = 1;
		field(&line, &n, r->result, sizeof(r->result));
		r->failure = r->result[0] != '\0';
		field(&line, &n, r->sendip, sizeof(r->sendip));
		field(&line, &n, r->mx, sizeof(r->mx));
		field(&line, &n, r->rip, sizeof(r->rip));
		field(&line, &n, r->reason, sizeof(r->reason));
		results_batch_add(b, r, c);
		nrecs++;
	}
	if ((txn = store_begin(st)) == NULL || results_apply(st, txn, b) < 0)
		abort();
	results_batch_free(b);
	/* the rest of the input is the text of every sts and tlsa policy */
	for (size_t i = 0; i < nrecs; i++) {
		char key[16 + 2 * (DOMAIN_MAX + 1) + 16];

		if (strcmp(recs[i].ptype, "sts") != 0 && strcmp(recs[i].ptype, "tlsa") != 0)
			continue;
		snprintf(key, sizeof(key), "%s\t%s\t%s\t%s", DAY, domain, recs[i].ptype, recs[i].pkey);
		if (store_put(st, txn, STORE_DB_DECISION, key, strlen(key), p, (size_t)(end - p)) < 0)
			abort();
	}
	if (store_commit_lazy(st, txn) < 0)
		abort();

	/* every report of the day, parsed back */
	if ((d = report_day_load(st, DAY)) == NULL)
		abort();
	buf_init(&out, (size_t)16 << 20);
	for (size_t i = 0; i < d->ndomains; i++) {
		buf_reset(&out);
		if (report_json(st, d, &m, d->domains[i].domain, 0, &out) < 0)
			abort();
		check_report(d, d->domains[i].domain, 0, &out);
	}
	h.d = d;
	h.m = &m;
	h.out = &out;
	report_tlsa_bases(d, host_report, &h);
	buf_fini(&out);
	report_day_free(d);

	/* the next input starts from an empty day: delete what was stored in
	 * one lazy commit (results_purge() would wait for the disk) */
	if ((txn = store_begin(st)) == NULL)
		abort();
	for (size_t i = 0; i < nrecs; i++) {
		char key[RESULTS_KEY_MAX];
		size_t klen = results_key(&recs[i], key, sizeof(key));

		if (store_del(st, txn, STORE_DB_RESULT, key, klen) < 0)
			abort();
		snprintf(key, sizeof(key), "%s\t%s\t%s\t%s", DAY, domain, recs[i].ptype, recs[i].pkey);
		if (store_del(st, txn, STORE_DB_DECISION, key, strlen(key)) < 0)
			abort();
	}
	if (store_commit_lazy(st, txn) < 0)
		abort();
	if (++runs % 1024 == 0) {
		results_purge(st, NEXT_DAY);
		store_checkpoint(st);
	}
	return 0;
}
