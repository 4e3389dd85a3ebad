/* Unit tests for tlspolicy/base/netstring. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "netstring.h"
#include "tap.h"

static const struct {
	const char *in;
	size_t limit;
	enum netstring_status want;
	const char *payload;
	size_t consumed;
} cases[] = {
	{ "19:postfix example.com,", 100, NETSTRING_OK, "postfix example.com", 23 },
	{ "0:,", 100, NETSTRING_OK, "", 3 },
	{ ":,", 100, NETSTRING_OK, "", 2 },            /* empty length == 0, as Postfix */
	{ "003:abc,", 100, NETSTRING_OK, "abc", 8 },   /* leading zeros */
	{ "3:abc,4:more,", 100, NETSTRING_OK, "abc", 6 },
	{ "", 100, NETSTRING_MORE, NULL, 0 },
	{ "19", 100, NETSTRING_MORE, NULL, 0 },
	{ "5:abc", 100, NETSTRING_MORE, NULL, 0 },
	{ "3:abc", 100, NETSTRING_MORE, NULL, 0 },     /* comma still to come */
	{ "3:abcd", 100, NETSTRING_ERR_FORMAT, NULL, 0 },
	{ "x:abc,", 100, NETSTRING_ERR_FORMAT, NULL, 0 },
	{ " 3:abc,", 100, NETSTRING_ERR_FORMAT, NULL, 0 },
	{ "-1:,", 100, NETSTRING_ERR_FORMAT, NULL, 0 },
	{ "3;abc,", 100, NETSTRING_ERR_FORMAT, NULL, 0 },
	/* limits +-1 */
	{ "10:0123456789,", 10, NETSTRING_OK, "0123456789", 14 },
	{ "11:0123456789a,", 10, NETSTRING_ERR_SIZE, NULL, 0 },
	{ "9:012345678,", 10, NETSTRING_OK, "012345678", 12 },
	{ "10000000:", 10100, NETSTRING_ERR_SIZE, NULL, 0 },  /* 10 MB announced */
	{ "10101:", 10100, NETSTRING_ERR_SIZE, NULL, 0 },
	{ "10100:", 10100, NETSTRING_MORE, NULL, 0 },
	{ "99999999999999999999999:", (size_t)-1, NETSTRING_ERR_SIZE, NULL, 0 },
	{ "000000000000000000000000001:x,", 100, NETSTRING_ERR_SIZE, NULL, 0 },
	{ "1:x,", 0, NETSTRING_ERR_SIZE, NULL, 0 },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *payload = NULL;
		size_t plen = 0, used = 0;
		enum netstring_status st = netstring_decode(cases[i].in, strlen(cases[i].in),
		    cases[i].limit, &payload, &plen, &used);

		is_int(st, cases[i].want, "decode \"%s\" limit %zu", cases[i].in, cases[i].limit);
		if (cases[i].want == NETSTRING_OK && st == NETSTRING_OK) {
			ok(plen == strlen(cases[i].payload)
			    && memcmp(payload, cases[i].payload, plen) == 0, "payload of \"%s\"",
			    cases[i].in);
			is_int(used, cases[i].consumed, "consumed of \"%s\"", cases[i].in);
		}
	}

	struct buf b;
	buf_init(&b, 10);
	is_int(netstring_encode(&b, "abcdef", 6), 0, "encode fits in 10 bytes");
	is_str(b.data, "6:abcdef,", "encoded form");
	is_int(netstring_encode(&b, "x", 1), -1, "encode over the buffer max fails");
	is_str(b.data, "6:abcdef,", "failed encode leaves the buffer unchanged");
	buf_fini(&b);

	/* round trip with embedded NUL and comma */
	buf_init(&b, 100);
	netstring_encode(&b, "a\0,b", 4);
	{
		const char *p;
		size_t pl, u;
		is_int(netstring_decode(b.data, b.len, 100, &p, &pl, &u), NETSTRING_OK,
		    "round trip decodes");
		ok(pl == 4 && memcmp(p, "a\0,b", 4) == 0, "round trip payload with NUL and comma");
	}
	buf_fini(&b);
	is_str(netstring_strerror(NETSTRING_ERR_SIZE), "input exceeds size limit", "strerror");
	return tap_done();
}
