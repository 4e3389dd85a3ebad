/* Unit tests for tlspolicy/logs/logparse_postfix: limits and hostile bytes
 * (the formats themselves are covered by the golden files). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logparse_postfix.h"
#include "sessions.h"
#include "tap.h"
#include "text.h"
#include "tlsrpt.h"

/*
 * Every field of every line of interest, in turn, filled with hostile
 * bytes: each '$' of a template is one field, its usual value in vals.
 */
static const struct tmpl {
	enum logparse_kind kind;
	const char *line;
	const char *vals[9];
} tmpls[] = {
	{ LOGPARSE_TLS, "Mar 10 09:14:02 $ $/smtp[7]: Verified TLS connection established to $[$]:25: $ with cipher X",
	  { "mta1", "postfix", "mx.b.example", "192.0.2.1", "TLSv1.3" } },
	{ LOGPARSE_VERIFY, "Mar 10 09:14:02 $ $/smtp[7]: server certificate verification failed for $[$]:25: $",
	  { "mta1", "postfix", "mx.b.example", "2001:db8::1", "num=62:hostname mismatch" } },
	{ LOGPARSE_SSL_ERROR, "Mar 10 09:14:02 $ $/smtp[7]: SSL_connect error to $[$]:25: $",
	  { "mta1", "postfix", "mx.b.example", "192.0.2.1", "lost connection" } },
	{ LOGPARSE_STATUS, "Mar 10 09:14:02 $ $/smtp[7]: 4B7E21C0F5A: to=<$@b.example>, relay=$[$]:25, "
	  "delay=1, dsn=$, status=$ ($)",
	  { "mta1", "postfix", "a", "mx.b.example", "192.0.2.1", "4.7.5", "deferred", "Server certificate not verified" } },
	{ LOGPARSE_STATUS, "Mar 10 09:14:02 mta1 postfix/smtp[7]: 4B7E21C0F5A: to=<a@b.example>, relay=mx[192.0.2.1]:25, "
	  "dsn=4.7.5, status=$ ($)", { "deferred", "Server certificate not verified" } },
	{ LOGPARSE_QUEUE_REASON, "Mar 10 09:14:02 $ $/smtp[7]: 4B7E21C0F5A: TLS is required, but was not offered by host $[$]$",
	  { "mta1", "postfix", "mx.b.example", "192.0.2.1", "" } },
	{ LOGPARSE_FROM, "Mar 10 09:14:02 $ $/qmgr[7]: 4B7E21C0F5A: from=<$@x.example>, size=1",
	  { "mta1", "postfix", "r" } },
	{ LOGPARSE_TLSRPT, "Mar 10 09:14:02 $ $/smtp[7]: TLSRPT: status=$, domain=b.example, receiving_mx=$[$], "
	  "failure_type=$, failure_reason=$",
	  { "mta1", "postfix", "failure", "mx.b.example", "192.0.2.1", "certificate_expired", "r" } },
	{ LOGPARSE_POLICY, "Mar 10 09:14:02 $ $/smtp[7]: warning: TLS policy lookup for b.example/$: $",
	  { "mta1", "postfix", "mx.b.example", "non DNSSEC destination" } },
	{ LOGPARSE_TLS, "2025-03-10T09:14:02.5+01:00 $ $/smtp[7]: Trusted TLS connection reused to $[$]:25: $ x",
	  { "mta1", "postfix-out", "mx.b.example", "192.0.2.1", "TLSv1.2" } },
	{ LOGPARSE_STATUS, "<22>1 2025-03-10T09:14:02Z $ $/smtp 7 - - 4B7E21C0F5A: to=<$@b.example>, relay=$[$]:25, "
	  "dsn=4.7.5, status=deferred ($)",
	  { "mta1", "postfix", "a", "mx.b.example", "192.0.2.1", "Cannot start TLS: handshake failure" } },
	/* the server side */
	{ LOGPARSE_IN_SSL_ERROR, "Mar 10 09:14:02 $ $/smtpd[8]: SSL_accept error from $[$]: $",
	  { "mx1", "postfix", "client.example", "192.0.2.9", "-1" } },
	{ LOGPARSE_TLS_PROBLEM, "Mar 10 09:14:02 $ $/smtpd[8]: warning: TLS library problem: $",
	  { "mx1", "postfix", "error:0A000418:SSL routines::tlsv1 alert unknown ca:x:SSL alert number 48:" } },
	{ LOGPARSE_IN_DISCONNECT, "Mar 10 09:14:02 $ $/smtpd[8]: disconnect from $[$] ehlo=1 starttls=0/1 commands=1/2",
	  { "mx1", "postfix", "client.example", "192.0.2.9" } },
	{ LOGPARSE_IN_TLS, "Mar 10 09:14:02 $ $/submission/smtpd[8]: Anonymous TLS connection established from $[$]: $ with x",
	  { "mx1", "postfix", "client.example", "192.0.2.9", "TLSv1.3" } },
	{ LOGPARSE_IN_TLS, "Mar 10 09:14:02 $ $/tlsproxy[9]: Anonymous TLS connection established from $[$]:25: $ with x",
	  { "mx1", "postfix", "client.example", "192.0.2.9", "TLSv1.3" } },
};

