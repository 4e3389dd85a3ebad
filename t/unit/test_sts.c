/* Unit tests for tlspolicy/policy/sts: MTA-STS TXT records, policies, answers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sts.h"
#include "tap.h"

static const struct {
	const char *txt;
	enum sts_txt_status want;
	const char *id;
} txts[] = {
	{ "v=STSv1; id=20160831085700Z;", STS_TXT_OK, "20160831085700Z" },
	{ "v=STSv1; id=20160831085700Z", STS_TXT_OK, "20160831085700Z" },
	{ "v=STSv1;id=abc", STS_TXT_OK, "abc" },
	{ "v=STSv1 ;  id=abc ; ", STS_TXT_OK, "abc" },
	{ "v=STSv1\t;\tid=abc\t;", STS_TXT_OK, "abc" },
	{ "v=STSv1; id=abc ", STS_TXT_INVALID, NULL },
	{ "v=STSv1; id=abc\t", STS_TXT_INVALID, NULL },
	{ "v=STSv1; id=abc; x=1  ", STS_TXT_INVALID, NULL },
	{ "v=STSv1 ", STS_TXT_INVALID, NULL },
	{ "v=STSv1; id=abc; ext-1.x=val", STS_TXT_OK, "abc" },
	{ "v=STSv1; id=first; id=second", STS_TXT_OK, "first" },
	{ "v=STSv1; id=12345678901234567890123456789012", STS_TXT_OK, "12345678901234567890123456789012" },
	{ "v=STSv1; id=123456789012345678901234567890123", STS_TXT_INVALID, NULL },
	{ "v=STSv1; id=ab-c", STS_TXT_INVALID, NULL },
	{ "v=STSv1; id=", STS_TXT_INVALID, NULL },
	{ "v=STSv1;", STS_TXT_INVALID, NULL },
	{ "v=STSv1", STS_TXT_INVALID, NULL },
	{ "v=STSv1; foo", STS_TXT_INVALID, NULL },
	{ "v=STSv1; _x=1; id=a", STS_TXT_INVALID, NULL },
	{ "v=STSv1 id=abc", STS_TXT_INVALID, NULL },
	{ "v=STSv10; id=abc", STS_TXT_NONE, NULL },
	{ "v=stsv1; id=abc", STS_TXT_NONE, NULL },
	{ "v=spf1 -all", STS_TXT_NONE, NULL },
	{ "", STS_TXT_NONE, NULL },
	{ " v=STSv1; id=abc", STS_TXT_NONE, NULL },
};

static const char enforce[] =
    "version: STSv1\r\n"
    "mode: enforce\r\n"
    "mx: mail.example.com\r\n"
    "mx: *.Example.NET\r\n"
    "mx: backupmx.example.com\r\n"
    "max_age: 604800\r\n";

static const struct {
	const char *body;
	const char *why; /* NULL: accepted */
} policies[] = {
	{ "version: STSv1\nmode: testing\nmx: mx.example\nmax_age: 86400\n", NULL },
	{ "version: STSv1\nmode: none\nmax_age: 86400", NULL },
	{ "version:STSv1\nmode:enforce\nmx:mx.example\nmax_age:0\n", NULL },
	{ "version: STSv1  \nmode: enforce\t\nmx: mx.example \nmax_age: 31557600\n", NULL },
	{ "version: STSv1\nmode: enforce\nmx: mx.example\nmax_age: 86400\nfoo: bar\nx-y.z: q r\n", NULL },
	{ "version: STSv1\nmode: enforce\nmode: none\nmx: mx.example\nmax_age: 1\n", NULL },
	{ "version: STSv1\nmode: enforce\nmx: mx.example\nmax_age: 31557601\n", "max_age over" },
	{ "version: STSv1\nmode: enforce\nmx: mx.example\nmax_age: 99999999999\n", "1 to 10 digits" },
	{ "version: STSv1\nmode: enforce\nmx: mx.example\nmax_age: -1\n", "1 to 10 digits" },
	{ "version: STSv1\nmode: enforce\nmax_age: 86400\n", "no mx line" },
	{ "version: STSv1\nmx: mx.example\nmax_age: 86400\n", "no mode line" },
	{ "mode: enforce\nmx: mx.example\nmax_age: 86400\n", "no version line" },
	{ "version: STSv1\nmode: enforce\nmx: mx.example\n", "no max_age line" },
	{ "version: STSv2\nmode: enforce\nmx: mx.example\nmax_age: 1\n", "version is not STSv1" },
	{ "version: STSv1\nmode: Enforce\nmx: mx.example\nmax_age: 1\n", "mode is not" },
	{ "version: STSv1\nmode: enforce\nmx: *\nmax_age: 1\n", "invalid mx pattern" },
	{ "version: STSv1\nmode: enforce\nmx: mx..example\nmax_age: 1\n", "invalid mx pattern" },
	{ "version: STSv1\nmode: enforce\nmx: mx.*.example\nmax_age: 1\n", "invalid mx pattern" },
	{ "<html>hello</html>\n", "not \"key: value\"" },
	{ "", "no version line" },
	/* sts-policy-term is LF or CRLF, one at the end at most; no empty lines */
	{ "version: STSv1\r\nmode: none\r\nmax_age: 1\r\n", NULL },
	{ "version: STSv1\r\nmode: none\nmax_age: 1", NULL },
	{ "version: STSv1\n\nmode: none\nmax_age: 1\n", "empty line" },
	{ "version: STSv1\nmode: none\nmax_age: 1\n\n", "empty line" },
	{ "version: STSv1\r\nmode: none\r\nmax_age: 1\r\n\r\n", "empty line" },
	{ "\nversion: STSv1\nmode: none\nmax_age: 1\n", "empty line" },
	{ "version: STSv1\n \nmode: none\nmax_age: 1\n", "not \"key: value\"" },
	{ "version: STSv1\nmode: none\r\r\nmax_age: 1\n", "mode is not" },
	{ "version: STSv1\rmode: none\rmax_age: 1\r", "version is not" },
	/* mx: ["*."] Domain in A-labels, no trailing dot, even in mode none */
	{ "version: STSv1\nmode: enforce\nmx: mx.example.\nmax_age: 1\n", "trailing dot" },
	{ "version: STSv1\nmode: enforce\nmx: *.example.\nmax_age: 1\n", "trailing dot" },
	{ "version: STSv1\nmode: none\nmx: mx.b\xc3\xbc" "cher.example\nmax_age: 1\n", "A-labels" },
	{ "version: STSv1\nmode: enforce\nmx: *.\xc3\xa9.example\nmax_age: 1\n", "A-labels" },
	{ "version: STSv1\nmode: enforce\nmx: mx.xn--bcher-kva.example\nmax_age: 1\n", NULL },
};

