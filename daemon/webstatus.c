/*
 * webstatus - status page and JSON API, see webstatus.h.
 *
 * Cost on the event loop: a page reads today's and yesterday's result
 * records and the report records; the per-day totals of all retained
 * days (the chart) come from one walk of the result database, kept for
 * SERIES_SEC seconds (today's and yesterday's entries are the ones just
 * read); the incoming reports are the parsed records of
 * the last IN_DAYS days, and the JSON as received of the IN_LATEST
 * latest ones (their failure details).  Every list is cut at a fixed
 * number of rows.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "daemon.h"
#include "dane.h"
#include "decision.h"
#include "domain.h"
#include "http.h"
#include "jsontext.h"
#include "localpolicy.h"
#include "lookup.h"
#include "incoming.h"
#include "incomingjson.h"
#include "metrics.h"
#include "mtasts.h"
#include "numparse.h"
#include "report.h"
#include "resolve.h"
#include "results.h"
#include "state.h"
#include "store.h"
#include "strmap.h"
#include "text.h"
#include "webstatus.h"
#include "xalloc.h"

#define DOMAINS_SHOWN 200        /* domains per day on the page */
#define DAYS_MAX 400             /* days in the chart */
#define SERIES_SEC 60            /* the chart's data is this old at most */
#define DELIVERIES_MAX 5000      /* report deliveries read */
#define DELIVERIES_SHOWN 100     /* and shown on the page */
#define RESULT_GROUPS_MAX 20000  /* groups in /api/v1/results */

#define CT_HTML "text/html; charset=utf-8"
#define CT_JSON "application/json"
#define CT_TEXT "text/plain; charset=utf-8"

/* --- gathering ------------------------------------------------------------ */

struct dom_count {
	char domain[DOMAIN_MAX + 1];
	uint64_t ok, fail;
	uint64_t top_n;              /* the most frequent failure: */
	char top_result[40];
	char top_mx[DOMAIN_MAX + 1];
	char top_reason[160];
};

struct day_count {
	char day[11];
	uint64_t ok, fail;
};

struct day_sessions {
	char day[11];
	struct strmap *map;          /* domain -> struct dom_count (in v) */
	struct dom_count **v;
	size_t n;
	uint64_t ok, fail;
	int error;                   /* the store could not be read */
};

struct delivery_row {
	char day[11];
	char domain[DOMAIN_MAX + 1];
	char uri[512];
	struct delivery dv;
};

struct deliveries {
	struct delivery_row *v;
	size_t n;
	int more;                    /* some were left out */
	int error;
	time_t last;                 /* the last attempt */
	char last_day[11];           /* the latest day reported */
};

static struct {
	time_t at;
	int valid;
	struct day_count v[DAYS_MAX];
	size_t n;
} series;

static void
on_day_count(void *arg, const struct result_rec *r, uint64_t n)
{
	struct day_sessions *ds = arg;
	struct dom_count *c = strmap_get(ds->map, r->domain);

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		text_copy(c->domain, sizeof(c->domain), r->domain);
		strmap_put(ds->map, r->domain, c);
		ds->v = xreallocarray(ds->v, ds->n + 1, sizeof(*ds->v));
		ds->v[ds->n++] = c;
	}
	if (r->failure) {
		c->fail += n;
		ds->fail += n;
		if (n > c->top_n) {
			c->top_n = n;
			text_copy(c->top_result, sizeof(c->top_result), r->result);
			text_copy(c->top_mx, sizeof(c->top_mx), r->mx);
			text_copy(c->top_reason, sizeof(c->top_reason), r->reason);
		}
	} else {
		c->ok += n;
		ds->ok += n;
	}
}

/* worst_first - the highest failure rate first, then the most failures,
 * then by name */
static int
worst_first(const void *a, const void *b)
{
	const struct dom_count *x = *(struct dom_count *const *)a, *y = *(struct dom_count *const *)b;
	double rx = x->fail ? (double)x->fail / (double)(x->ok + x->fail) : 0;
	double ry = y->fail ? (double)y->fail / (double)(y->ok + y->fail) : 0;

	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (x->fail != y->fail)
		return x->fail > y->fail ? -1 : 1;
	return strcmp(x->domain, y->domain);
}

static void
day_sessions_read(struct daemon *d, const char *day, struct day_sessions *ds)
{
	memset(ds, 0, sizeof(*ds));
	snprintf(ds->day, sizeof(ds->day), "%s", day);
	ds->map = strmap_new();
	if (results_foreach(d->store, day, on_day_count, ds) < 0)
		ds->error = 1;
	if (ds->n > 1)
		qsort(ds->v, ds->n, sizeof(*ds->v), worst_first);
}

static void
day_sessions_free(struct day_sessions *ds)
{
	strmap_free(ds->map, free);
	free(ds->v);
}

static void
on_series(void *arg, const struct result_rec *r, uint64_t n)
{
	(void)arg;
	/* keys sort by day: a new day is appended, the oldest dropped when full */
	if (series.n == 0 || strcmp(series.v[series.n - 1].day, r->day) != 0) {
		if (series.n == DAYS_MAX) {
			memmove(series.v, series.v + 1, (DAYS_MAX - 1) * sizeof(series.v[0]));
			series.n--;
		}
		memset(&series.v[series.n], 0, sizeof(series.v[0]));
		text_copy(series.v[series.n].day, sizeof(series.v[0].day), r->day);
		series.n++;
	}
	if (r->failure)
		series.v[series.n - 1].fail += n;
	else
		series.v[series.n - 1].ok += n;
}

/* series_read - sessions and failures per retained day, cached */
static void
series_read(struct daemon *d)
{
	time_t now = time(NULL);

	if (series.valid && now - series.at < SERIES_SEC)
		return;
	if (!store_is_open(d->store))
		return;          /* keep what was read before */
	series.n = 0;
	series.valid = results_foreach(d->store, NULL, on_series, NULL) == 0;
	series.at = now;
}

/* series_patch - the chart's entry of ds's day from ds, read just now:
 * the cached walk may be older than the day's latest sessions */
static void
series_patch(const struct day_sessions *ds)
{
	size_t i;

	if (ds->error || !series.valid)
		return;
	for (i = series.n; i > 0 && strcmp(series.v[i - 1].day, ds->day) > 0; i--)
		;
	if (i > 0 && strcmp(series.v[i - 1].day, ds->day) == 0) {
		series.v[i - 1].ok = ds->ok;
		series.v[i - 1].fail = ds->fail;
		return;
	}
	if (ds->ok + ds->fail == 0)
		return;
	if (series.n == DAYS_MAX) {
		if (i == 0)
			return;          /* older than every day kept */
		memmove(series.v, series.v + 1, (i - 1) * sizeof(series.v[0]));
		series.n--;
		i--;
	} else
		memmove(series.v + i + 1, series.v + i, (series.n - i) * sizeof(series.v[0]));
	memset(&series.v[i], 0, sizeof(series.v[0]));
	memcpy(series.v[i].day, ds->day, sizeof(series.v[0].day));
	series.v[i].ok = ds->ok;
	series.v[i].fail = ds->fail;
	series.n++;
}

