/* Unit tests for tlspolicy/base/domain: key normalisation and IDNA. */
#include "config.h"

#include <string.h>

#include "domain.h"
#include "tap.h"

static const struct {
	const char *in;
	enum domain_status want;
	const char *out;
} cases[] = {
	{ "example.com", DOMAIN_OK, "example.com" },
	{ "Example.COM", DOMAIN_OK, "example.com" },
	{ "example.com.", DOMAIN_OK, "example.com" },
	{ "example.com..", DOMAIN_INVALID, NULL },
	{ "mail-1.example.net", DOMAIN_OK, "mail-1.example.net" },
	{ "localhost", DOMAIN_OK, "localhost" },
	{ "b\xc3\xbc" "cher.example", DOMAIN_OK, "xn--bcher-kva.example" },
	{ "M\xc3\xbc" "nchen.de", DOMAIN_OK, "xn--mnchen-3ya.de" },
	{ "\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", DOMAIN_OK,
	  "xn--r8jz45g.xn--zckzah" },
	{ "xn--bcher-kva.example", DOMAIN_OK, "xn--bcher-kva.example" },
	{ ".example.com", DOMAIN_NEXTHOP, NULL },
	{ "[mx.example.com]", DOMAIN_NEXTHOP, NULL },
	{ "[mx.example.com]:587", DOMAIN_NEXTHOP, NULL },
	{ "example.com:2525", DOMAIN_NEXTHOP, NULL },
	{ "192.0.2.1", DOMAIN_NEXTHOP, NULL },
	{ "2001:db8::1", DOMAIN_NEXTHOP, NULL },
	{ "", DOMAIN_INVALID, NULL },
	{ ".", DOMAIN_INVALID, NULL },
	{ "a..b", DOMAIN_INVALID, NULL },
	{ "-a.example", DOMAIN_INVALID, NULL },
	{ "a-.example", DOMAIN_INVALID, NULL },
	{ "a_b.example", DOMAIN_INVALID, NULL },
	{ "a b.example", DOMAIN_INVALID, NULL },
	{ "ex\nample.com", DOMAIN_INVALID, NULL },
	{ "123.example", DOMAIN_OK, "123.example" },
	{ "\xc3\x28.example", DOMAIN_INVALID, NULL },           /* bad UTF-8 */
	{ "\xed\xa0\x80.example", DOMAIN_INVALID, NULL },       /* surrogate */
	{ "\xc0\xaf.example", DOMAIN_INVALID, NULL },           /* overlong */
	{ "\xc3\xbc!.example", DOMAIN_INVALID, NULL },
};

int
main(void)
{
	char out[DOMAIN_MAX + 1], in[600];
	const char *why;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum domain_status st = domain_normalize(cases[i].in, strlen(cases[i].in), out, &why);

		is_int(st, cases[i].want, "status of case %zu", i);
		if (cases[i].out && st == DOMAIN_OK)
			is_str(out, cases[i].out, "normalised case %zu", i);
		if (st == DOMAIN_INVALID)
			ok(why != NULL, "invalid case %zu has a reason", i);
	}
	/* label length 63 / 64 */
	memset(in, 'a', 63);
	memcpy(in + 63, ".example", 9);
	is_int(domain_normalize(in, strlen(in), out, NULL), DOMAIN_OK, "63-octet label accepted");
	memset(in, 'a', 64);
	memcpy(in + 64, ".example", 9);
	is_int(domain_normalize(in, strlen(in), out, NULL), DOMAIN_INVALID, "64-octet label refused");
	/* name length 253 / 254: labels of 49 + '.' */
	for (size_t len = 252; len <= 255; len++) {
		size_t i;
		for (i = 0; i < len; i++)
			in[i] = (i % 50 == 49) ? '.' : 'a';
		in[len] = '\0';
		if (in[len - 1] == '.')
			in[len - 1] = 'b';
		is_int(domain_normalize(in, len, out, NULL), len <= DOMAIN_MAX ? DOMAIN_OK : DOMAIN_INVALID,
		    "name of %zu octets", len);
	}
	/* 253 octets plus the trailing dot */
	in[253] = '\0';
	in[252] = 'b';
	memcpy(in + 253, ".", 2);
	is_int(domain_normalize(in, 254, out, NULL), DOMAIN_OK, "253 octets plus trailing dot");
	/* a U-label whose A-label would exceed 63 octets */
	{
		char u[200];
		size_t n = 0;
		for (int k = 0; k < 60; k++) {  /* U+0100 .. U+013B, all different */
			u[n++] = '\xc4';
			u[n++] = (char)(0x80 + k);
		}
		memcpy(u + n, ".example", 9);
		is_int(domain_normalize(u, strlen(u), out, NULL), DOMAIN_INVALID,
		    "U-label with too long A-label refused");
	}
	/* a huge key is refused without work */
	{
		static char big[100000];
		memset(big, 'a', sizeof(big));
		is_int(domain_normalize(big, sizeof(big), out, &why), DOMAIN_INVALID, "100000-byte key");
	}
	/* a NUL inside the key must not cut it to a valid name */
	{
		static const char nul[] = "bank.example\0evil";

		is_int(domain_normalize(nul, sizeof(nul) - 1, out, &why), DOMAIN_INVALID,
		    "key with a NUL byte refused");
		is_int(domain_normalize(nul, 13, out, &why), DOMAIN_INVALID,
		    "key ending in a NUL byte refused");
	}
	ok(domain_valid("example.com"), "domain_valid accepts example.com");
	ok(!domain_valid("1.2.3.4"), "domain_valid refuses an all-numeric name");
	return tap_done();
}
