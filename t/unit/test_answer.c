/* Unit tests for tlspolicy/policy/answer: Postfix policy answer syntax. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "buf.h"
#include "tap.h"

static const struct {
	const char *in;
	const char *out; /* NULL: refused */
} cases[] = {
	{ "may", "may" },
	{ "none", "none" },
	{ "DANE-ONLY", "dane-only" },
	{ "dane", "dane" },
	{ "encrypt protocols=!SSLv2:!SSLv3", "encrypt protocols=!SSLv2:!SSLv3" },
	{ "secure match=mx.example.com servername=hostname",
	  "secure match=mx.example.com servername=hostname" },
	{ "secure  match=a.example:.b.example,\tservername=hostname",
	  "secure match=a.example:.b.example servername=hostname" },
	{ "secure match=a match=b", "secure match=a match=b" },
	{ "verify tafile=/etc/ssl/x.pem", "verify tafile=/etc/ssl/x.pem" },
	{ "fingerprint match=AB:CD|EF:01", "fingerprint match=AB:CD|EF:01" },
	{ "may ciphers=high connection_reuse=yes", "may ciphers=high connection_reuse=yes" },
	{ "may servername=mx.example.net", "may servername=mx.example.net" },
	{ "secure MATCH=x.example", "secure match=x.example" },
	{ "", NULL },
	{ "   ", NULL },
	{ "bogus", NULL },
	{ "halfdane", NULL },
	{ "none ciphers=high", NULL },
	{ "may match=x.example", NULL },
	{ "dane match=x.example", NULL },
	{ "may tafile=/x", NULL },
	{ "may ciphers=high ciphers=medium", NULL },
	{ "may ciphers=", NULL },
	{ "may ciphers", NULL },
	{ "may foo=bar", NULL },
	{ "secure policy_type=sts", NULL },
	{ "secure { policy_string = mode: enforce }", NULL },
	{ "may connection_reuse=maybe", NULL },
	{ "may servername=-bad-", NULL },
	{ "may ciphers=hi\x01gh", NULL },
};

int
main(void)
{
	struct buf b;
	const char *why;
	char big[ANSWER_MAX + 2];

	buf_init(&b, ANSWER_MAX);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		buf_reset(&b);
		why = NULL;
		rc = answer_normalize(cases[i].in, strlen(cases[i].in), &b, &why);
		if (cases[i].out) {
			is_int(rc, 0, "accepts \"%s\"", cases[i].in);
			is_str(b.data, cases[i].out, "canonical form of \"%s\"", cases[i].in);
		} else {
			is_int(rc, -1, "refuses \"%s\"", cases[i].in);
			ok(why != NULL && b.len == 0, "reason and untouched output for \"%s\" (%s)",
			    cases[i].in, why ? why : "-");
		}
	}
	/* ANSWER_MAX +-1 */
	memset(big, 0, sizeof(big));
	snprintf(big, sizeof(big), "may ciphers=");
	memset(big + 12, 'a', ANSWER_MAX - 12);
	buf_reset(&b);
	is_int(answer_normalize(big, ANSWER_MAX, &b, &why), 0, "answer of ANSWER_MAX bytes");
	big[ANSWER_MAX] = 'a';
	buf_reset(&b);
	is_int(answer_normalize(big, ANSWER_MAX + 1, &b, &why), -1, "answer of ANSWER_MAX+1 bytes");
	buf_fini(&b);
	return tap_done();
}
