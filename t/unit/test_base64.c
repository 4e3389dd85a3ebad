/* Unit tests for tlspolicy/base/base64: the three kinds of input. */
#include "config.h"

#include <string.h>

#include "base64.h"
#include "tap.h"

static const struct {
	const char *in;
	enum base64_kind kind;
	long want;              /* decoded length, or -1 */
	const char *out;
} cases[] = {
	{ "", BASE64_STRICT, 0, "" },
	{ "QQ==", BASE64_STRICT, 1, "A" },
	{ "QUI=", BASE64_STRICT, 2, "AB" },
	{ "QUJD", BASE64_STRICT, 3, "ABC" },
	{ "RE5TPW14LmEudGVzdA==", BASE64_STRICT, 13, "DNS=mx.a.test" },
	{ "QQ", BASE64_STRICT, -1, NULL },            /* not whole quads */
	{ "QQ=", BASE64_STRICT, -1, NULL },
	{ "Q===", BASE64_STRICT, -1, NULL },          /* three pads */
	{ "QQ==QUJD", BASE64_STRICT, -1, NULL },      /* a letter after the padding */
	{ "QU JD", BASE64_STRICT, -1, NULL },         /* no blanks */
	{ "QU-D", BASE64_STRICT, -1, NULL },          /* no URL-safe letters */
	{ "QU\nJD", BASE64_FWS, 3, "ABC" },
	{ " Q U\tI\r\n= ", BASE64_FWS, 2, "AB" },
	{ "QQ", BASE64_FWS, 1, "A" },                 /* padding not required */
	{ "QQ==QQ", BASE64_FWS, -1, NULL },
	{ "QQ===", BASE64_FWS, -1, NULL },
	{ "QU.D", BASE64_FWS, -1, NULL },
	{ "QU.J\n*D", BASE64_LOOSE, 3, "ABC" },       /* anything else passed over */
	{ "QUJD=garbage", BASE64_LOOSE, 3, "ABC" },   /* '=' ends the data */
	{ "-_-_", BASE64_LOOSE, 3, "\xfb\xff\xbf" },  /* URL-safe letters */
};

int
main(void)
{
	unsigned char out[64], small[2];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long n = base64_decode(cases[i].in, strlen(cases[i].in), out, sizeof(out), cases[i].kind);

		ok(n == cases[i].want && (n < 0 || memcmp(out, cases[i].out, (size_t)n) == 0),
		    "case %zu: \"%s\" (kind %d) -> %ld", i, cases[i].in, (int)cases[i].kind, n);
	}
	ok(base64_decode("QUJD", 4, small, sizeof(small), BASE64_STRICT) == -1, "three bytes do not fit in two");
	ok(base64_decode("QUI=", 4, small, sizeof(small), BASE64_STRICT) == 2, "two bytes fit in two");
	ok(base64_decode("QUJD", 4, NULL, 0, BASE64_LOOSE) == -1, "nothing fits in nothing, nothing written");
	return tap_done();
}
