/* Unit tests for tlspolicy/policy/eximanswer: answers for Exim's ${readsocket}. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "eximanswer.h"
#include "tap.h"

static void
check_mode(const char *mode, const char *policy, const char *want)
{
	struct buf b;

	buf_init(&b, EXIMANSWER_REPLY_MAX);
	ok(eximanswer_mode(&b, mode, policy) == 0, "mode %s formats", mode);
	is_str(b.data ? b.data : "", want, "mode %s answer", mode);
	buf_fini(&b);
}

static void
check_reason(const char *reason, const char *want)
{
	struct buf b;

	buf_init(&b, EXIMANSWER_REPLY_MAX);
	ok(eximanswer_reason(&b, "temp", reason, strlen(reason)) == 0, "reason formats");
	is_str(b.data ? b.data : "", want, "reason answer");
	buf_fini(&b);
}

static void
check_request(const char *req, size_t len, int want_off, const char *want_domain)
{
	const char *why = NULL;
	size_t dlen = 0;
	int off = eximanswer_request(req, len, &dlen, &why);

	ok(off == want_off, "request \"%.*s\" offset %d", (int)len, req, want_off);
	if (want_off >= 0 && off >= 0)
		ok(dlen == strlen(want_domain) && memcmp(req + off, want_domain, dlen) == 0,
		    "request domain %s", want_domain);
	else
		ok(off >= 0 || (why != NULL && why[0] != '\0'), "refusal has a reason");
}

int
main(void)
{
	const char *policy = "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
	    "mx: *.example.net\nmax_age: 86400\n";
	struct buf b;

	check_mode("enforce", policy, "mode=enforce mx=mx1.example.com:*.example.net");
	check_mode("testing", "version: STSv1\nmode: testing\nmx: mx.example.org\nmax_age: 600\n",
	    "mode=testing mx=mx.example.org");
	check_mode("dane-only", NULL, "mode=dane-only");
	check_mode("dane", NULL, "mode=dane");
	check_mode("none", NULL, "mode=none");
	check_mode("enforce", "version: STSv1\nmode: enforce\nmax_age: 86400\n", "mode=enforce mx=");

	check_reason("resolver down", "mode=temp reason=\"resolver down\"");
	check_reason("a \"quoted\" \\ word\n\x01x", "mode=temp reason=\"a \\\"quoted\\\" \\\\ wordx\"");

	/* a full buffer turns into a temp answer, never a cut list */
	buf_init(&b, 40);
	ok(eximanswer_mode(&b, "enforce", policy) < 0, "a long answer does not fit");
	is_str(b.data ? b.data : "", "mode=temp reason=\"answer too long\"", "and answers temp");
	buf_fini(&b);

	is_str(eximanswer_local_mode("dane-only"), "dane-only", "local dane-only");
	is_str(eximanswer_local_mode("dane"), "dane", "local dane");
	is_str(eximanswer_local_mode("none"), "none", "local none");
	is_str(eximanswer_local_mode("may"), "none", "local may");
	is_str(eximanswer_local_mode("secure match=x.example"), "enforce", "local secure");
	is_str(eximanswer_local_mode("encrypt"), "enforce", "local encrypt");
	is_str(eximanswer_local_mode("danely"), "enforce", "local unknown word: strict");

	check_request("policy example.com", 18, 7, "example.com");
	check_request("policy ", 7, -1, NULL);
	check_request("policy", 6, -1, NULL);
	check_request("POLICY example.com", 18, -1, NULL);
	check_request("lookup example.com", 18, -1, NULL);
	check_request("policy a b", 10, -1, NULL);
	check_request("policy exa\0mple.com", 19, -1, NULL);
	check_request("policy exa\tmple.com", 19, -1, NULL);
	check_request("policy example.com\x7f", 19, -1, NULL);
	return tap_done();
}