static void
deliveries_read(struct daemon *d, struct deliveries *out)
{
	struct store_cursor *cur;
	struct buf k, v;

	memset(out, 0, sizeof(*out));
	if (!store_is_open(d->store) || (cur = store_cursor_open(d->store, STORE_DB_REPORT)) == NULL) {
		out->error = 1;
		return;
	}
	buf_init(&k, 4096);
	buf_init(&v, 4096);
	store_cursor_seek(cur, "sent\t", 5);
	while (store_cursor_next(cur, &k, &v) == 0) {
		struct delivery_row *row;
		const char *f[3], *p;
		size_t flen[3];

		if (k.len < 5 || memcmp(k.data, "sent\t", 5) != 0)
			break;
		if (out->n == DELIVERIES_MAX) {
			out->more = 1;
			continue;
		}
		/* key: sent DAY DOMAIN URI */
		p = k.data + 5;
		for (int i = 0; i < 3; i++) {
			const char *tab = i < 2 ? memchr(p, '\t', k.len - (size_t)(p - k.data)) : NULL;

			f[i] = p;
			flen[i] = tab ? (size_t)(tab - p) : k.len - (size_t)(p - k.data);
			p = tab ? tab + 1 : k.data + k.len;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		row = &out->v[out->n++];
		text_clean(row->day, sizeof(row->day), f[0], flen[0]);
		text_clean(row->domain, sizeof(row->domain), f[1], flen[1]);
		text_clean(row->uri, sizeof(row->uri), f[2], flen[2]);
		state_parse(v.data ? v.data : "", &row->dv);
		if (row->dv.last > out->last)
			out->last = row->dv.last;
		if (strcmp(row->day, out->last_day) > 0)
			memcpy(out->last_day, row->day, sizeof(out->last_day));
	}
	store_cursor_close(cur);
	buf_fini(&k);
	buf_fini(&v);
}

static double
rate(uint64_t ok, uint64_t fail)
{
	return ok + fail ? (double)fail / (double)(ok + fail) : 0;
}

static void
iso_time(time_t t, char out[32])
{
	struct tm tm;

	if (t <= 0) {
		snprintf(out, 32, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *
dnssec_state(char *out, size_t outlen)
{
	if (metrics.dns_answers[0] + metrics.dns_answers[1] == 0)
		snprintf(out, outlen, "unknown: no DNS answer yet");
	else if (metrics.dns_answers[1] > 0)
		snprintf(out, outlen, "yes: %llu of %llu answers authenticated (AD bit)",
		    (unsigned long long)metrics.dns_answers[1],
		    (unsigned long long)(metrics.dns_answers[0] + metrics.dns_answers[1]));
	else
		snprintf(out, outlen, "no: none of %llu answers authenticated (AD bit): DANE cannot work",
		    (unsigned long long)metrics.dns_answers[0]);
	return out;
}

/* --- HTML ----------------------------------------------------------------- */

/* html - s as clean text, escaped for HTML text and attribute values */
static void
html(struct buf *out, const char *s)
{
	size_t len = strlen(s), n;
	char *clean = xmalloc(3 * len + 1);

	n = text_clean(clean, 3 * len + 1, s, len);
	for (size_t i = 0; i < n; i++) {
		switch (clean[i]) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		default: buf_append(out, clean + i, 1); break;
		}
	}
	free(clean);
}

static void
html_kv(struct buf *out, const char *k, const char *v)
{
	buf_printf(out, "<tr><th>%s</th><td>", k);
	html(out, v);
	buf_puts(out, "</td></tr>\n");
}

static void
html_endpoints(struct buf *out, const char *k, const struct settings_endpoints *l)
{
	struct buf v;

	if (l->n == 0)
		return;
	buf_init(&v, 8192);
	for (size_t i = 0; i < l->n; i++)
		buf_printf(&v, "%s%s", i ? ", " : "", l->v[i].text);
	html_kv(out, k, v.data ? v.data : "");
	buf_fini(&v);
}

static void
html_day(struct buf *out, const char *title, const struct day_sessions *ds)
{
	buf_puts(out, "<h2>");
	html(out, title);
	buf_puts(out, " (");
	html(out, ds->day);
	buf_printf(out, ")</h2>\n");
	if (ds->error) {
		buf_puts(out, "<p>The store is not readable now (lent to a client?).</p>\n");
		return;
	}
	buf_printf(out, "<p>%llu sessions, %llu failed (%.1f%%), %zu domains.</p>\n",
	    (unsigned long long)(ds->ok + ds->fail), (unsigned long long)ds->fail,
	    100 * rate(ds->ok, ds->fail), ds->n);
	if (ds->n == 0)
		return;
	buf_puts(out, "<table><tr><th>domain</th><th>sessions</th><th>failed</th>"
	    "<th>failure rate</th><th>most frequent failure</th><th>MX host</th><th>reason</th>"
	    "</tr>\n");
	for (size_t i = 0; i < ds->n && i < DOMAINS_SHOWN; i++) {
		const struct dom_count *c = ds->v[i];

		buf_printf(out, "<tr%s><td>", c->fail ? " class=\"bad\"" : "");
		html(out, c->domain);
		buf_printf(out, "</td><td>%llu</td><td>%llu</td><td>%.1f%%</td><td>",
		    (unsigned long long)(c->ok + c->fail), (unsigned long long)c->fail,
		    100 * rate(c->ok, c->fail));
		html(out, c->top_result);
		buf_puts(out, "</td><td>");
		html(out, c->top_mx);
		buf_puts(out, "</td><td>");
		html(out, c->top_reason);
		buf_puts(out, "</td></tr>\n");
	}
	buf_puts(out, "</table>\n");
	if (ds->n > DOMAINS_SHOWN)
		buf_printf(out, "<p>%zu more domains not shown: see /api/v1/results/", ds->n - DOMAINS_SHOWN);
	if (ds->n > DOMAINS_SHOWN) {
		html(out, ds->day);
		buf_puts(out, "</p>\n");
	}
}

/* day_time - noon UTC of day YYYY-MM-DD (numparse_day), or -1 */
static time_t
day_time(const char *day)
{
	uint64_t y, m, d;
	char v[11];
	struct tm tm;

	if (numparse_day(day, strlen(day), 0, v) < 0 || strcmp(v, day) != 0
	    || numparse_uint(day, 4, 9999, &y) < 0 || numparse_uint(day + 5, 2, 12, &m) < 0
	    || numparse_uint(day + 8, 2, 31, &d) < 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = 12;
	return timegm(&tm);
}

/* day_number - days since the epoch of YYYY-MM-DD; -1 if it is not one */
static long
day_number(const char *day)
{
	time_t t = day_time(day);

	return t < 0 ? -1 : (long)(t / 86400);
}

/* html_chart - one inline SVG: sessions (grey) and failures (red) per
 * day, each day in its place on a time axis (days without sessions
 * leave a gap) */
static void
html_chart(struct buf *out)
{
	const int w = 720, h = 160, top = 24, left = 50;
	uint64_t max = 1;
	long first, span;
	double bw;

	buf_puts(out, "<h2>Sessions per day</h2>\n");
	if (series.n == 0) {
		buf_puts(out, "<p>No sessions counted yet.</p>\n");
		return;
	}
	for (size_t i = 0; i < series.n; i++)
		if (series.v[i].ok + series.v[i].fail > max)
			max = series.v[i].ok + series.v[i].fail;
	first = day_number(series.v[0].day);
	span = day_number(series.v[series.n - 1].day) - first + 1;
	if (first < 0 || span < 1 || span > DAYS_MAX)
		span = (long)series.n;           /* not days: one slot each */
	bw = (double)(w - left) / (double)span;
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "role=\"img\" aria-label=\"sessions and failures per day\">\n", w, top + h + 30);
	buf_printf(out, "<rect x=\"%d\" y=\"2\" width=\"10\" height=\"10\" fill=\"#9ab\"/>"
	    "<text x=\"%d\" y=\"11\" font-size=\"11\">sessions</text>"
	    "<rect x=\"%d\" y=\"2\" width=\"10\" height=\"10\" fill=\"#c33\"/>"
	    "<text x=\"%d\" y=\"11\" font-size=\"11\">failed</text>\n",
	    left, left + 14, left + 80, left + 94);
	buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%llu</text>\n",
	    left - 6, top + 10, (unsigned long long)max);
	buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
	    left - 6, top + h);
	buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", left,
	    top + h, w, top + h);
	for (size_t i = 0; i < series.n; i++) {
		uint64_t all = series.v[i].ok + series.v[i].fail;
		double ha = (double)h * (double)all / (double)max;
		double hf = (double)h * (double)series.v[i].fail / (double)max;
		long slot = span == (long)series.n && first < 0 ? (long)i
		    : day_number(series.v[i].day) - first;
		double x = left + bw * (double)(slot < 0 || slot >= span ? (long)i : slot);

		buf_puts(out, "<g><title>");
		html(out, series.v[i].day);
		buf_printf(out, ": %llu sessions, %llu failed</title>", (unsigned long long)all,
		    (unsigned long long)series.v[i].fail);
		buf_printf(out, "<rect class=\"all\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"#9ab\"/>", x, top + h - ha, bw * 0.8, ha);
		buf_printf(out, "<rect class=\"fail\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"#c33\"/></g>\n", x, top + h - hf, bw * 0.8, hf);
	}
	buf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">", left, top + h + 20);
	html(out, series.v[0].day);
	buf_printf(out, "</text><text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">", w,
	    top + h + 20);
	html(out, series.v[series.n - 1].day);
	buf_puts(out, "</text>\n</svg>\n");
}

static void
html_reports(struct buf *out, const struct deliveries *dl)
{
	char t[32];
	size_t shown = 0;

	buf_puts(out, "<h2>Reports</h2>\n");
	if (dl->error) {
		buf_puts(out, "<p>The store is not readable now (lent to a client?).</p>\n");
		return;
	}
	if (dl->n == 0) {
		buf_puts(out, "<p>No report sent yet.</p>\n");
		return;
	}
	iso_time(dl->last, t);
	buf_puts(out, "<p>Last delivery attempt: ");
	html(out, t);
	buf_puts(out, "; deliveries of the reports for ");
	html(out, dl->last_day);
	buf_puts(out, ":</p>\n<table><tr><th>domain</th><th>to</th><th>state</th>"
	    "<th>attempts</th><th>last attempt</th><th>error</th></tr>\n");
	for (size_t i = 0; i < dl->n && shown < DELIVERIES_SHOWN; i++) {
		const struct delivery_row *r = &dl->v[i];

		if (strcmp(r->day, dl->last_day) != 0)
			continue;
		shown++;
		iso_time(r->dv.last, t);
		buf_printf(out, "<tr%s><td>", r->dv.state == DELIVERY_SENT ? "" : " class=\"bad\"");
		html(out, r->domain);
		buf_puts(out, "</td><td>");
		html(out, r->uri);
		buf_printf(out, "</td><td>%s</td><td>%u</td><td>", state_name(r->dv.state),
		    r->dv.attempts);
		html(out, t);
		buf_puts(out, "</td><td>");
		html(out, r->dv.error);
		buf_puts(out, "</td></tr>\n");
	}
	buf_puts(out, "</table>\n");
}

/* --- incoming reports ----------------------------------------------------- */

#define IN_DAYS 7                /* days of incoming reports on the page */
#define IN_DAYS_MAX 400          /* and at most in the API */
#define IN_ROWS_MAX 500          /* (our domain, organization) rows */
#define IN_ROWS_SHOWN 100        /* of them on the page */
#define IN_TYPES_MAX 12          /* result types per row; the rest "other" */
#define IN_LATEST 10             /* latest reports on the page */
#define IN_REPORTS_MAX 1000      /* reports in the API */
#define IN_DETAILS_MAX 100       /* failure details per policy, from the JSON */

/* the sessions one organization reported about one of our domains */
struct in_row {
	char domain[DOMAIN_MAX + 1];
	char org[RPT_TEXT_MAX];
	uint64_t reports, ok, fail;
	size_t seen;                 /* the report last counted */
	size_t ntypes;
	struct rpt_result types[IN_TYPES_MAX];   /* failures by result type */
};

/* one report's policy about one of our domains, on the page */
struct in_latest {
	char day[11];
	char org[RPT_TEXT_MAX];
	char id[RPT_TEXT_MAX];
	char domain[DOMAIN_MAX + 1];
	char mx[RPT_TEXT_MAX];
	uint64_t ok, fail;
	char via[32];
};

struct in_view {
	struct daemon *d;
	const char *domain;          /* only this policy-domain; NULL: all */
	struct strmap *map;          /* "DOMAIN\tORG" -> struct in_row (in v) */
	struct in_row **v;
	size_t n;
	size_t rows_left_out;        /* past IN_ROWS_MAX */
	uint64_t reports, ok, fail;
	char from[11], to[11];
	int error;
	/* the page: the latest IN_LATEST policies (a ring) */
	struct in_latest latest[IN_LATEST];
	size_t nlatest;
	/* the API: the reports as JSON, with their failure details if asked */
	json_object *list;
	size_t reports_left_out;
	int details;
};

static void
in_type_add(struct in_row *row, const char *type, uint64_t n)
{
	for (size_t i = 0; i < row->ntypes; i++)
		if (strcmp(row->types[i].type, type) == 0) {
			row->types[i].count += n;
			return;
		}
	if (row->ntypes == IN_TYPES_MAX)
		type = "other";
	if (row->ntypes == IN_TYPES_MAX) {
		for (size_t i = 0; i < row->ntypes; i++)
			if (strcmp(row->types[i].type, type) == 0) {
				row->types[i].count += n;
				return;
			}
		row->ntypes--;   /* the last one becomes "other" */
		n += row->types[row->ntypes].count;
	}
	text_copy(row->types[row->ntypes].type, sizeof(row->types[0].type), type);
	row->types[row->ntypes++].count = n;
}

/* in_row_of - the row of (domain, org), NULL when there are too many */
static struct in_row *
in_row_of(struct in_view *iv, const char *domain, const char *org)
{
	char key[DOMAIN_MAX + RPT_TEXT_MAX + 2];
	struct in_row *row;

	snprintf(key, sizeof(key), "%s\t%s", domain, org);
	if ((row = strmap_get(iv->map, key)) != NULL)
		return row;
	if (iv->n == IN_ROWS_MAX) {
		iv->rows_left_out++;
		return NULL;
	}
	row = xcalloc(1, sizeof(*row));
	text_copy(row->domain, sizeof(row->domain), domain);
	text_copy(row->org, sizeof(row->org), org);
	strmap_put(iv->map, key, row);
	iv->v = xreallocarray(iv->v, iv->n + 1, sizeof(struct in_row *));
	iv->v[iv->n++] = row;
	return row;
}

/* in_details - the failure details of the report's policies about
 * domain, as received (its JSON, if kept), into arr */
static void
in_details(struct daemon *d, const char *day, const char *org, const char *id, const char *domain,
    json_object *arr)
{
	static const char *const fields[] = { "result-type", "sending-mta-ip",
	    "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip", "additional-information",
	    "failure-reason-code" };
	struct json_tokener *tok;
	json_object *root, *pols;
	struct buf raw;
	size_t shown = 0;

	buf_init(&raw, INCOMING_RAW_MAX + 1);
	if (incoming_raw(d->store, day, org, id, &raw) != 0 || raw.len == 0) {
		buf_fini(&raw);
		return;
	}
	tok = json_tokener_new_ex(32);
	root = tok ? json_tokener_parse_ex(tok, raw.data, (int)raw.len) : NULL;
	if (tok)
		json_tokener_free(tok);
	buf_fini(&raw);
	if (!json_object_object_get_ex(root, "policies", &pols) || !json_object_is_type(pols, json_type_array)) {
		json_object_put(root);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(pols); i++) {
		json_object *p = json_object_array_get_idx(pols, i), *pol, *pd, *fd;
		char name[DOMAIN_MAX + 1];
		const char *s;

		if (!json_object_object_get_ex(p, "policy", &pol) || !json_object_object_get_ex(pol,
		    "policy-domain", &pd) || (s = json_object_get_string(pd)) == NULL
		    || domain_normalize(s, strlen(s), name, NULL) != DOMAIN_OK || strcmp(name, domain) != 0)
			continue;
		if (!json_object_object_get_ex(p, "failure-details", &fd)
		    || !json_object_is_type(fd, json_type_array))
			continue;
		for (size_t j = 0; j < json_object_array_length(fd) && shown < IN_DETAILS_MAX; j++) {
			json_object *e = json_object_array_get_idx(fd, j), *v, *o;

			if (!json_object_is_type(e, json_type_object))
				continue;
			o = json_object_new_object();
			for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
				if (json_object_object_get_ex(e, fields[k], &v) && json_object_is_type(v, json_type_string))
					json_object_object_add(o, fields[k], jsontext_new(json_object_get_string(v),
					    (size_t)json_object_get_string_len(v)));
			if (json_object_object_get_ex(e, "failed-session-count", &v))
				json_object_object_add(o, "failed-session-count",
				    json_object_new_int64(json_object_get_int64(v)));
			json_object_array_add(arr, o);
			shown++;
		}
	}
	json_object_put(root);
}

static void
on_incoming(void *arg, const struct incoming_rec *rec)
{
	struct in_view *iv = arg;
	const struct rpt_report *r = &rec->r;
	json_object *pols = NULL;
	int counted = 0;

	if (iv->domain == NULL && r->npolicies == 0)
		return;

	for (size_t i = 0; i < r->npolicies; i++) {
		const struct rpt_policy *p = &r->policies[i];
		struct in_row *row;

		if (iv->domain && strcmp(p->domain, iv->domain) != 0)
			continue;
		if (!counted) {
			counted = 1;
			iv->reports++;
			if (iv->list && json_object_array_length(iv->list) < IN_REPORTS_MAX) {
				json_object_array_add(iv->list, incomingjson_report(rec, &pols));
			} else if (iv->list)
				iv->reports_left_out++;
		}
		iv->ok += p->successes;
		iv->fail += p->failures;
		if ((row = in_row_of(iv, p->domain, r->org)) != NULL) {
			if (row->seen != iv->reports) {
				row->seen = iv->reports;
				row->reports++;
			}
			row->ok += p->successes;
			row->fail += p->failures;
			for (size_t j = 0; j < p->nresults; j++)
				in_type_add(row, p->results[j].type, p->results[j].count);
		}
		if (pols) {
			json_object *po = incomingjson_policy(p);

			if (iv->details) {
				json_object *fd = json_object_new_array();

				in_details(iv->d, r->day, r->org, r->id, p->domain, fd);
				json_object_object_add(po, "failure-details", fd);
			}
			json_object_array_add(pols, po);
		}
		if (iv->list == NULL) {
			struct in_latest *l = &iv->latest[iv->nlatest++ % IN_LATEST];

			memcpy(l->day, r->day, sizeof(l->day));
			text_copy(l->org, sizeof(l->org), r->org);
			text_copy(l->id, sizeof(l->id), r->id);
			text_copy(l->domain, sizeof(l->domain), p->domain);
			text_copy(l->mx, sizeof(l->mx), p->mx);
			text_copy(l->via, sizeof(l->via), rec->via);
			l->ok = p->successes;
			l->fail = p->failures;
		}
	}
}

/* in_worst_first - the highest failure rate first, then the most
 * failures, then by domain and organization */
static int
in_worst_first(const void *a, const void *b)
{
	const struct in_row *x = *(struct in_row *const *)a, *y = *(struct in_row *const *)b;
	double rx = x->fail ? (double)x->fail / (double)(x->ok + x->fail) : 0;
	double ry = y->fail ? (double)y->fail / (double)(y->ok + y->fail) : 0;
	int c;

	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (x->fail != y->fail)
		return x->fail > y->fail ? -1 : 1;
	if ((c = strcmp(x->domain, y->domain)) != 0)
		return c;
	return strcmp(x->org, y->org);
}

static int
in_type_most(const void *a, const void *b)
{
	const struct rpt_result *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->type, y->type);
}

