/*
 * rptparse - incoming TLSRPT reports, see rptparse.h.
 */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "domain.h"
#include "mime.h"
#include "rptparse.h"
#include "text.h"
#include "tlsrpt.h"

#define JSON_DEPTH_MAX 16

/* note - add a note (cut when notes are full; the same note once) */
static void
note(struct rpt_report *r, const char *fmt, const char *arg)
{
	char one[400], clean[200];
	size_t n = strlen(r->notes);

	/* the note whole (fmt is short), then cut to the notes only at a
	 * character boundary: notes stay clean text */
	text_clean(clean, sizeof(clean), arg ? arg : "", strlen(arg ? arg : ""));
	snprintf(one, sizeof(one), "%s", n ? "; " : "");
	n = strlen(one);
	snprintf(one + n, sizeof(one) - n, fmt, clean);
	if (strstr(r->notes, one + n) != NULL)
		return;
	n = strlen(r->notes);
	text_copy(r->notes + n, sizeof(r->notes) - n, one);
}

/* get - the member of o named by the first of the names it has */
static json_object *
get(json_object *o, const char *name, const char *alt)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	if (json_object_object_get_ex(o, name, &v))
		return v;
	if (alt && json_object_object_get_ex(o, alt, &v))
		return v;
	return NULL;
}

/* str - a string member as clean text into out; 1 if it was a string */
static int
str(json_object *v, char *out, size_t outlen)
{
	out[0] = '\0';
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return 0;
	text_clean(out, outlen, json_object_get_string(v), (size_t)json_object_get_string_len(v));
	return 1;
}

/* count - a session count: a non-negative integer, or a string of digits
 * (noted); 0 with *ok 0 otherwise */
static uint64_t
count(struct rpt_report *r, json_object *v, const char *what, int *ok)
{
	*ok = 1;
	if (v == NULL) {
		*ok = 0;
		return 0;
	}
	if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);

		if (n >= 0)
			return (uint64_t)n;
		if (json_object_get_uint64(v) > (uint64_t)INT64_MAX)
			return json_object_get_uint64(v);
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		uint64_t n = 0;
		size_t i;

		for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 19; i++)
			n = n * 10 + (uint64_t)(s[i] - '0');
		if (i > 0 && s[i] == '\0') {
			note(r, "%s given as a string", what);
			return n;
		}
	}
	note(r, "%s is not a count", what);
	*ok = 0;
	return 0;
}

static int
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
rptparse_datetime(const char *s, time_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, off = 0, zone = 0;
	size_t n = strlen(s), i = 19;

	if (n < 19 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-'
	    || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
	    || digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':'
	    || digits(s + 17, 2, &sec))
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59
	    || sec > 60)
		return -1;
	if (i < n && s[i] == '.') {          /* fraction: ignored */
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		zone = 1;
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-') && n - i >= 6 && s[i + 3] == ':') {
		int oh, om;

		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
		zone = 1;
		i += 6;
	}
	if (i != n)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;
	*t = timegm(&tm) - off;
	return zone ? 0 : 1;
}

/* when - a date-time member into its time and canonical text */
static int
when(struct rpt_report *r, json_object *v, const char *what, time_t *t, char *out, size_t outlen)
{
	char s[64];
	struct tm tm;
	int rc;

	if (!str(v, s, sizeof(s)) || (rc = rptparse_datetime(s, t)) < 0)
		return -1;
	if (rc == 1)
		note(r, "%s without a time zone, read as UTC", what);
	gmtime_r(t, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/* add_result - count failed sessions of type into p */
static void
add_result(struct rpt_report *r, struct rpt_policy *p, const char *type, uint64_t n)
{
	size_t i;

	if (!tlsrpt_result_type(type))
		note(r, "result type \"%s\" is not one of RFC 8460", type);
	for (i = 0; i < p->nresults; i++)
		if (strcmp(p->results[i].type, type) == 0) {
			p->results[i].count += n;
			return;
		}
	if (p->nresults == RPT_RESULTS_MAX) {
		note(r, "%s: too many result types, the rest counted as other", type);
		i = RPT_RESULTS_MAX - 1;
		snprintf(p->results[i].type, sizeof(p->results[i].type), "other");
		p->results[i].count += n;
		return;
	}
	snprintf(p->results[p->nresults].type, sizeof(p->results[0].type), "%s", type);
	p->results[p->nresults++].count = n;
}

/* mx_hosts - mx-host (array, or a string: a known deviation) */
static void
mx_hosts(struct rpt_report *r, struct rpt_policy *p, json_object *v)
{
	char one[RPT_TEXT_MAX];
	size_t n = 0;

	if (v == NULL)
		return;
	if (json_object_is_type(v, json_type_string)) {
		note(r, "mx-host given as a string%s", "");
		str(v, p->mx, sizeof(p->mx));
		return;
	}
	if (!json_object_is_type(v, json_type_array)) {
		note(r, "mx-host is neither a list nor a string%s", "");
		return;
	}
	for (size_t i = 0; i < json_object_array_length(v) && i < 64; i++) {
		if (!str(json_object_array_get_idx(v, i), one, sizeof(one)))
			continue;
		n = strlen(p->mx);
		snprintf(p->mx + n, sizeof(p->mx) - n, "%s%s", n ? " " : "", one);
	}
}

/* tlsa_records - how many TLSA records a policy-string entry holds:
 * "U S M HEX" groups; several in one string is a known deviation */
static unsigned
tlsa_records(const char *s)
{
	unsigned n = 0, words = 0;
	int in = 0;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t') {
			in = 0;
		} else if (!in) {
			in = 1;
			words++;
		}
	}
	n = words / 4;
	return n ? n : 1;
}

