/* Unit tests for tlspolicy/base/dnswire: query building and answer parsing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dnswire.h"
#include "tap.h"

/* A small builder for test messages. */
static uint8_t msg[4096];
static size_t mlen;

static void put8(unsigned v) { msg[mlen++] = (uint8_t)v; }
static void put16(unsigned v) { put8(v >> 8); put8(v & 0xff); }
static void put32(unsigned long v) { put16((unsigned)(v >> 16)); put16((unsigned)(v & 0xffff)); }

static void
putname(const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		put8((unsigned)l);
		memcpy(msg + mlen, name, l);
		mlen += l;
		name += l + (dot != NULL);
	}
	put8(0);
}

static void
header(unsigned flags, unsigned an)
{
	mlen = 0;
	put16(0x1234);
	put16(flags);
	put16(1);
	put16(an);
	put16(0);
	put16(0);
	putname("example.com");   /* question at offset 12 */
	put16(DNS_TYPE_MX);
	put16(1);
}

static size_t
rr_start(unsigned type, unsigned long ttl)
{
	put16(0xc00c);   /* owner: pointer to the question name */
	put16(type);
	put16(1);
	put32(ttl);
	put16(0);        /* rdlength, fixed by rr_end */
	return mlen;
}

static void
rr_end(size_t start)
{
	msg[start - 2] = (uint8_t)((mlen - start) >> 8);
	msg[start - 1] = (uint8_t)(mlen - start);
}