/* in_read - the reports of the days from..to (YYYY-MM-DD, to included,
 * at most IN_DAYS_MAX) into iv */
static void
in_read(struct in_view *iv, time_t to, int days)
{
	iv->map = strmap_new();
	decision_daystr(to - (time_t)(days - 1) * 86400, iv->from);
	decision_daystr(to, iv->to);
	for (int i = days - 1; i >= 0; i--) {
		char day[11];

		decision_daystr(to - (time_t)i * 86400, day);
		if (incoming_foreach(iv->d->store, day, on_incoming, iv) < 0) {
			iv->error = 1;
			break;
		}
	}
	if (iv->n > 1)
		qsort(iv->v, iv->n, sizeof(struct in_row *), in_worst_first);
	for (size_t i = 0; i < iv->n; i++)
		qsort(iv->v[i]->types, iv->v[i]->ntypes, sizeof(iv->v[i]->types[0]), in_type_most);
}

static void
in_free(struct in_view *iv)
{
	strmap_free(iv->map, free);
	free(iv->v);
}

/* html_details - the first failure details of a latest report, from
 * its JSON as received */
static void
html_details(struct buf *out, struct daemon *d, const struct in_latest *l)
{
	json_object *arr = json_object_new_array();
	size_t n;

	in_details(d, l->day, l->org, l->id, l->domain, arr);
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n && i < 3; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;

		buf_puts(out, i ? "<br>" : "");
		if (json_object_object_get_ex(e, "result-type", &v))
			html(out, json_object_get_string(v));
		if (json_object_object_get_ex(e, "failed-session-count", &v))
			buf_printf(out, " %lld", (long long)json_object_get_int64(v));
		if (json_object_object_get_ex(e, "receiving-mx-hostname", &v)) {
			buf_puts(out, " ");
			html(out, json_object_get_string(v));
		}
		if (json_object_object_get_ex(e, "failure-reason-code", &v)) {
			buf_puts(out, ": ");
			html(out, json_object_get_string(v));
		}
	}
	if (n > 3)
		buf_printf(out, "<br>and %zu more", n - 3);
	json_object_put(arr);
}