/* values of an unknown policy field (sts-policy-ext-value) */
static const struct {
	const char *value;
	size_t len;
	int valid;
} extvals[] = {
#define V(s, ok) { s, sizeof(s) - 1, ok }
	V("bar", 1),
	V("a b  c", 1),
	V("{caf\xc3\xa9}", 1),
	V("\xe2\x82\xac \xf0\x9f\x98\x80", 1),
	V("https://example.com/a", 1),
	V("", 0),
	V("a\0b", 0),
	V("a\tb", 0),
	V("ok\rbad", 0),
	V("a\x7f", 0),
	V("\x01", 0),
	V("\xff", 0),
	V("a\xc3", 0),              /* truncated */
	V("\xc0\xaf", 0),          /* overlong */
	V("\xe0\x80\xaf", 0),     /* overlong */
	V("\xed\xa0\x80", 0),     /* surrogate */
	V("\xf4\x90\x80\x80", 0), /* above U+10FFFF */
	V("\xc3\xa9\x80", 0),     /* stray continuation byte */
#undef V
};

static const struct {
	const char *pattern, *host;
	int want;
} matches[] = {
	{ "mail.example.com", "mail.example.com", 1 },
	{ "mail.example.com", "mail2.example.com", 0 },
	{ "*.example.net", "mx1.example.net", 1 },
	{ "*.example.net", "example.net", 0 },
	{ "*.example.net", "a.b.example.net", 0 },
	{ "*.example.net", ".example.net", 0 },
	{ "*.example.net", "mx1.example.network", 0 },
};