static const char *const hostile[] = {
	"\xff", "x\xfe\x79", "\xc0\xaf", "\xe0\x80\xaf", "\xe2\x82", "a\xf0\x9f\x98", "\xed\xa0\x80",
	"\xf4\x90\x80\x80", "\x01", "\x7f", "\x1b[2J\x1b[H", "x\ry", "\xc2\x85", "mx.\xff.evil.example",
	"\xc3\xa9\xe2\x82", "\t",
};

static int outcome_bad, outcome_n;

/* addr_ok, peer_ok - the field checks of logparse_postfix.h */
static int
addr_ok(const char *a)
{
	unsigned char bin[16];

	return a[0] == '\0' || inet_pton(AF_INET, a, bin) == 1 || inet_pton(AF_INET6, a, bin) == 1;
}

static int
peer_ok(const char *p)
{
	return p[0] == '\0' || domain_valid(p) || addr_ok(p);
}

static int
clean(const char *s)
{
	return text_clean_len(s, strlen(s));
}

static void
check_outcome(void *arg, const struct session_outcome *o)
{
	(void)arg;
	outcome_n++;
	if (!clean(o->host) || !clean(o->domain) || !peer_ok(o->mx) || !addr_ok(o->addr)
	    || !clean(o->reason) || (!o->success && !tlsrpt_result_type(o->result_type))) {
		tap_diag("bad outcome: mx=%s addr=%s type=%s", o->mx, o->addr, o->result_type);
		outcome_bad++;
	}
}

/* fill - the template with field k replaced by bad (k < 0: none) */
static size_t
fill(const struct tmpl *t, int k, const char *bad, char *out, size_t outlen)
{
	size_t o = 0;
	int f = 0;

	for (const char *c = t->line; *c && o + 64 < outlen; c++) {
		if (*c == '$') {
			const char *v = f == k ? bad : t->vals[f];

			o += (size_t)snprintf(out + o, outlen - o, "%s", v ? v : "");
			f++;
		} else {
			out[o++] = *c;
		}
	}
	out[o] = '\0';
	return o;
}

static int
fields(const struct tmpl *t)
{
	int n = 0;

	for (const char *c = t->line; *c; c++)
		n += *c == '$';
	return n;
}

static int
event_ok(const struct logparse_event *ev)
{
	return clean(ev->host) && clean(ev->syslog_name) && clean(ev->service) && clean(ev->queue_id)
	    && peer_ok(ev->peer) && addr_ok(ev->addr) && clean(ev->protocol) && clean(ev->rcpt)
	    && clean(ev->domain) && clean(ev->dsn) && clean(ev->status) && clean(ev->text);
}