static void
html_incoming(struct buf *out, struct daemon *d, struct in_view *iv)
{
	buf_puts(out, "<h2 id=\"incoming\">Reports received about our domains</h2>\n<p>");
	buf_printf(out, "TLSRPT reports whose date-range starts from %s to %s.", iv->from, iv->to);
	if (iv->error) {
		buf_puts(out, " The store is not readable now (lent to a client?).</p>\n");
		return;
	}
	if (iv->reports == 0) {
		buf_puts(out, " None received.</p>\n");
		return;
	}
	buf_printf(out, " %llu report%s: %llu sessions, %llu failed (%.1f%%).</p>\n",
	    (unsigned long long)iv->reports, iv->reports == 1 ? "" : "s",
	    (unsigned long long)iv->ok + iv->fail, (unsigned long long)iv->fail,
	    100 * rate(iv->ok, iv->fail));
	buf_puts(out, "<table class=\"incoming\"><tr><th>our domain</th><th>reporting organization</th>"
	    "<th>reports</th><th>sessions</th><th>failed</th><th>failure rate</th>"
	    "<th>failures by result type</th></tr>\n");
	for (size_t i = 0; i < iv->n && i < IN_ROWS_SHOWN; i++) {
		const struct in_row *row = iv->v[i];

		buf_printf(out, "<tr%s><td>", row->fail ? " class=\"bad\"" : "");
		html(out, row->domain);
		buf_puts(out, "</td><td>");
		html(out, row->org);
		buf_printf(out, "</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%.1f%%</td><td>",
		    (unsigned long long)row->reports, (unsigned long long)row->ok + row->fail,
		    (unsigned long long)row->fail, 100 * rate(row->ok, row->fail));
		for (size_t j = 0; j < row->ntypes; j++) {
			buf_puts(out, j ? ", " : "");
			html(out, row->types[j].type);
			buf_printf(out, " %llu", (unsigned long long)row->types[j].count);
		}
		buf_puts(out, "</td></tr>\n");
	}
	buf_puts(out, "</table>\n");
	if (iv->n > IN_ROWS_SHOWN || iv->rows_left_out)
		buf_printf(out, "<p>More rows not shown: see /api/v1/incoming.</p>\n");
	buf_puts(out, "<h3>Latest reports</h3>\n<table class=\"latest\"><tr><th>day</th>"
	    "<th>organization</th><th>report-id</th><th>our domain</th><th>mx-host</th>"
	    "<th>sessions</th><th>failed</th><th>failures (MX host: reason)</th><th>via</th></tr>\n");
	for (size_t k = 0; k < IN_LATEST && k < iv->nlatest; k++) {
		/* newest first */
		const struct in_latest *l = &iv->latest[(iv->nlatest - 1 - k) % IN_LATEST];

		buf_printf(out, "<tr%s><td>", l->fail ? " class=\"bad\"" : "");
		html(out, l->day);
		buf_puts(out, "</td><td>");
		html(out, l->org);
		buf_puts(out, "</td><td>");
		html(out, l->id);
		buf_puts(out, "</td><td>");
		html(out, l->domain);
		buf_puts(out, "</td><td>");
		html(out, l->mx);
		buf_printf(out, "</td><td>%llu</td><td>%llu</td><td>", (unsigned long long)l->ok + l->fail,
		    (unsigned long long)l->fail);
		if (l->fail)
			html_details(out, d, l);
		buf_puts(out, "</td><td>");
		html(out, l->via);
		buf_puts(out, "</td></tr>\n");
	}
	buf_puts(out, "</table>\n");
}