static void
policy_strings(struct rpt_report *r, struct rpt_policy *p, json_object *v)
{
	char s[2048];

	if (v == NULL)
		return;
	if (json_object_is_type(v, json_type_string)) {
		note(r, "policy-string given as a string%s", "");
		str(v, s, sizeof(s));
		p->nstrings = strcmp(p->ptype, "tlsa") == 0 ? tlsa_records(s) : 1;
		return;
	}
	if (!json_object_is_type(v, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(v) && i < 1000; i++) {
		if (!str(json_object_array_get_idx(v, i), s, sizeof(s)))
			continue;
		if (strcmp(p->ptype, "tlsa") == 0 && tlsa_records(s) > 1) {
			note(r, "several TLSA records packed in one policy-string%s", "");
			p->nstrings += tlsa_records(s);
		} else {
			p->nstrings++;
		}
	}
}

/* details - failure-details into p's result type counts */
static void
details(struct rpt_report *r, struct rpt_policy *p, json_object *v)
{
	char type[64];
	uint64_t sum = 0;
	int ok;

	if (v == NULL)
		return;
	if (!json_object_is_type(v, json_type_array)) {
		note(r, "failure-details is not a list%s", "");
		return;
	}
	for (size_t i = 0; i < json_object_array_length(v) && i < 10000; i++) {
		json_object *d = json_object_array_get_idx(v, i);
		uint64_t n;

		if (!str(get(d, "result-type", NULL), type, sizeof(type)) || type[0] == '\0') {
			note(r, "a failure-details entry without a result-type%s", "");
			continue;
		}
		n = count(r, get(d, "failed-session-count", "failure-session-count"),
		    "failed-session-count", &ok);
		if (get(d, "failed-session-count", NULL) == NULL && get(d, "failure-session-count", NULL))
			note(r, "draft-era key name %s", "failure-session-count");
		if (!ok)
			continue;
		add_result(r, p, type, n);
		sum += n;
	}
	if (sum > p->failures)
		note(r, "failure-details count more sessions than total-failure-session-count%s", "");
}

/* policy - one entry of "policies" into p; 0, or -1 if unusable */
static int
policy(struct rpt_report *r, json_object *o, struct rpt_policy *p)
{
	json_object *pol = get(o, "policy", NULL), *sum = get(o, "summary", NULL), *dom, *v;
	char d[DOMAIN_MAX * 3 + 1];
	int ok;

	memset(p, 0, sizeof(*p));
	if (pol == NULL) {
		note(r, "a policies entry without a policy%s", "");
		return -1;
	}
	if (!str(get(pol, "policy-type", NULL), p->ptype, sizeof(p->ptype)) || p->ptype[0] == '\0') {
		note(r, "a policy without a policy-type%s", "");
		snprintf(p->ptype, sizeof(p->ptype), "unknown");
	} else if (strcmp(p->ptype, "sts") != 0 && strcmp(p->ptype, "tlsa") != 0
	    && strcmp(p->ptype, "no-policy-found") != 0) {
		note(r, "unknown policy type \"%s\"", p->ptype);
	}
	dom = get(pol, "policy-domain", NULL);
	if (dom != NULL && json_object_is_type(dom, json_type_array)
	    && json_object_array_length(dom) > 0) {
		note(r, "policy-domain given as a list%s", "");
		dom = json_object_array_get_idx(dom, 0);
	}
	if (!str(dom, d, sizeof(d)) || domain_normalize(d, strlen(d), p->domain, NULL) != DOMAIN_OK) {
		note(r, "a policy without a valid policy-domain (\"%s\")", d);
		return -1;
	}
	if ((v = get(pol, "mx-host", NULL)) == NULL && (v = get(pol, "mx-host-pattern", NULL)) != NULL)
		note(r, "draft-era key name %s", "mx-host-pattern");
	mx_hosts(r, p, v);
	policy_strings(r, p, get(pol, "policy-string", NULL));
	if (sum == NULL && (get(o, "total-successful-session-count", NULL)
	    || get(o, "total-failure-session-count", NULL))) {
		note(r, "draft-era summary counters outside \"summary\"%s", "");
		sum = o;
	}
	if (sum == NULL) {
		note(r, "a policy without a summary%s", "");
	} else {
		p->successes = count(r, get(sum, "total-successful-session-count", NULL),
		    "total-successful-session-count", &ok);
		v = get(sum, "total-failure-session-count", "total-failed-session-count");
		if (get(sum, "total-failure-session-count", NULL) == NULL && v != NULL)
			note(r, "draft-era key name %s", "total-failed-session-count");
		p->failures = count(r, v, "total-failure-session-count", &ok);
	}
	details(r, p, get(o, "failure-details", NULL));
	return 0;
}

int
rptparse_json(const char *json, size_t len, struct rpt_report *r, char *why, size_t whylen)
{
	json_tokener *tok;
	json_object *root, *v;
	enum json_tokener_error jerr;
	struct tm tm;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (len > RPT_JSON_MAX || len > (size_t)INT32_MAX) {
		snprintf(why, whylen, "report larger than %zu bytes", RPT_JSON_MAX);
		return -1;
	}
	if (!text_clean_len(json, len) && memchr(json, '\0', len) != NULL) {
		snprintf(why, whylen, "the report is not text (NUL bytes)");
		return -1;
	}
	tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	if (root != NULL && jerr == json_tokener_success) {
		/* anything but blanks after the document is damage */
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
			if (json[i] != ' ' && json[i] != '\t' && json[i] != '\r' && json[i] != '\n') {
				jerr = json_tokener_error_parse_unexpected;
				break;
			}
	}
	json_tokener_free(tok);
	if (root == NULL || jerr != json_tokener_success) {
		snprintf(why, whylen, "the report is not JSON: %s",
		    root == NULL && jerr == json_tokener_continue ? "cut short"
		    : json_tokener_error_desc(jerr));
		json_object_put(root);
		return -1;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(why, whylen, "the report is not a JSON object");
		json_object_put(root);
		return -1;
	}
	if (!str(get(root, "organization-name", NULL), r->org, sizeof(r->org)) || r->org[0] == '\0') {
		snprintf(why, whylen, "the report has no organization-name");
		goto bad;
	}
	if (!str(get(root, "report-id", NULL), r->id, sizeof(r->id)) || r->id[0] == '\0') {
		snprintf(why, whylen, "the report has no report-id");
		goto bad;
	}
	if (!str(get(root, "contact-info", NULL), r->contact, sizeof(r->contact)))
		note(r, "no contact-info%s", "");
	v = get(root, "date-range", NULL);
	if (when(r, get(v, "start-datetime", NULL), "start-datetime", &r->tstart, r->start,
	    sizeof(r->start)) < 0 || when(r, get(v, "end-datetime", NULL), "end-datetime", &r->tend,
	    r->end, sizeof(r->end)) < 0) {
		snprintf(why, whylen, "the report has no valid date-range");
		goto bad;
	}
	if (r->tend < r->tstart)
		note(r, "date-range ends before it starts%s", "");
	gmtime_r(&r->tstart, &tm);
	strftime(r->day, sizeof(r->day), "%Y-%m-%d", &tm);
	v = get(root, "policies", NULL);
	if (v == NULL || !json_object_is_type(v, json_type_array)) {
		snprintf(why, whylen, "the report has no policies list");
		goto bad;
	}
	n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		if (r->npolicies == RPT_POLICIES_MAX) {
			note(r, "more than 64 policies: the rest left out%s", "");
			break;
		}
		if (policy(r, json_object_array_get_idx(v, i), &r->policies[r->npolicies]) == 0)
			r->npolicies++;
		else   /* no half-read policy left behind the last one */
			memset(&r->policies[r->npolicies], 0, sizeof(r->policies[0]));
	}
	if (r->npolicies == 0) {
		snprintf(why, whylen, "the report has no usable policy");
		goto bad;
	}
	json_object_put(root);
	return 0;
bad:
	json_object_put(root);
	return -1;
}

int
rptparse_body(const void *body, size_t len, const char *ctype, struct rpt_report *r,
    char *why, size_t whylen)
{
	struct buf json;
	const char *w;
	int gz = mime_is_gzip(body, len), rc;

	if (ctype != NULL && strncasecmp(ctype, "application/tlsrpt+gzip", 23) == 0 && !gz) {
		snprintf(why, whylen, "declared application/tlsrpt+gzip but not gzip data");
		return -1;
	}
	if (!gz)
		return rptparse_json(body, len, r, why, whylen);
	buf_init(&json, RPT_JSON_MAX);
	if (mime_gunzip(body, len, &json, &w) < 0) {
		snprintf(why, whylen, "%s", w);
		rc = -1;
	} else {
		rc = rptparse_json(json.data, json.len, r, why, whylen);
	}
	buf_fini(&json);
	return rc;
}