static void
hostile_fields(void)
{
	struct logparse_event ev;
	char line[1024];
	struct sessions *ss = sessions_new(check_outcome, NULL);
	int attempts = 0;

	for (size_t i = 0; i < sizeof(tmpls) / sizeof(tmpls[0]); i++) {
		const struct tmpl *t = &tmpls[i];
		int bad = 0, n = fields(t);
		size_t len = fill(t, -1, NULL, line, sizeof(line));

		is_int(logparse_postfix(line, len, 1741600000, &ev), t->kind, "template %zu parses as %s",
		    i, logparse_kind_name(t->kind));
		for (int k = 0; k < n; k++)
			for (size_t h = 0; h < sizeof(hostile) / sizeof(hostile[0]); h++) {
				len = fill(t, k, hostile[h], line, sizeof(line));
				logparse_postfix(line, len, 1741600000, &ev);
				if (!event_ok(&ev)) {
					tap_diag("template %zu field %d payload %zu: peer=%s addr=%s text=%s", i, k, h,
					    ev.peer, ev.addr, ev.text);
					bad++;
				}
				sessions_feed(ss, &ev);
				/* end the attempt with a status line */
				len = fill(&tmpls[4], -1, NULL, line, sizeof(line));
				logparse_postfix(line, len, 1741600000, &ev);
				sessions_feed(ss, &ev);
				attempts++;
			}
		ok(n > 0 && bad == 0, "template %zu: each of %d fields with %zu hostile values: fields valid or empty",
		    i, n, sizeof(hostile) / sizeof(hostile[0]));
	}
	sessions_free(ss);
	/* outcomes checked, not none (a hostile queue ID or process leaves
	 * its attempt without one) */
	ok(outcome_n > 0, "%d of the %d attempts reach a session outcome", outcome_n, attempts);
	is_int(outcome_bad, 0, "and every session outcome of them is clean");
}

/* incoming - smtpd's and tlsproxy's server-side lines, and the smtpd lines
 * told OTHER from their first words */
static void
incoming(void)
{
	static const struct {
		const char *line;
		enum logparse_kind kind;
		unsigned ok, tries;
		const char *text;
	} cases[] = {
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9] ehlo=2 starttls=1 mail=1 quit=1 commands=5",
		  LOGPARSE_IN_DISCONNECT, 1, 1, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9] ehlo=1 starttls=0/1 commands=1/2",
		  LOGPARSE_IN_DISCONNECT, 0, 1, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9] ehlo=1 quit=1 commands=2",
		  LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9]", LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9] starttls=2/1", LOGPARSE_SKIP, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9] starttls=x", LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9] starttls=99999/1", LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9] starttls=1/", LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from a[192.0.2.9 starttls=1", LOGPARSE_SKIP, 0, 0, "" },
		/* a name of the client cannot fake the counts: they follow "H[A]" */
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: disconnect from starttls=1[192.0.2.9] ehlo=1 commands=1",
		  LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: SSL_accept error from a[192.0.2.9]: lost connection",
		  LOGPARSE_IN_SSL_ERROR, 0, 0, "lost connection" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: SSL_accept error from a[192.0.2.9]", LOGPARSE_SKIP, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: lost connection after STARTTLS from a[192.0.2.9]",
		  LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: connect from a[192.0.2.9]", LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: NOQUEUE: reject: RCPT from a[192.0.2.9]: 554 5.7.1",
		  LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: warning: hostname a does not resolve", LOGPARSE_OTHER, 0, 0, "" },
		/* the client side of smtp keeps its TLS library problems to itself */
		{ "Mar 10 09:14:02 mx1 postfix/smtp[8]: warning: TLS library problem: x", LOGPARSE_OTHER, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/tlsproxy[8]: warning: TLS library problem: x", LOGPARSE_TLS_PROBLEM, 0, 0, "x" },
		{ "Mar 10 09:14:02 mx1 postfix/tlsproxy[8]: SSL_accept error from a[192.0.2.9]:25: -1",
		  LOGPARSE_IN_SSL_ERROR, 0, 0, "-1" },
		/* tlsproxy's client side is still parsed as such */
		{ "Mar 10 09:14:02 mx1 postfix/tlsproxy[8]: Verified TLS connection established to mx.b.example[192.0.2.1]:25: TLSv1.3 x",
		  LOGPARSE_TLS, 0, 0, "" },
		{ "Mar 10 09:14:02 mx1 postfix/smtpd[8]: Verified TLS connection established to mx.b.example[192.0.2.1]:25: TLSv1.3 x",
		  LOGPARSE_OTHER, 0, 0, "" },
	};
	struct logparse_event ev;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum logparse_kind k = logparse_postfix(cases[i].line, strlen(cases[i].line), 1741600000, &ev);

		is_int(k, cases[i].kind, "incoming %zu: %s", i, logparse_kind_name(cases[i].kind));
		if (k == LOGPARSE_IN_DISCONNECT)
			ok(ev.starttls_ok == cases[i].ok && ev.starttls_tries == cases[i].tries,
			    "incoming %zu: starttls=%u/%u", i, ev.starttls_ok, ev.starttls_tries);
		if (k != LOGPARSE_SKIP && k != LOGPARSE_OTHER)
			is_str(ev.text, cases[i].text, "incoming %zu: text", i);
	}
}

