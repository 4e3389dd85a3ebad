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
#include "decision.h"
#include "jsontext.h"
#include "numparse.h"
#include "report.h"
#include "results.h"
#include "store.h"
#include "strmap.h"
#include "sts.h"
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

/* add_count - one counter of the day into d */
static void
add_count(void *arg, const struct result_rec *r, uint64_t n)
{
	struct report_day *d = arg;
	struct report_domain *rd = domain_for(d, r->domain);
	struct report_policy *p = policy_for(rd, r);
	struct report_detail *det;

	if (!r->failure) {
		p->successes += n;
		return;
	}
	p->failures += n;
	rd->failures += n;
	p->details = xreallocarray(p->details, p->ndetails + 1, sizeof(*p->details));
	det = &p->details[p->ndetails++];
	text_copy(det->result, sizeof(det->result), r->result);
	text_copy(det->sendip, sizeof(det->sendip), r->sendip);
	text_copy(det->mx, sizeof(det->mx), r->mx);
	text_copy(det->rip, sizeof(det->rip), r->rip);
	text_copy(det->reason, sizeof(det->reason), r->reason);
	det->count = n;
}

struct report_day *
report_day_load(struct store *st, const char *day)
{
	struct report_day *d = xcalloc(1, sizeof(*d));
	struct tm tm;
	uint64_t y, m, md;

	text_copy(d->day, sizeof(d->day), day);
	memset(&tm, 0, sizeof(tm));
	if (strlen(day) == 10 && numparse_uint(day, 4, 9999, &y) == 0
	    && numparse_uint(day + 5, 2, 12, &m) == 0 && numparse_uint(day + 8, 2, 31, &md) == 0) {
		tm.tm_year = (int)y - 1900;
		tm.tm_mon = (int)m - 1;
		tm.tm_mday = (int)md;
	}
	d->start = timegm(&tm);
	if (results_foreach(st, day, add_count, d) < 0) {
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

int
report_host_wanted(const struct report_day *d, const char *base, const char *rua,
    const struct strmap *ruas)
{
	for (size_t i = 0; i < d->ndomains; i++)
		for (size_t j = 0; j < d->domains[i].npolicies; j++) {
			const struct report_policy *p = &d->domains[i].policies[j];
			const char *theirs;

			if (strcmp(p->ptype, "tlsa") != 0 || strcmp(p->pkey, base) != 0)
				continue;
			theirs = strmap_get(ruas, p->domain);
			if (theirs == NULL || strcmp(theirs, rua) != 0)
				return 1;
		}
	return 0;
}

/* lines - each non-empty line of text as a JSON string */
static json_object *
lines(const struct buf *text)
{
	json_object *a = json_object_new_array();
	const char *p = text->data, *end = text->data + text->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0)
			json_object_array_add(a, jsontext_new(p, n));
		p = nl ? nl + 1 : end;
	}
	return a;
}

/* mx_hosts - the mx patterns of the policy text, or NULL if it does not
 * parse as a policy */
static json_object *
mx_hosts(const struct buf *text)
{
	struct sts_policy *pol = xmalloc(sizeof(*pol));
	json_object *a = NULL;
	const char *why;

	if (sts_policy_parse(text->data, text->len, pol, &why) == 0) {
		a = json_object_new_array();
		for (size_t i = 0; i < pol->nmx; i++)
			json_object_array_add(a, jsontext(pol->mx[i]));
	}
	free(pol);
	return a;
}

json_object *
report_detail_json(const char *result, const char *sendip, const char *mx, const char *rip,
    const char *reason, uint64_t count)
{
	json_object *det = json_object_new_object();

	json_object_object_add(det, "result-type",
	    jsontext(tlsrpt_result_type(result) ? result : "validation-failure"));
	if (sendip[0])
		json_object_object_add(det, "sending-mta-ip", jsontext(sendip));
	if (mx[0])
		json_object_object_add(det, "receiving-mx-hostname", jsontext(mx));
	if (rip[0])
		json_object_object_add(det, "receiving-ip", jsontext(rip));
	json_object_object_add(det, "failed-session-count", json_object_new_int64((int64_t)count));
	if (reason[0])
		json_object_object_add(det, "failure-reason-code", jsontext(reason));
	return det;
}

static json_object *
policy_json(struct store *st, const struct report_day *d, const struct report_policy *p,
    struct buf *text)
{
	json_object *o = json_object_new_object(), *pol = json_object_new_object();
	json_object *sum = json_object_new_object(), *dets = json_object_new_array();
	json_object *mx = NULL;
	int have = 0;

	json_object_object_add(pol, "policy-type", jsontext(p->ptype));
	buf_reset(text);
	if ((strcmp(p->ptype, "sts") == 0 && p->pkey[0]) || strcmp(p->ptype, "tlsa") == 0)
		have = decision_get(st, d->day, p->domain, p->ptype, p->pkey, text) == 0;
	if (have)
		json_object_object_add(pol, "policy-string", lines(text));
	json_object_object_add(pol, "policy-domain", jsontext(
	    strcmp(p->ptype, "tlsa") == 0 && p->pkey[0] ? p->pkey : p->domain));
	if (have && strcmp(p->ptype, "sts") == 0 && (mx = mx_hosts(text)) != NULL)
		json_object_object_add(pol, "mx-host", mx);
	json_object_object_add(o, "policy", pol);
	json_object_object_add(sum, "total-successful-session-count",
	    json_object_new_int64((int64_t)p->successes));
	json_object_object_add(sum, "total-failure-session-count",
	    json_object_new_int64((int64_t)p->failures));
	json_object_object_add(o, "summary", sum);
	for (size_t i = 0; i < p->ndetails; i++) {
		const struct report_detail *r = &p->details[i];

		json_object_array_add(dets, report_detail_json(r->result, r->sendip, r->mx, r->rip,
		    r->reason, r->count));
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
