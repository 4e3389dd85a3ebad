/* Unit tests for logs of many sending hosts merged into one (central
 * syslog): the same pids and queue IDs on every host, clocks a few
 * seconds apart, lines interleaved out of order, and one host's lines
 * held back for hours (its forwarder queued them while the collector was
 * away) must give exactly the outcomes of each host's own log. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logparse_postfix.h"
#include "sessions.h"
#include "tap.h"

#define HOSTS 3
#define SESSIONS 6000            /* per host, one every 2 s: over 3 hours */
#define LINES_MAX (SESSIONS * 3)
#define BASE 1741597200          /* 2025-03-10T09:00:00Z */

struct hostlog {
	const char *name;
	int skew;                     /* seconds its clock is off */
	char **line;
	time_t *when;
	size_t n, next;
};

/* outcomes as text, to compare as multisets */
struct outs {
	char **v;
	size_t n, cap;
};

static void
keep(void *arg, const struct session_outcome *o)
{
	struct outs *s = arg;
	char b[1024];

	snprintf(b, sizeof(b), "%lld %s %s %s %s %d %d %d %s %s", (long long)o->when, o->host, o->domain,
	    o->mx, o->addr, o->success, o->tls, o->tls ? o->trust : -1, o->result_type, o->reason);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		if ((s->v = realloc(s->v, s->cap * sizeof(*s->v))) == NULL)
			abort();
	}
	if ((s->v[s->n++] = strdup(b)) == NULL)
		abort();
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
outs_free(struct outs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* add - one line of h at time t: fmt with the timestamp, the host, rest */
static void
add(struct hostlog *h, time_t t, const char *fmt, const char *rest)
{
	char stamp[32], b[512];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(b, sizeof(b), fmt, stamp, h->name, rest);
	if ((h->line[h->n] = strdup(b)) == NULL)
		abort();
	h->when[h->n++] = t;
}

/* gen - the host's own log: four kinds of session in turn, the same pids
 * and queue IDs as every other host's */
static void
gen(struct hostlog *h)
{
	char b[400];

	h->line = calloc(LINES_MAX, sizeof(*h->line));
	h->when = calloc(LINES_MAX, sizeof(*h->when));
	if (h->line == NULL || h->when == NULL)
		abort();
	for (int k = 0; k < SESSIONS; k++) {
		time_t t = BASE + 2 * k + h->skew;
		int pid = 100 + k % 4;
		char qid[16], dom[32];

		snprintf(qid, sizeof(qid), "%05X%05X", k, k);
		snprintf(dom, sizeof(dom), "d%d.example", k % 7);
		switch (k % 4) {
		case 0:
			snprintf(b, sizeof(b), "%d]: Verified TLS connection established to mx.%s[192.0.2.1]:25: TLSv1.3 with cipher X", pid, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			snprintf(b, sizeof(b), "%d]: %s: to=<u@%s>, relay=mx.%s[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)", pid, qid, dom, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			break;
		case 1:
			snprintf(b, sizeof(b), "%d]: server certificate verification failed for mx.%s[192.0.2.2]:25: num=62:hostname mismatch", pid, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			snprintf(b, sizeof(b), "%d]: Untrusted TLS connection established to mx.%s[192.0.2.2]:25: TLSv1.3 with cipher X", pid, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			snprintf(b, sizeof(b), "%d]: %s: to=<u@%s>, relay=mx.%s[192.0.2.2]:25, delay=1, dsn=4.7.5, status=deferred (Server certificate not verified)", pid, qid, dom, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			break;
		case 2:
			snprintf(b, sizeof(b), "%d]: %s: TLS is required, but was not offered by host mx1.%s[192.0.2.3]", pid, qid, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			snprintf(b, sizeof(b), "%d]: Verified TLS connection established to mx2.%s[192.0.2.4]:25: TLSv1.3 with cipher X", pid, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			snprintf(b, sizeof(b), "%d]: %s: to=<u@%s>, relay=mx2.%s[192.0.2.4]:25, delay=1, dsn=2.0.0, status=sent (250 ok)", pid, qid, dom, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			break;
		default:
			snprintf(b, sizeof(b), "%d]: %s: to=<u@%s>, relay=mx.%s[192.0.2.5]:25, delay=1, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.%s[192.0.2.5])", pid, qid, dom, dom, dom);
			add(h, t, "%s %s postfix/smtp[%s", b);
			break;
		}
	}
}

static void
feed(struct sessions *s, const char *line)
{
	struct logparse_event ev;

	if (logparse_postfix(line, strlen(line), BASE, &ev) != LOGPARSE_SKIP && ev.kind != LOGPARSE_OTHER)
		sessions_feed(s, &ev);
}

static unsigned long rnd = 12345;

static unsigned
next_rand(void)
{
	rnd = rnd * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rnd >> 33);
}

/* step - the next line of a host chosen at random among those allowed
 * (mask) that have lines left; 0 when none has */
static int
step(struct sessions *s, struct hostlog *h, unsigned mask)
{
	size_t left = 0, pick;
	unsigned r;

	for (int i = 0; i < HOSTS; i++)
		if ((mask >> i & 1) && h[i].next < h[i].n)
			left++;
	if (left == 0)
		return 0;
	r = next_rand();
	pick = r % left;
	for (int i = 0; i < HOSTS; i++) {
		if (!(mask >> i & 1) || h[i].next >= h[i].n)
			continue;
		if (pick-- == 0) {
			/* runs of 1 to 8 lines: syslog batches per sender */
			for (unsigned j = 1 + (r >> 8) % 8; j > 0 && h[i].next < h[i].n; j--)
				feed(s, h[i].line[h[i].next++]);
			return 1;
		}
	}
	return 0;
}

static int
same(struct outs *a, struct outs *b, const char *what)
{
	size_t i;

	qsort(a->v, a->n, sizeof(*a->v), cmp);
	qsort(b->v, b->n, sizeof(*b->v), cmp);
	for (i = 0; i < a->n && i < b->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			break;
	if (i < a->n || i < b->n) {
		tap_diag("%s: %zu and %zu outcomes, first difference: %s / %s", what, a->n, b->n,
		    i < a->n ? a->v[i] : "-", i < b->n ? b->v[i] : "-");
		return 0;
	}
	return 1;
}

int
main(void)
{
	struct hostlog h[HOSTS] = {
		{ .name = "mta1", .skew = 0 }, { .name = "mta2", .skew = 4 }, { .name = "mta3", .skew = -3 },
	};
	struct outs alone = { 0 }, merged = { 0 }, late = { 0 };
	struct sessions *s;
	size_t hold;

	for (int i = 0; i < HOSTS; i++)
		gen(&h[i]);
	/* each host's own log, alone */
	for (int i = 0; i < HOSTS; i++) {
		s = sessions_new(keep, &alone);
		for (size_t j = 0; j < h[i].n; j++)
			feed(s, h[i].line[j]);
		sessions_free(s);
	}
	/* one outcome per session, two for those that failed on a first MX */
	is_int((int)alone.n, HOSTS * (SESSIONS + SESSIONS / 4), "each host alone: one outcome per session");

	/* merged: the same pids and queue IDs on every host, skewed clocks,
	 * interleaved in runs */
	s = sessions_new(keep, &merged);
	while (step(s, h, 7))
		;
	sessions_free(s);
	ok(same(&alone, &merged, "interleaved"), "interleaved hosts with the same pids and queue IDs, skewed clocks: the same outcomes");

	/* late: mta3's lines stop in the middle of a session with state (a
	 * certificate error seen, the status line not yet) and come two and
	 * a half hours of the others' log time later */
	for (int i = 0; i < HOSTS; i++)
		h[i].next = 0;
	for (hold = h[2].n / 6; !strstr(h[2].line[hold - 1], "verification failed"); hold++)
		;
	s = sessions_new(keep, &late);
	while (h[2].next < hold) {
		if (next_rand() % 3 == 0)
			feed(s, h[2].line[h[2].next++]);
		else
			step(s, h, 3);
	}
	while ((h[0].next < h[0].n && h[0].when[h[0].next] < h[2].when[hold] + 9000)
	    || (h[1].next < h[1].n && h[1].when[h[1].next] < h[2].when[hold] + 9000))
		if (!step(s, h, 3))
			break;
	ok(h[0].next < h[0].n, "the other hosts still have lines after the hold");
	while (step(s, h, 7))
		;
	sessions_free(s);
	ok(same(&alone, &late, "late"), "a host's lines held back for hours: still the same outcomes");

	outs_free(&alone);
	outs_free(&merged);
	outs_free(&late);
	for (int i = 0; i < HOSTS; i++) {
		for (size_t j = 0; j < h[i].n; j++)
			free(h[i].line[j]);
		free(h[i].line);
		free(h[i].when);
	}
	return tap_done();
}
