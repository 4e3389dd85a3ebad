/*
 * dnswire - DNS messages on the wire: build a query with EDNS0 (DO and AD
 * bits set), and parse an answer through a bounded cursor.
 *
 * The parser never reads past the message, follows compression pointers
 * only backwards (so a pointer loop cannot hang it) and refuses names
 * over 255 octets.  It returns the header flags that matter (rcode, AD,
 * TC) and the records of the answer section of the types tlspolicyd
 * uses: A, AAAA, CNAME, MX, TXT (strings concatenated) and TLSA.  Other
 * types are skipped.  Names come out in presentation form, lower case,
 * without the trailing dot; bytes outside [a-z0-9_-] are escaped \DDD.
 */
#ifndef TLSPOLICY_DNSWIRE_H
#define TLSPOLICY_DNSWIRE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_MX 15
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_OPT 41
#define DNS_TYPE_DNSKEY 48
#define DNS_TYPE_TLSA 52

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3

#define DNS_MSG_MAX 65535
#define DNS_NAME_TEXT_MAX 1024   /* 255 octets, escaped \DDD at worst */
#define DNS_RR_MAX 64            /* answer records kept */

struct dns_rr {
	uint16_t type;
	uint32_t ttl;
	char name[DNS_NAME_TEXT_MAX];     /* owner */
	char target[DNS_NAME_TEXT_MAX];   /* MX exchange, CNAME target */
	uint16_t pref;                    /* MX */
	uint8_t usage, selector, mtype;   /* TLSA */
	size_t off, len;                  /* data in dns_msg.data: TXT text,
	                                     A/AAAA address, TLSA association */
};

struct dns_msg {
	uint16_t id;
	unsigned rcode;
	int ad, tc;
	size_t nrr;
	struct dns_rr rr[DNS_RR_MAX];
	size_t datalen;
	uint8_t data[DNS_MSG_MAX];
};

/*
 * dnswire_query - write a query for name/type (recursion desired, AD set,
 * EDNS0 OPT with DO and a 1232-byte UDP size) into out[0..outlen).
 * name "." is the root.  Returns its length, or -1 if name is not a valid
 * name or out too small.
 */
int dnswire_query(const char *name, uint16_t type, uint16_t id, uint8_t *out, size_t outlen);

/* dnswire_parse - parse msg[0..len) into m; 0, or -1 with *why */
int dnswire_parse(const uint8_t *msg, size_t len, struct dns_msg *m, const char **why);

#endif
