/*
 * report - day results and RFC 8460 JSON reports, see report.h.
 */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "jsontext.h"
#include "numparse.h"
#include "report.h"
#include "results.h"
#include "store.h"
#include "strmap.h"
#include "text.h"
#include "tlsrpt.h"
#include "xalloc.h"

#define POLICY_TEXT_MAX (64 * 1024 + 1024)

static struct report_domain *
domain_for(struct report_day *d, const char *domain)
{
	struct report_domain *rd;

	/* records come in key order: a new domain is always the last one */
	if (d->ndomains > 0 && strcmp(d->domains[d->ndomains - 1].domain, domain) == 0)
		return &d->domains[d->ndomains - 1];
	d->domains = xreallocarray(d->domains, d->ndomains + 1, sizeof(*d->domains));
	rd = &d->domains[d->ndomains++];
	memset(rd, 0, sizeof(*rd));
	text_copy(rd->domain, sizeof(rd->domain), domain);
	return rd;
}

static struct report_policy *
policy_for(struct report_domain *rd, const struct result_rec *r)
{
	struct report_policy *p;

	for (size_t i = 0; i < rd->npolicies; i++)
		if (strcmp(rd->policies[i].ptype, r->ptype) == 0 && strcmp(rd->policies[i].pkey, r->pkey) == 0)
			return &rd->policies[i];
	rd->policies = xreallocarray(rd->policies, rd->npolicies + 1, sizeof(*rd->policies));
	p = &rd->policies[rd->npolicies++];
	memset(p, 0, sizeof(*p));
	text_copy(p->domain, sizeof(p->domain), r->domain);
	text_copy(p->ptype, sizeof(p->ptype), r->ptype);
	text_copy(p->pkey, sizeof(p->pkey), r->pkey);
	return p;
}

struct report_day *
report_day_load(struct store *st, const char *day)
{
	struct report_day *d = xcalloc(1, sizeof(*d));
	struct store_cursor *c = store_cursor_open(st, STORE_DB_RESULT);
	struct buf key, val;
	char prefix[16];
	struct tm tm;
	uint64_t y, m, md;
	int rc;

	if (c == NULL) {
		free(d);
		return NULL;
	}
	text_copy(d->day, sizeof(d->day), day);
	memset(&tm, 0, sizeof(tm));
	if (strlen(day) == 10 && numparse_uint(day, 4, 9999, &y) == 0
	    && numparse_uint(day + 5, 2, 12, &m) == 0 && numparse_uint(day + 8, 2, 31, &md) == 0) {
		tm.tm_year = (int)y - 1900;
		tm.tm_mon = (int)m - 1;
		tm.tm_mday = (int)md;
	}
	d->start = timegm(&tm);
	snprintf(prefix, sizeof(prefix), "%s\t", day);
	store_cursor_seek(c, prefix, strlen(prefix));
	buf_init(&key, (size_t)RESULTS_KEY_MAX * 4);
	buf_init(&val, 64);
	while ((rc = store_cursor_next(c, &key, &val)) == 0) {
		struct result_rec r;
		struct report_policy *p;
		uint64_t n;

		if (key.len < strlen(prefix) || memcmp(key.data, prefix, strlen(prefix)) != 0)
			break;
		if (results_parse_key(key.data, key.len, &r) < 0
		    || numparse_uint(val.data, val.len, UINT64_MAX, &n) < 0 || n == 0)
			continue;
		p = policy_for(domain_for(d, r.domain), &r);
		if (!r.failure) {
			p->successes += n;
			continue;
		}
		p->failures += n;
		domain_for(d, r.domain)->failures += n;
		p->details = xreallocarray(p->details, p->ndetails + 1, sizeof(*p->details));
		{
			struct report_detail *det = &p->details[p->ndetails++];

			text_copy(det->result, sizeof(det->result), r.result);
			text_copy(det->sendip, sizeof(det->sendip), r.sendip);
			text_copy(det->mx, sizeof(det->mx), r.mx);
			text_copy(det->rip, sizeof(det->rip), r.rip);
			text_copy(det->reason, sizeof(det->reason), r.reason);
			det->count = n;
		}
	}
	store_cursor_close(c);
	buf_fini(&key);
	buf_fini(&val);
	if (rc < 0) {
		report_day_free(d);
		return NULL;
	}
	return d;
}

void
report_day_free(struct report_day *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->ndomains; i++) {
		for (size_t j = 0; j < d->domains[i].npolicies; j++)
			free(d->domains[i].policies[j].details);
		free(d->domains[i].policies);
	}
	free(d->domains);
	free(d);
}

void
report_tlsa_bases(const struct report_day *d, void (*fn)(void *arg, const char *base), void *arg)
{
	struct strmap *seen = strmap_new();

	for (size_t i = 0; i < d->ndomains; i++)
		for (size_t j = 0; j < d->domains[i].npolicies; j++) {
			const struct report_policy *p = &d->domains[i].policies[j];

			if (strcmp(p->ptype, "tlsa") != 0 || p->pkey[0] == '\0'
			    || strcasecmp(p->pkey, p->domain) == 0 || strmap_get(seen, p->pkey))
				continue;
			strmap_put(seen, p->pkey, (void *)1);
			fn(arg, p->pkey);
		}
	strmap_free(seen, NULL);
}

void
report_id(const struct report_day *d, const char *domain, const char *submitter, char *out,
    size_t outlen)
{
	snprintf(out, outlen, "%.4s%.2s%.2s.%s.%lld@%s", d->day, d->day + 5, d->day + 8, domain,
	    (long long)d->start, submitter);
}