static void
days_now(char today[11], char yesterday[11])
{
	time_t now = time(NULL);

	decision_daystr(now, today);
	decision_daystr(now - 86400, yesterday);
}

static unsigned
page_html(struct daemon *d, struct buf *out)
{
	struct day_sessions ds[2];
	struct deliveries dl;
	char today[11], yesterday[11], t[32], v[256];
	unsigned long by_mode[3] = { 0, 0, 0 }, without = 0;
	long long up = (long long)(time(NULL) - d->started);
	struct in_view iv;
	struct buf r;

	days_now(today, yesterday);
	memset(&iv, 0, sizeof(iv));
	iv.d = d;
	in_read(&iv, time(NULL), IN_DAYS);
	day_sessions_read(d, today, &ds[0]);
	day_sessions_read(d, yesterday, &ds[1]);
	deliveries_read(d, &dl);
	series_read(d);
	series_patch(&ds[1]);
	series_patch(&ds[0]);
	if (d->mtasts)
		mtasts_count(d->mtasts, by_mode, &without);
	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>tlspolicyd status</title><style>"
	    "body{font-family:sans-serif;margin:1em 2em;color:#222}"
	    "table{border-collapse:collapse;margin-bottom:1em}"
	    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}"
	    "th{white-space:nowrap}td:first-child{white-space:nowrap}"
	    "tr.bad td{background:#fdd}"
	    "</style></head><body>\n");
	buf_printf(out, "<h1>tlspolicyd %s</h1>\n<table class=\"kv\">\n", PACKAGE_VERSION);
	iso_time(d->started, t);
	html_kv(out, "started", t);
	snprintf(v, sizeof(v), "%lldd %02lld:%02lld:%02lld", up / 86400, up / 3600 % 24, up / 60 % 60,
	    up % 60);
	html_kv(out, "uptime", v);
	html_kv(out, "configuration", d->cfg.source);
	html_endpoints(out, "socketmap", &d->cfg.socketmap_listen);
	html_endpoints(out, "exim", &d->cfg.exim_listen);
	html_endpoints(out, "http", &d->cfg.http_listen);
	html_endpoints(out, "control", &d->cfg.control_socket);
	buf_init(&r, 4096);
	for (size_t i = 0; i < d->cfg.dns_resolver.n; i++)
		buf_printf(&r, "%s%s", i ? ", " : "", d->cfg.dns_resolver.v[i]);
	html_kv(out, "resolver", r.len ? r.data : "from /etc/resolv.conf");
	buf_fini(&r);
	html_kv(out, "resolver validates DNSSEC", dnssec_state(v, sizeof(v)));
	html_kv(out, "MTA-STS", d->cfg.mta_sts ? "on" : "off");
	html_kv(out, "DANE", d->cfg.dane ? "on" : "off");
	snprintf(v, sizeof(v), "%zu entries", localpolicy_count(d->local));
	html_kv(out, "local policy table", d->cfg.local_policy_file[0] ? v : "none");
	html_kv(out, "store", store_is_open(d->store) ? "open" : "not open (lent or failed)");
	buf_puts(out, "</table>\n<h2>MTA-STS policy cache</h2>\n<table>"
	    "<tr><th>enforce</th><th>testing</th><th>none</th><th>no policy</th></tr>\n");
	buf_printf(out, "<tr><td>%lu</td><td>%lu</td><td>%lu</td><td>%lu</td></tr>\n</table>\n",
	    by_mode[STS_MODE_ENFORCE], by_mode[STS_MODE_TESTING], by_mode[STS_MODE_NONE], without);
	html_day(out, "Today", &ds[0]);
	html_day(out, "Yesterday", &ds[1]);
	html_chart(out);
	html_reports(out, &dl);
	html_incoming(out, d, &iv);
	buf_puts(out, "<p>Also: <a href=\"/metrics\">/metrics</a>, "
	    "<a href=\"/api/v1/status\">/api/v1/status</a>, "
	    "<a href=\"/api/v1/reports\">/api/v1/reports</a>, "
	    "<a href=\"/api/v1/incoming\">/api/v1/incoming</a>.</p>\n</body></html>\n");
	in_free(&iv);
	day_sessions_free(&ds[0]);
	day_sessions_free(&ds[1]);
	free(dl.v);
	return out->len + 1 >= out->max ? 500 : 200;
}