int
main(void)
{
	struct dns_msg *m = malloc(sizeof(*m));
	const char *why = NULL;
	uint8_t q[512];
	size_t s;
	int n;

	/* query */
	n = dnswire_query("_mta-sts.example.com.", DNS_TYPE_TXT, 77, q, sizeof(q));
	ok(n > 0, "query built");
	is_int(q[2] & 0x01, 1, "RD set");
	is_int(q[3] & 0x20, 0x20, "AD set");
	is_int(q[n - 4] & 0x80, 0x80, "DO bit in the OPT record");
	is_int(dnswire_query("a..b", DNS_TYPE_A, 1, q, sizeof(q)), -1, "empty label refused");
	n = dnswire_query(".", DNS_TYPE_DNSKEY, 2, q, sizeof(q));
	ok(n == 12 + 1 + 4 + 11 && q[12] == 0 && q[13] == 0 && q[14] == DNS_TYPE_DNSKEY,
	    "the root: one empty label (%d bytes)", n);
	is_int(dnswire_query("", DNS_TYPE_A, 1, q, sizeof(q)), -1, "an empty name refused");
	is_int(dnswire_query("x", DNS_TYPE_A, 1, q, 10), -1, "small buffer refused");

	/* MX answer with AD, a TXT of two strings, a TLSA, an A and an RRSIG */
	header(0x81a0, 5);
	s = rr_start(DNS_TYPE_MX, 300); put16(10); putname("mx1.example.com"); rr_end(s);
	s = rr_start(DNS_TYPE_TXT, 60); put8(8); memcpy(msg + mlen, "v=STSv1;", 8); mlen += 8;
	put8(7); memcpy(msg + mlen, " id=123", 7); mlen += 7; rr_end(s);
	s = rr_start(DNS_TYPE_TLSA, 3600); put8(3); put8(1); put8(1); put32(0xdeadbeef); rr_end(s);
	s = rr_start(46, 3600); put32(1); put32(2); rr_end(s);            /* RRSIG: skipped */
	s = rr_start(DNS_TYPE_A, 0x80000000ul); put32(0x7f000001); rr_end(s);
	is_int(dnswire_parse(msg, mlen, m, &why), 0, "answer parses");
	is_int(m->id, 0x1234, "id");
	is_int(m->ad, 1, "AD bit");
	is_int(m->rcode, 0, "rcode");
	is_int(m->nrr, 4, "four records kept, RRSIG skipped");
	is_str(m->rr[0].name, "example.com", "owner through a compression pointer");
	is_str(m->rr[0].target, "mx1.example.com", "MX exchange");
	is_int(m->rr[0].pref, 10, "MX preference");
	ok(m->rr[1].len == 15 && memcmp(m->data + m->rr[1].off, "v=STSv1; id=123", 15) == 0,
	    "TXT strings concatenated");
	ok(m->rr[2].usage == 3 && m->rr[2].selector == 1 && m->rr[2].mtype == 1
	    && m->rr[2].len == 4, "TLSA fields");
	is_int(m->rr[3].ttl, 0, "TTL with the top bit set is 0");

	/* flags */
	header(0x8183, 0);
	is_int(dnswire_parse(msg, mlen, m, &why), 0, "NXDOMAIN parses");
	is_int(m->rcode, DNS_RCODE_NXDOMAIN, "rcode 3");
	is_int(m->ad, 0, "no AD");
	header(0x0100, 0);
	is_int(dnswire_parse(msg, mlen, m, &why), -1, "a query is not an answer");

	/* hostile: every truncation of a valid answer fails cleanly */
	header(0x8180, 2);
	s = rr_start(DNS_TYPE_MX, 300); put16(10); putname("mx1.example.com"); rr_end(s);
	s = rr_start(DNS_TYPE_TXT, 60); put8(3); memcpy(msg + mlen, "abc", 3); mlen += 3; rr_end(s);
	{
		size_t full = mlen, failures = 0;
		for (size_t cut = 0; cut < full; cut++)
			failures += dnswire_parse(msg, cut, m, &why) == -1;
		is_int(failures, full, "all %zu truncations refused", full);
	}

	/* compression loop: a pointer to itself, and a two-step loop */
	header(0x8180, 1);
	put16(0xc000 | (unsigned)mlen);   /* points at itself */
	put16(DNS_TYPE_A); put16(1); put32(1); put16(4); put32(1);
	ok(dnswire_parse(msg, mlen, m, &why) == -1 && strstr(why, "backwards"), "self pointer: %s", why);
	header(0x8180, 1);
	s = mlen;
	put8(1); put8('a'); put16(0xc000 | (unsigned)s);   /* label then pointer back to it */
	put16(DNS_TYPE_A); put16(1); put32(1); put16(4); put32(1);
	ok(dnswire_parse(msg, mlen, m, &why) == -1 && strstr(why, "backwards"), "label loop: %s", why);

	/* forward pointer, bad label type, long name */
	header(0x8180, 1);
	put16(0xc000 | (unsigned)(mlen + 2));
	putname("x");
	put16(DNS_TYPE_A); put16(1); put32(1); put16(4); put32(1);
	is_int(dnswire_parse(msg, mlen, m, &why), -1, "forward pointer refused");
	header(0x8180, 1);
	put8(0x40);
	is_int(dnswire_parse(msg, mlen, m, &why), -1, "extended label type refused");
	header(0x8180, 1);
	for (int i = 0; i < 5; i++) {
		put8(63);
		memset(msg + mlen, 'a', 63);
		mlen += 63;
	}
	put8(0);
	put16(DNS_TYPE_A); put16(1); put32(1); put16(4); put32(1);
	ok(dnswire_parse(msg, mlen, m, &why) == -1 && strstr(why, "255"), "320-octet name: %s", why);

	/* rdata mismatches */
	header(0x8180, 1);
	s = rr_start(DNS_TYPE_A, 1); put16(1); rr_end(s);
	is_int(dnswire_parse(msg, mlen, m, &why), -1, "2-byte A record refused");
	header(0x8180, 1);
	s = rr_start(DNS_TYPE_MX, 1); put16(1); putname("mx.example"); put8(0); rr_end(s);
	is_int(dnswire_parse(msg, mlen, m, &why), -1, "MX with trailing junk refused");
	header(0x8180, 1);
	s = rr_start(DNS_TYPE_TXT, 1); put8(10); put8('a'); rr_end(s);
	is_int(dnswire_parse(msg, mlen, m, &why), -1, "TXT string past its RDATA refused");
	header(0x8180, 1);
	s = rr_start(DNS_TYPE_CNAME, 1); putname("Odd.Na\x01me"); rr_end(s);
	is_int(dnswire_parse(msg, mlen, m, &why), 0, "CNAME with odd bytes parses");
	is_str(m->rr[0].target, "odd.na\\001me", "lower-cased and escaped");

	/* too many records */
	header(0x8180, DNS_RR_MAX + 1);
	for (int i = 0; i <= DNS_RR_MAX; i++) {
		s = rr_start(DNS_TYPE_A, 1); put32((unsigned long)i); rr_end(s);
	}
	ok(dnswire_parse(msg, mlen, m, &why) == -1 && strstr(why, "too many"), "%d records refused",
	    DNS_RR_MAX + 1);
	free(m);
	return tap_done();
}