/* feed - one line into sessions */
static void
feed(struct sessions *ss, const char *line)
{
	struct logparse_event ev;

	logparse_postfix(line, strlen(line), 1741600000, &ev);
	sessions_feed(ss, &ev);
}

static struct session_outcome last;
static int noutcomes;

static void
keep(void *arg, const struct session_outcome *o)
{
	(void)arg;
	last = *o;
	noutcomes++;
}

static void
tlsrpt_types(void)
{
	static const struct { const char *type, *want_type, *want_reason; } cases[] = {
		{ "certificate_expired", "certificate-expired", "" },
		{ "dane_required, failure_reason=x", "dane-required", "x" },
		{ "bogus_type", "validation-failure", "bogus_type" },
		{ "bogus_type, failure_reason=r\xff", "validation-failure",
		  "bogus_type, failure_reason=r\xef\xbf\xbd" },
		{ "certificate-expired-ish", "validation-failure", "certificate-expired-ish" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sessions *ss = sessions_new(keep, NULL);
		char l[512];

		noutcomes = 0;
		snprintf(l, sizeof(l), "Mar 10 09:14:02 mta1 postfix/smtp[7]: TLSRPT: status=failure, "
		    "domain=b.example, receiving_mx=mx.b.example[192.0.2.1], failure_type=%s", cases[i].type);
		feed(ss, l);
		feed(ss, "Mar 10 09:14:02 mta1 postfix/smtp[7]: Untrusted TLS connection established to "
		    "mx.b.example[192.0.2.1]:25: TLSv1.3 with cipher X");
		feed(ss, "Mar 10 09:14:02 mta1 postfix/smtp[7]: 4B7E21C0F5A: to=<a@b.example>, "
		    "relay=mx.b.example[192.0.2.1]:25, dsn=4.7.5, status=deferred (Server certificate not verified)");
		is_int(noutcomes, 1, "failure_type=%s: one outcome", cases[i].type);
		is_str(last.result_type, cases[i].want_type, "failure_type=%s: result type", cases[i].type);
		is_str(last.reason, cases[i].want_reason, "failure_type=%s: reason", cases[i].type);
		sessions_free(ss);
	}
}

static void
text_cases(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain ascii", "plain ascii" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "\xff", "\xef\xbf\xbd" },
		{ "a\xc0\xaf" "b", "a\xef\xbf\xbd\xef\xbf\xbd" "b" },      /* overlong '/' */
		{ "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },           /* cut short */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },  /* surrogate */
		{ "a\x01" "b\x7f" "c\x1b\rd", "a?b?c??d" },
		{ "\xc2\x85", "?" },                                    /* C1 control */
		{ "a\tb", "a b" },
	};
	char out[64], small[6];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text_clean(out, sizeof(out), cases[i].in, strlen(cases[i].in));
		is_str(out, cases[i].out, "text_clean case %zu", i);
		is_int(text_clean_len(cases[i].in, strlen(cases[i].in)), strcmp(cases[i].in, cases[i].out) == 0,
		    "text_clean_len case %zu", i);
	}
	/* cut at a character boundary, never inside a sequence */
	is_int(text_clean(small, 5, "ab\xe2\x82\xac", 5), 2, "text_clean: no half euro sign");
	is_int(text_clean(small, 6, "ab\xe2\x82\xac", 5), 5, "text_clean: a whole one fits");
	is_int(text_copy(small, sizeof(small), "abcd\xc3\xa9"), 4, "text_copy: no half e-acute");
	is_int(text_copy(small, sizeof(small), "abc\xc3\xa9"), 5, "text_copy: a whole one fits");
}

static void
names(void)
{
	char postfix[] = "postfix", prefix[] = "postfix-*", mta[] = "mta", other[] = "other-*";
	char *def[] = { postfix, prefix }, *two[] = { mta, other };

	ok(logparse_name_match(def, 2, "postfix"), "postfix");
	ok(logparse_name_match(def, 2, "postfix/relay"), "postfix/relay");
	ok(logparse_name_match(def, 2, "postfix-out"), "postfix-out");
	ok(logparse_name_match(def, 2, "postfix-out/relay"), "postfix-out/relay");
	ok(!logparse_name_match(def, 2, "evil"), "not evil");
	ok(!logparse_name_match(def, 2, "postfixevil"), "not postfixevil");
	ok(!logparse_name_match(def, 2, "evil/postfix"), "not evil/postfix");
	ok(logparse_name_match(two, 2, "other-x"), "the second word");
	ok(!logparse_name_match(two, 2, "mtab"), "a word is not a prefix");
	ok(!logparse_name_match(two, 0, "mta"), "no words, no match");
}