/* --- JSON ----------------------------------------------------------------- */

static json_object *
json_day(const struct day_sessions *ds)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "day", jsontext(ds->day));
	json_object_object_add(o, "sessions", json_object_new_int64((int64_t)(ds->ok + ds->fail)));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)ds->fail));
	for (size_t i = 0; i < ds->n && i < DOMAINS_SHOWN; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "domain", jsontext(ds->v[i]->domain));
		json_object_object_add(e, "sessions",
		    json_object_new_int64((int64_t)(ds->v[i]->ok + ds->v[i]->fail)));
		json_object_object_add(e, "failures", json_object_new_int64((int64_t)ds->v[i]->fail));
		json_object_object_add(e, "failure-rate",
		    json_object_new_double(rate(ds->v[i]->ok, ds->v[i]->fail)));
		if (ds->v[i]->top_n > 0) {
			json_object *t = json_object_new_object();

			json_object_object_add(t, "result-type", jsontext(ds->v[i]->top_result));
			json_object_object_add(t, "receiving-mx-hostname", jsontext(ds->v[i]->top_mx));
			json_object_object_add(t, "failure-reason-code", jsontext(ds->v[i]->top_reason));
			json_object_object_add(t, "failed-session-count",
			    json_object_new_int64((int64_t)ds->v[i]->top_n));
			json_object_object_add(e, "most-frequent-failure", t);
		}
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "domains", a);
	json_object_object_add(o, "domains-left-out", json_object_new_int64(ds->n > DOMAINS_SHOWN
	    ? (int64_t)(ds->n - DOMAINS_SHOWN) : 0));
	return o;
}

static json_object *
json_endpoints(const struct settings_endpoints *l)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < l->n; i++)
		json_object_array_add(a, jsontext(l->v[i].text));
	return a;
}

static json_object *
json_delivery(const struct delivery_row *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "day", jsontext(r->day));
	json_object_object_add(o, "domain", jsontext(r->domain));
	json_object_object_add(o, "uri", jsontext(r->uri));
	json_object_object_add(o, "state", jsontext(state_name(r->dv.state)));
	json_object_object_add(o, "attempts", json_object_new_int64(r->dv.attempts));
	json_object_object_add(o, "first-attempt", json_object_new_int64((int64_t)r->dv.first));
	json_object_object_add(o, "last-attempt", json_object_new_int64((int64_t)r->dv.last));
	json_object_object_add(o, "next-attempt", json_object_new_int64((int64_t)r->dv.next));
	json_object_object_add(o, "error", jsontext(r->dv.error));
	return o;
}

/* json_out - o into out (o is freed); 500 if it did not fit */
static unsigned
json_out(json_object *o, unsigned code, struct buf *out)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
	    | JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = buf_puts(out, s ? s : "null");

	json_object_put(o);
	if (rc < 0 || buf_puts(out, "\n") < 0) {
		buf_reset(out);
		buf_puts(out, "{\"error\":\"response too large\"}\n");
		return 500;
	}
	return code;
}

static unsigned
json_error(struct buf *out, unsigned code, const char *why)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", jsontext(why));
	return json_out(o, code, out);
}