/* policy_text - the decision record's lines for (day, domain, kind, what) */
static int
policy_text(struct store *st, const struct report_day *d, const char *domain, const char *kind,
    const char *what, struct buf *out)
{
	char key[16 + 2 * (DOMAIN_MAX + 1) + 16];

	snprintf(key, sizeof(key), "%s\t%s\t%s\t%s", d->day, domain, kind, what);
	return store_get(st, NULL, STORE_DB_DECISION, key, strlen(key), out) == 0 ? 0 : -1;
}

/* lines - each non-empty line of text as a JSON string; with mx, only the
 * values of "mx:" lines */
static json_object *
lines(const struct buf *text, int mx)
{
	json_object *a = json_object_new_array();
	const char *p = text->data, *end = text->data + text->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (mx && n > 3 && strncmp(p, "mx:", 3) == 0) {
			size_t s = 3;

			while (s < n && (p[s] == ' ' || p[s] == '\t'))
				s++;
			json_object_array_add(a, jsontext_new(p + s, n - s));
		} else if (!mx && n > 0) {
			json_object_array_add(a, jsontext_new(p, n));
		}
		p = nl ? nl + 1 : end;
	}
	return a;
}

static json_object *
policy_json(struct store *st, const struct report_day *d, const struct report_policy *p,
    struct buf *text)
{
	json_object *o = json_object_new_object(), *pol = json_object_new_object();
	json_object *sum = json_object_new_object(), *dets = json_object_new_array();
	int have = 0;

	json_object_object_add(pol, "policy-type", jsontext(p->ptype));
	buf_reset(text);
	if (strcmp(p->ptype, "sts") == 0 && p->pkey[0])
		have = policy_text(st, d, p->domain, "sts", p->pkey, text) == 0;
	else if (strcmp(p->ptype, "tlsa") == 0)
		have = policy_text(st, d, p->domain, "tlsa", p->pkey, text) == 0;
	if (have)
		json_object_object_add(pol, "policy-string", lines(text, 0));
	json_object_object_add(pol, "policy-domain", jsontext(
	    strcmp(p->ptype, "tlsa") == 0 && p->pkey[0] ? p->pkey : p->domain));
	if (have && strcmp(p->ptype, "sts") == 0)
		json_object_object_add(pol, "mx-host", lines(text, 1));
	json_object_object_add(o, "policy", pol);
	json_object_object_add(sum, "total-successful-session-count",
	    json_object_new_int64((int64_t)p->successes));
	json_object_object_add(sum, "total-failure-session-count",
	    json_object_new_int64((int64_t)p->failures));
	json_object_object_add(o, "summary", sum);
	for (size_t i = 0; i < p->ndetails; i++) {
		const struct report_detail *r = &p->details[i];
		json_object *det = json_object_new_object();

		json_object_object_add(det, "result-type", jsontext(tlsrpt_result_type(r->result) ? r->result : "validation-failure"));
		if (r->sendip[0])
			json_object_object_add(det, "sending-mta-ip", jsontext(r->sendip));
		if (r->mx[0])
			json_object_object_add(det, "receiving-mx-hostname", jsontext(r->mx));
		if (r->rip[0])
			json_object_object_add(det, "receiving-ip", jsontext(r->rip));
		json_object_object_add(det, "failed-session-count", json_object_new_int64((int64_t)r->count));
		if (r->reason[0])
			json_object_object_add(det, "failure-reason-code", jsontext(r->reason));
		json_object_array_add(dets, det);
	}
	json_object_object_add(o, "failure-details", dets);
	return o;
}

int
report_json(struct store *st, const struct report_day *d, const struct report_meta *m,
    const char *domain, int host, struct buf *out)
{
	json_object *rep, *range, *pols;
	char start[32], end[32], id[2 * DOMAIN_MAX + 64];
	struct buf text;
	time_t e = d->start + 86399;
	struct tm tm;
	int rc;

	pols = json_object_new_array();
	buf_init(&text, POLICY_TEXT_MAX);
	for (size_t i = 0; i < d->ndomains; i++) {
		const struct report_domain *rd = &d->domains[i];

		if (!host && strcmp(rd->domain, domain) != 0)
			continue;
		for (size_t j = 0; j < rd->npolicies; j++) {
			const struct report_policy *p = &rd->policies[j];

			if (host && (strcmp(p->ptype, "tlsa") != 0 || strcmp(p->pkey, domain) != 0))
				continue;
			json_object_array_add(pols, policy_json(st, d, p, &text));
		}
	}
	buf_fini(&text);
	if (json_object_array_length(pols) == 0) {
		json_object_put(pols);
		return -1;
	}
	gmtime_r(&d->start, &tm);
	strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gmtime_r(&e, &tm);
	strftime(end, sizeof(end), "%Y-%m-%dT%H:%M:%SZ", &tm);
	report_id(d, domain, m->submitter, id, sizeof(id));
	rep = json_object_new_object();
	json_object_object_add(rep, "organization-name", jsontext(m->organization));
	range = json_object_new_object();
	json_object_object_add(range, "start-datetime", jsontext(start));
	json_object_object_add(range, "end-datetime", jsontext(end));
	json_object_object_add(rep, "date-range", range);
	json_object_object_add(rep, "contact-info", jsontext(m->contact));
	json_object_object_add(rep, "report-id", jsontext(id));
	json_object_object_add(rep, "policies", pols);
	rc = buf_puts(out, json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN
	    | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(rep);
	return rc;
}