static void
hosts(void)
{
	char out[DOMAIN_MAX + 1];

	ok(logparse_host("MX.B.Example.", 13, out) == 0 && strcmp(out, "mx.b.example") == 0,
	    "host: lower case, no trailing dot");
	ok(logparse_host("mx.b\xc3\xbc" "cher.test", 15, out) == 0 && strcmp(out, "mx.xn--bcher-kva.test") == 0,
	    "host: a U-label as its A-label");
	ok(logparse_host("192.0.2.1", 9, out) == 0 && strcmp(out, "192.0.2.1") == 0, "host: a literal address");
	ok(logparse_host("mx.\xef\xbf\xbd.b.test", 12, out) < 0 && out[0] == '\0',
	    "host: U+FFFD (bytes cleaned before) is no name");
	ok(logparse_host("mx.\xff.b.test", 10, out) < 0 && out[0] == '\0', "host: 0xff is no name");
	ok(logparse_host("mx_1.b.test", 11, out) < 0, "host: not LDH");
	ok(logparse_addr("IPv6:2001:db8::1", 16, out, 48) == 0 && strcmp(out, "2001:db8::1") == 0,
	    "addr: IPv6: prefix dropped");
	ok(logparse_addr("192.0.2.1\x7f", 10, out, 48) < 0 && out[0] == '\0', "addr: DEL");
	ok(logparse_addr("2J\x1b[H.evil.example[192.0.2.9", 29, out, 48) < 0, "addr: not an address");
}

int
main(void)
{
	static const char head[] = "Mar 10 09:14:02 mta1 postfix/smtp[1]: 4B7E21C0F5A: "
	    "to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, dsn=2.0.0, status=sent (";
	struct logparse_event ev;
	char *line = malloc(LOGPARSE_LINE_MAX + 2);
	size_t h = sizeof(head) - 1;

	/* a status line of exactly the limit, and one byte more */
	memcpy(line, head, h);
	memset(line + h, 'x', LOGPARSE_LINE_MAX - h - 1);
	line[LOGPARSE_LINE_MAX - 1] = ')';
	is_int(logparse_postfix(line, LOGPARSE_LINE_MAX, 1741600000, &ev), LOGPARSE_STATUS,
	    "line of LOGPARSE_LINE_MAX bytes parsed");
	is_int(strlen(ev.text), sizeof(ev.text) - 1, "long text cut at its field size");
	line[LOGPARSE_LINE_MAX - 1] = 'x';
	line[LOGPARSE_LINE_MAX] = ')';
	is_int(logparse_postfix(line, LOGPARSE_LINE_MAX + 1, 1741600000, &ev), LOGPARSE_SKIP,
	    "line of LOGPARSE_LINE_MAX + 1 bytes skipped whole");
	/* a NUL inside */
	memcpy(line, head, h);
	line[30] = '\0';
	is_int(logparse_postfix(line, h, 1741600000, &ev), LOGPARSE_SKIP, "NUL byte: skipped");
	/* control bytes in the text come out printable */
	{
		const char *l = "Mar 10 09:14:02 mta1 postfix/smtp[1]: 4B7E21C0F5A: Cannot\x01\x1b[31m start";
		is_int(logparse_postfix(l, strlen(l), 1741600000, &ev), LOGPARSE_QUEUE_REASON, "reason line");
		is_str(ev.text, "Cannot??[31m start", "control bytes replaced");
	}
	/* field limits: a peer name over 253 bytes is refused */
	{
		char l[600];
		size_t n = (size_t)snprintf(l, sizeof(l), "Mar 10 09:14:02 mta1 postfix/smtp[1]: Verified TLS connection established to ");
		memset(l + n, 'a', 300);
		memcpy(l + n + 300, "[192.0.2.1]:25: TLSv1.3 with x", 31);
		is_int(logparse_postfix(l, strlen(l), 1741600000, &ev), LOGPARSE_SKIP, "overlong peer name");
	}
	free(line);
	hostile_fields();
	incoming();
	tlsrpt_types();
	text_cases();
	names();
	hosts();
	return tap_done();
}