static unsigned
api_status(struct daemon *d, struct buf *out)
{
	json_object *o = json_object_new_object(), *l = json_object_new_object();
	json_object *r = json_object_new_object(), *a, *c = json_object_new_object();
	struct day_sessions ds[2];
	struct deliveries dl;
	char today[11], yesterday[11], v[256];
	unsigned long by_mode[3] = { 0, 0, 0 }, without = 0;

	days_now(today, yesterday);
	day_sessions_read(d, today, &ds[0]);
	day_sessions_read(d, yesterday, &ds[1]);
	deliveries_read(d, &dl);
	series_read(d);
	series_patch(&ds[1]);
	series_patch(&ds[0]);
	json_object_object_add(o, "version", jsontext(PACKAGE_VERSION));
	json_object_object_add(o, "started", json_object_new_int64((int64_t)d->started));
	json_object_object_add(o, "uptime-seconds", json_object_new_int64((int64_t)(time(NULL)
	    - d->started)));
	json_object_object_add(l, "socketmap", json_endpoints(&d->cfg.socketmap_listen));
	json_object_object_add(l, "exim", json_endpoints(&d->cfg.exim_listen));
	json_object_object_add(l, "http", json_endpoints(&d->cfg.http_listen));
	json_object_object_add(l, "control", json_endpoints(&d->cfg.control_socket));
	json_object_object_add(o, "listeners", l);
	a = json_object_new_array();
	for (size_t i = 0; i < d->cfg.dns_resolver.n; i++)
		json_object_array_add(a, jsontext(d->cfg.dns_resolver.v[i]));
	json_object_object_add(r, "servers", a);
	json_object_object_add(r, "dnssec", jsontext(dnssec_state(v, sizeof(v))));
	json_object_object_add(o, "resolver", r);
	if (d->mtasts)
		mtasts_count(d->mtasts, by_mode, &without);
	json_object_object_add(c, "enforce", json_object_new_int64((int64_t)by_mode[STS_MODE_ENFORCE]));
	json_object_object_add(c, "testing", json_object_new_int64((int64_t)by_mode[STS_MODE_TESTING]));
	json_object_object_add(c, "none", json_object_new_int64((int64_t)by_mode[STS_MODE_NONE]));
	json_object_object_add(c, "no-policy", json_object_new_int64((int64_t)without));
	json_object_object_add(o, "mta-sts-cache", c);
	json_object_object_add(o, "store-open", json_object_new_boolean(store_is_open(d->store)));
	json_object_object_add(o, "today", json_day(&ds[0]));
	json_object_object_add(o, "yesterday", json_day(&ds[1]));
	a = json_object_new_array();
	for (size_t i = 0; i < series.n; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "day", jsontext(series.v[i].day));
		json_object_object_add(e, "sessions", json_object_new_int64((int64_t)(series.v[i].ok
		    + series.v[i].fail)));
		json_object_object_add(e, "failures", json_object_new_int64((int64_t)series.v[i].fail));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "days", a);
	r = json_object_new_object();
	json_object_object_add(r, "last-attempt", json_object_new_int64((int64_t)dl.last));
	json_object_object_add(r, "day", jsontext(dl.last_day));
	a = json_object_new_array();
	for (size_t i = 0; i < dl.n; i++)
		if (strcmp(dl.v[i].day, dl.last_day) == 0)
			json_object_array_add(a, json_delivery(&dl.v[i]));
	json_object_object_add(r, "deliveries", a);
	json_object_object_add(o, "reports", r);
	day_sessions_free(&ds[0]);
	day_sessions_free(&ds[1]);
	free(dl.v);
	return json_out(o, 200, out);
}

/* describe_json - "name: value" lines into an object */
static void
describe_json(json_object *o, const struct buf *lines)
{
	const char *p = lines->data, *end;

	if (p == NULL)
		return;
	end = p + lines->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(e - p));
		char name[64];

		if (colon && (size_t)(colon - p) < sizeof(name)) {
			const char *val = colon + 1;

			memcpy(name, p, (size_t)(colon - p));
			name[colon - p] = '\0';
			while (val < e && *val == ' ')
				val++;
			json_object_object_add(o, name, jsontext_new(val, (size_t)(e - val)));
		}
		p = nl ? nl + 1 : end;
	}
}

/* policy_json - the answer res and why, with what the caches hold */
static unsigned
policy_json(struct daemon *d, const struct resolve_result *res, struct buf *out)
{
	json_object *o = json_object_new_object();
	struct buf lines;

	json_object_object_add(o, "domain", jsontext(res->domain));
	json_object_object_add(o, "reply", jsontext(res->status == RESOLVE_OK ? "OK" : "NOTFOUND"));
	json_object_object_add(o, "answer", res->status == RESOLVE_OK && res->answer
	    ? jsontext(res->answer) : NULL);
	json_object_object_add(o, "reason", jsontext(res->why));
	buf_init(&lines, 65536);
	if (d->dane)
		dane_describe(d->dane, res->domain, &lines);
	if (d->mtasts)
		mtasts_describe(d->mtasts, res->domain, &lines);
	describe_json(o, &lines);
	buf_fini(&lines);
	return json_out(o, 200, out);
}

/* a policy answer waiting for its domain's first resolution */
struct webstatus_wait {
	struct daemon *d;
	struct lookup_wait *lw;
	struct webstatus_req req;    /* done and ctx */
};

static void
on_policy(void *arg, const struct resolve_result *res)
{
	struct webstatus_wait *w = arg;
	struct buf page;
	unsigned code;

	buf_init(&page, 1 << 20);
	code = policy_json(w->d, res, &page);
	w->req.done(w->req.ctx, code, CT_JSON, &page);
	buf_fini(&page);
	free(w);
}

void
webstatus_cancel(struct webstatus_wait *w)
{
	if (w == NULL)
		return;
	lookup_cancel(w->lw);
	free(w);
}

/*
 * api_policy - the answer for a domain, and why, as "tlspolicyctl query":
 * a domain no source has cached is resolved (as a socketmap lookup would
 * do), and the answer waits for it, at most lookup_timeout, without
 * holding up the loop.
 */
static unsigned
api_policy(struct daemon *d, struct webstatus_req *req, const char *key, struct buf *out)
{
	struct resolve_result res;
	struct webstatus_wait *w;
	char name[DOMAIN_MAX + 1];

	if (key == NULL || domain_normalize(key, strlen(key), name, NULL) != DOMAIN_OK)
		return json_error(out, 400, "not a domain name");
	w = xcalloc(1, sizeof(*w));
	w->d = d;
	w->req = *req;
	memset(&res, 0, sizeof(res));
	w->lw = lookup_start(d, RESOLVE_MAP_POSTFIX, name, strlen(name), 1, &res, on_policy, w);
	if (w->lw != NULL) {
		req->wait = w;
		return WEBSTATUS_PENDING;
	}
	free(w);
	return policy_json(d, &res, out);
}

struct results_ctx {
	json_object *out;
	json_object *cur;            /* the group being filled */
	json_object *details;
	struct result_rec key;
	uint64_t ok, fail;
	size_t groups;
};

static void
results_flush(struct results_ctx *c)
{
	if (c->cur == NULL)
		return;
	json_object_object_add(c->cur, "total-successful-session-count",
	    json_object_new_int64((int64_t)c->ok));
	json_object_object_add(c->cur, "total-failure-session-count",
	    json_object_new_int64((int64_t)c->fail));
	json_object_object_add(c->cur, "failure-details", c->details);
	json_object_array_add(c->out, c->cur);
	c->cur = c->details = NULL;
	c->ok = c->fail = 0;
}