int
main(void)
{
	char id[STS_ID_MAX + 1];
	const char *why;
	struct sts_policy *p = malloc(sizeof(*p));
	struct buf b;

	for (size_t i = 0; i < sizeof(txts) / sizeof(txts[0]); i++) {
		enum sts_txt_status st = sts_txt_parse(txts[i].txt, strlen(txts[i].txt), id, &why);

		is_int(st, txts[i].want, "TXT \"%s\"", txts[i].txt);
		if (st == STS_TXT_OK && txts[i].id)
			is_str(id, txts[i].id, "id of \"%s\"", txts[i].txt);
	}
	{
		const char *recs[] = { "v=spf1 -all", "v=STSv1; id=one", "other" };
		size_t lens[] = { 11, 15, 5 };
		is_int(sts_txt_select(recs, lens, 3, id, &why), STS_TXT_OK, "one STSv1 among others");
		is_str(id, "one", "its id");
		recs[2] = "v=STSv1; id=two";
		lens[2] = 15;
		is_int(sts_txt_select(recs, lens, 3, id, &why), STS_TXT_MULTIPLE, "two STSv1 records");
		is_int(sts_txt_select(recs, lens, 1, id, &why), STS_TXT_NONE, "no STSv1 record");
		is_int(sts_txt_select(recs, lens, 0, id, &why), STS_TXT_NONE, "empty RRset");
		/* of several records only those beginning "v=STSv1;" count */
		recs[0] = "v=STSv1 ; id=ws";
		lens[0] = 15;
		is_int(sts_txt_select(recs, lens, 2, id, &why), STS_TXT_OK,
		    "\"v=STSv1 ;\" discarded among several records");
		is_str(id, "one", "the other one's id");
		is_int(sts_txt_select(recs, lens, 1, id, &why), STS_TXT_OK, "but alone it is valid");
		is_str(id, "ws", "its id");
		recs[1] = "v=STSv1; id=bad ";
		lens[1] = 16;
		is_int(sts_txt_select(recs, lens, 2, id, &why), STS_TXT_INVALID,
		    "the remaining record is checked whole");
	}

	is_int(sts_policy_parse(enforce, strlen(enforce), p, &why), 0, "enforce policy with CRLF");
	is_int(p->mode, STS_MODE_ENFORCE, "mode enforce");
	is_int(p->max_age, 604800, "max_age");
	is_int(p->nmx, 3, "three mx patterns");
	is_str(p->mx[1], "*.example.net", "wildcard pattern lower-cased, kept");
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		int rc = sts_policy_parse(policies[i].body, strlen(policies[i].body), p, &why);

		if (policies[i].why == NULL)
			is_int(rc, 0, "policy %zu accepted", i);
		else
			ok(rc == -1 && strstr(why, policies[i].why) != NULL, "policy %zu refused: %s",
			    i, rc ? why : "accepted");
	}
	{
		const char *dup = "version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1\n";
		is_int(sts_policy_parse(dup, strlen(dup), p, &why), 0, "duplicate mode");
	}
	is_int(p->mode, STS_MODE_ENFORCE, "first mode wins");

	for (size_t i = 0; i < sizeof(extvals) / sizeof(extvals[0]); i++) {
		char body[256];
		size_t n = (size_t)snprintf(body, sizeof(body),
		    "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\ncomment: ");

		memcpy(body + n, extvals[i].value, extvals[i].len);
		memcpy(body + n + extvals[i].len, "\n", 1);
		n += extvals[i].len + 1;
		if (extvals[i].valid)
			is_int(sts_policy_parse(body, n, p, &why), 0, "extension value %zu accepted", i);
		else
			ok(sts_policy_parse(body, n, p, &why) == -1 && strstr(why, "extension value"),
			    "extension value %zu refused", i);
	}

	/* limits */
	{
		char *big = malloc(STS_BODY_MAX + 2);
		size_t n = snprintf(big, STS_BODY_MAX, "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n");
		n += snprintf(big + n, STS_BODY_MAX - n, "x: ");
		memset(big + n, 'a', STS_BODY_MAX - n);
		is_int(sts_policy_parse(big, STS_BODY_MAX, p, &why), 0, "body of exactly 64 KiB");
		big[STS_BODY_MAX] = 'a';
		is_int(sts_policy_parse(big, STS_BODY_MAX + 1, p, &why), -1, "body of 64 KiB + 1");
		n = snprintf(big, STS_BODY_MAX, "version: STSv1\nmode: enforce\nmax_age: 1\n");
		for (int i = 0; i <= STS_MX_MAX; i++)
			n += snprintf(big + n, STS_BODY_MAX - n, "mx: mx%d.example\n", i);
		ok(sts_policy_parse(big, n, p, &why) == -1 && strstr(why, "too many"), "65 mx patterns refused");
		free(big);
	}

	for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
		is_int(sts_mx_match(matches[i].pattern, matches[i].host), matches[i].want,
		    "%s vs %s", matches[i].pattern, matches[i].host);

	sts_policy_parse(enforce, strlen(enforce), p, &why);
	buf_init(&b, 100000);
	is_int(sts_answer(p, "example.com", 0, &b), 0, "answer");
	is_str(b.data, "secure match=mail.example.com:.example.net:backupmx.example.com servername=hostname",
	    "postfix answer");
	buf_reset(&b);
	sts_answer(p, "example.com", 1, &b);
	is_str(b.data, "secure match=mail.example.com:.example.net:backupmx.example.com servername=hostname"
	    " policy_type=sts policy_domain=example.com mx_host_pattern=mail.example.com"
	    " mx_host_pattern=*.example.net mx_host_pattern=backupmx.example.com"
	    " { policy_string = version: STSv1 } { policy_string = mode: enforce }"
	    " { policy_string = mx: mail.example.com } { policy_string = mx: *.example.net }"
	    " { policy_string = mx: backupmx.example.com } { policy_string = max_age: 604800 }",
	    "postfix-tlsrpt answer");
	buf_fini(&b);
	buf_init(&b, 20);
	is_int(sts_answer(p, "example.com", 0, &b), -1, "answer into a full buffer fails");
	is_int(b.len, 0, "and leaves it unchanged");
	buf_fini(&b);
	free(p);
	return tap_done();
}