static void
on_result(void *arg, const struct result_rec *r, uint64_t n)
{
	struct results_ctx *c = arg;

	if (c->cur == NULL || strcmp(c->key.domain, r->domain) != 0
	    || strcmp(c->key.ptype, r->ptype) != 0 || strcmp(c->key.pkey, r->pkey) != 0) {
		results_flush(c);
		if (c->groups++ >= RESULT_GROUPS_MAX)
			return;
		c->key = *r;
		c->cur = json_object_new_object();
		c->details = json_object_new_array();
		json_object_object_add(c->cur, "day", jsontext(r->day));
		json_object_object_add(c->cur, "domain", jsontext(r->domain));
		json_object_object_add(c->cur, "policy-type", jsontext(r->ptype));
		json_object_object_add(c->cur, "policy-key", jsontext(r->pkey));
	}
	if (r->failure) {
		c->fail += n;
		json_object_array_add(c->details, report_detail_json(r->result, r->sendip, r->mx,
		    r->rip, r->reason, n));
	} else
		c->ok += n;
}

static unsigned
api_results(struct daemon *d, const char *day, struct buf *out)
{
	struct results_ctx c;
	char today[11], yesterday[11];

	days_now(today, yesterday);
	if (strcmp(day, "today") == 0)
		day = today;
	else if (strcmp(day, "yesterday") == 0)
		day = yesterday;
	else if (strlen(day) != 10 || strspn(day, "0123456789-") != 10 || day[4] != '-'
	    || day[7] != '-')
		return json_error(out, 400, "expected a day YYYY-MM-DD, today or yesterday");
	memset(&c, 0, sizeof(c));
	c.out = json_object_new_array();
	if (results_foreach(d->store, day, on_result, &c) < 0) {
		results_flush(&c);
		json_object_put(c.out);
		return json_error(out, 503, store_strerror(d->store));
	}
	results_flush(&c);
	return json_out(c.out, 200, out);
}

static unsigned
api_reports(struct daemon *d, struct buf *out)
{
	struct deliveries dl;
	json_object *o, *a;

	deliveries_read(d, &dl);
	if (dl.error)
		return json_error(out, 503, store_strerror(d->store));
	o = json_object_new_object();
	a = json_object_new_array();
	for (size_t i = 0; i < dl.n; i++)
		json_object_array_add(a, json_delivery(&dl.v[i]));
	json_object_object_add(o, "last-attempt", json_object_new_int64((int64_t)dl.last));
	json_object_object_add(o, "deliveries", a);
	json_object_object_add(o, "left-out", json_object_new_boolean(dl.more));
	free(dl.v);
	return json_out(o, 200, out);
}

static json_object *
json_in_row(const struct in_row *row)
{
	json_object *o = json_object_new_object(), *t = json_object_new_object();

	json_object_object_add(o, "policy-domain", jsontext(row->domain));
	json_object_object_add(o, "organization-name", jsontext(row->org));
	json_object_object_add(o, "reports", json_object_new_int64((int64_t)row->reports));
	json_object_object_add(o, "total-session-count", json_object_new_int64((int64_t)(row->ok
	    + row->fail)));
	json_object_object_add(o, "total-failure-session-count", json_object_new_int64((int64_t)row->fail));
	json_object_object_add(o, "failure-rate", json_object_new_double(rate(row->ok, row->fail)));
	for (size_t i = 0; i < row->ntypes; i++)
		json_object_object_add(t, row->types[i].type,
		    json_object_new_int64((int64_t)row->types[i].count));
	json_object_object_add(o, "failures-by-result-type", t);
	return o;
}

/* api_incoming - ?day=YYYY-MM-DD or ?days=N, and ?domain=D */
static unsigned
api_incoming(struct daemon *d, struct webstatus_req *req, struct buf *out)
{
	const char *day = req->arg(req->ctx, "day"), *days = req->arg(req->ctx, "days");
	const char *dom = req->arg(req->ctx, "domain");
	char name[DOMAIN_MAX + 1];
	struct in_view iv;
	json_object *o, *a;
	time_t to = time(NULL);
	int n = IN_DAYS;

	memset(&iv, 0, sizeof(iv));
	iv.d = d;
	if (dom) {
		if (domain_normalize(dom, strlen(dom), name, NULL) != DOMAIN_OK)
			return json_error(out, 400, "domain: not a domain name");
		iv.domain = name;
	}
	if (day && days)
		return json_error(out, 400, "day or days, not both");
	if (day) {
		if ((to = day_time(day)) < 0)
			return json_error(out, 400, "day: expected YYYY-MM-DD");
		n = 1;
		iv.details = 1;
	} else if (days) {
		uint64_t v;

		if (numparse_uint(days, strlen(days), IN_DAYS_MAX, &v) < 0 || v < 1)
			return json_error(out, 400, "days: expected a number from 1 to 400");
		n = (int)v;
	}
	iv.list = json_object_new_array();
	in_read(&iv, to, n);
	if (iv.error) {
		json_object_put(iv.list);
		in_free(&iv);
		return json_error(out, 503, store_strerror(d->store));
	}
	o = json_object_new_object();
	json_object_object_add(o, "from", jsontext(iv.from));
	json_object_object_add(o, "to", jsontext(iv.to));
	json_object_object_add(o, "policy-domain", iv.domain ? jsontext(iv.domain) : NULL);
	json_object_object_add(o, "reports-count", json_object_new_int64((int64_t)iv.reports));
	json_object_object_add(o, "total-session-count", json_object_new_int64((int64_t)(iv.ok + iv.fail)));
	json_object_object_add(o, "total-failure-session-count", json_object_new_int64((int64_t)iv.fail));
	a = json_object_new_array();
	for (size_t i = 0; i < iv.n; i++)
		json_object_array_add(a, json_in_row(iv.v[i]));
	json_object_object_add(o, "summary", a);
	json_object_object_add(o, "summary-rows-left-out", json_object_new_int64((int64_t)iv.rows_left_out));
	json_object_object_add(o, "reports", iv.list);
	json_object_object_add(o, "reports-left-out", json_object_new_int64((int64_t)iv.reports_left_out));
	in_free(&iv);
	return json_out(o, 200, out);
}

unsigned
webstatus_page(struct daemon *d, struct webstatus_req *req, struct buf *out, const char **ctype)
{
	const char *url = req->url;

	*ctype = CT_JSON;
	if (strcmp(url, "/") == 0) {
		*ctype = CT_HTML;
		return page_html(d, out);
	}
	if (strcmp(url, "/api/v1/status") == 0)
		return api_status(d, out);
	if (strncmp(url, "/api/v1/policy/", 15) == 0 && url[15] != '\0')
		return api_policy(d, req, url + 15, out);
	if (strcmp(url, "/api/v1/policy") == 0)
		return api_policy(d, req, req->arg(req->ctx, "domain"), out);
	if (strcmp(url, "/api/v1/incoming") == 0)
		return api_incoming(d, req, out);
	if (strncmp(url, "/api/v1/results/", 16) == 0 && url[16] != '\0')
		return api_results(d, url + 16, out);
	if (strcmp(url, "/api/v1/reports") == 0)
		return api_reports(d, out);
	*ctype = CT_TEXT;
	buf_puts(out, "not found: try /, /metrics or /api/v1/status\n");
	return 404;
}
