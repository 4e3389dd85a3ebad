/*
 * dnswire - DNS query building and answer parsing, see dnswire.h.
 */
#include "config.h"

#include <string.h>

#include "dnswire.h"

#define DNS_HEADER 12
#define DNS_NAME_WIRE_MAX 255
#define DNS_CLASS_IN 1
#define EDNS_UDP_SIZE 1232

struct cursor {
	const uint8_t *p;
	size_t len, off;
	const char *err;   /* sticky: once set, every read fails */
};

static int
need(struct cursor *c, size_t n)
{
	if (c->err)
		return 0;
	if (c->len - c->off < n) {
		c->err = "truncated message";
		return 0;
	}
	return 1;
}

static uint8_t
get8(struct cursor *c)
{
	return need(c, 1) ? c->p[c->off++] : 0;
}

static uint16_t
get16(struct cursor *c)
{
	uint16_t v;

	if (!need(c, 2))
		return 0;
	v = (uint16_t)(c->p[c->off] << 8 | c->p[c->off + 1]);
	c->off += 2;
	return v;
}

static uint32_t
get32(struct cursor *c)
{
	uint32_t hi = get16(c);

	return hi << 16 | get16(c);
}

/*
 * get_name - read a possibly compressed name at the cursor into out
 * (presentation form); the cursor moves past the name as it stands in the
 * message.  Every pointer must point before the start of the name (or
 * name part) that holds it, so each jump lands strictly lower than the
 * last: loops are impossible.
 */
static void
get_name(struct cursor *c, char *out)
{
	size_t pos = c->off, o = 0, wire = 0, end = 0, floor = c->off;
	int jumped = 0;

	if (c->err)
		return;
	for (;;) {
		uint8_t l;

		if (pos >= c->len) {
			c->err = "name runs past the message";
			return;
		}
		l = c->p[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= c->len) {
				c->err = "truncated compression pointer";
				return;
			}
			target = (size_t)(l & 0x3f) << 8 | c->p[pos + 1];
			if (target >= floor) {
				c->err = "compression pointer does not point backwards";
				return;
			}
			floor = target;
			if (!jumped)
				end = pos + 2;
			jumped = 1;
			pos = target;
			continue;
		}
		if (l & 0xc0) {
			c->err = "unknown label type";
			return;
		}
		if (l == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		wire += (size_t)l + 1;
		if (wire + 1 > DNS_NAME_WIRE_MAX) {
			c->err = "name longer than 255 octets";
			return;
		}
		if (pos + 1 + l > c->len) {
			c->err = "label runs past the message";
			return;
		}
		if (o > 0)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t ch = c->p[pos + 1 + i];

			if (ch >= 'A' && ch <= 'Z')
				ch = (uint8_t)(ch - 'A' + 'a');
			if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'
			    || ch == '_') {
				out[o++] = (char)ch;
			} else {
				out[o++] = '\\';
				out[o++] = (char)('0' + ch / 100);
				out[o++] = (char)('0' + ch / 10 % 10);
				out[o++] = (char)('0' + ch % 10);
			}
		}
		pos += (size_t)l + 1;
	}
	out[o] = '\0';
	c->off = end;
}

static int
keep(struct dns_msg *m, const uint8_t *p, size_t len, struct dns_rr *rr)
{
	if (DNS_MSG_MAX - m->datalen < len)
		return -1;
	memcpy(m->data + m->datalen, p, len);
	rr->off = m->datalen;
	rr->len = len;
	m->datalen += len;
	return 0;
}

/* parse_rdata - decode the RDATA of rr at c (rdlen bytes) */
static void
parse_rdata(struct cursor *c, struct dns_msg *m, struct dns_rr *rr, size_t rdlen)
{
	size_t start = c->off, end = c->off + rdlen;
	struct cursor sub = { c->p, end, c->off, NULL };

	switch (rr->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		if (rdlen != (rr->type == DNS_TYPE_A ? 4u : 16u)) {
			c->err = "address record of the wrong length";
			return;
		}
		if (keep(m, c->p + start, rdlen, rr) < 0)
			c->err = "message data too large";
		break;
	case DNS_TYPE_CNAME:
		/* names inside RDATA may point anywhere earlier in the message */
		sub.len = c->len;
		get_name(&sub, rr->target);
		if (!sub.err && sub.off != end)
			sub.err = "CNAME data length mismatch";
		c->err = sub.err;
		break;
	case DNS_TYPE_MX:
		sub.len = c->len;
		if (rdlen < 3) {
			c->err = "MX record too short";
			return;
		}
		rr->pref = get16(&sub);
		get_name(&sub, rr->target);
		if (!sub.err && sub.off != end)
			sub.err = "MX data length mismatch";
		c->err = sub.err;
		break;
	case DNS_TYPE_TXT:
		rr->off = m->datalen;
		rr->len = 0;
		while (!sub.err && sub.off < end) {
			uint8_t sl = get8(&sub);

			if (!need(&sub, sl))
				break;
			if (DNS_MSG_MAX - m->datalen < sl) {
				sub.err = "message data too large";
				break;
			}
			memcpy(m->data + m->datalen, sub.p + sub.off, sl);
			m->datalen += sl;
			rr->len += sl;
			sub.off += sl;
		}
		c->err = sub.err ? "malformed TXT record" : NULL;
		break;
	case DNS_TYPE_TLSA:
		if (rdlen < 3) {
			c->err = "TLSA record too short";
			return;
		}
		rr->usage = c->p[start];
		rr->selector = c->p[start + 1];
		rr->mtype = c->p[start + 2];
		if (keep(m, c->p + start + 3, rdlen - 3, rr) < 0)
			c->err = "message data too large";
		break;
	default:
		break;
	}
	c->off = end;
}

int
dnswire_parse(const uint8_t *msg, size_t len, struct dns_msg *m, const char **why)
{
	struct cursor c = { msg, len, 0, NULL };
	uint16_t flags, qd, an;
	char name[DNS_NAME_TEXT_MAX];

	m->nrr = 0;
	m->datalen = 0;
	m->id = get16(&c);
	flags = get16(&c);
	qd = get16(&c);
	an = get16(&c);
	get16(&c);   /* authority */
	get16(&c);   /* additional */
	if (c.err) {
		*why = "message shorter than a DNS header";
		return -1;
	}
	if (!(flags & 0x8000)) {
		*why = "not a response";
		return -1;
	}
	m->tc = (flags & 0x0200) != 0;
	m->ad = (flags & 0x0020) != 0;
	m->rcode = flags & 0x000f;
	for (unsigned i = 0; i < qd && !c.err; i++) {
		get_name(&c, name);
		get16(&c);
		get16(&c);
	}
	for (unsigned i = 0; i < an && !c.err; i++) {
		struct dns_rr *rr;
		uint16_t type, rclass, rdlen;
		uint32_t ttl;

		get_name(&c, name);
		type = get16(&c);
		rclass = get16(&c);
		ttl = get32(&c);
		rdlen = get16(&c);
		if (c.err || !need(&c, rdlen))
			break;
		if (rclass != DNS_CLASS_IN || !(type == DNS_TYPE_A || type == DNS_TYPE_AAAA
		    || type == DNS_TYPE_CNAME || type == DNS_TYPE_MX || type == DNS_TYPE_TXT
		    || type == DNS_TYPE_TLSA)) {
			c.off += rdlen;   /* RRSIG and friends */
			continue;
		}
		if (m->nrr == DNS_RR_MAX) {
			c.err = "too many answer records";
			break;
		}
		rr = &m->rr[m->nrr];
		memset(rr, 0, sizeof(*rr));
		memcpy(rr->name, name, strlen(name) + 1);
		rr->type = type;
		rr->ttl = ttl > 0x7fffffffu ? 0 : ttl;  /* RFC 2181 section 8 */
		parse_rdata(&c, m, rr, rdlen);
		if (!c.err)
			m->nrr++;
	}
	if (c.err) {
		*why = c.err;
		return -1;
	}
	return 0;
}

int
dnswire_query(const char *name, uint16_t type, uint16_t id, uint8_t *out, size_t outlen)
{
	size_t o = 0, nlen = strlen(name);
	const char *p = name;

	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	/* header + name (at most 255) + question + OPT RR */
	/* "." alone is the root (its DNSKEY: the resolver's DNSSEC check) */
	if (outlen < DNS_HEADER + DNS_NAME_WIRE_MAX + 4 + 11 || (nlen == 0 && strcmp(name, ".") != 0)
	    || nlen > 253)
		return -1;
	out[o++] = (uint8_t)(id >> 8);
	out[o++] = (uint8_t)id;
	out[o++] = 0x01;        /* RD */
	out[o++] = 0x20;        /* AD: ask for the authenticated-data bit */
	out[o++] = 0; out[o++] = 1;   /* QDCOUNT */
	out[o++] = 0; out[o++] = 0;   /* ANCOUNT */
	out[o++] = 0; out[o++] = 0;   /* NSCOUNT */
	out[o++] = 0; out[o++] = 1;   /* ARCOUNT: OPT */
	while (p < name + nlen) {
		const char *dot = memchr(p, '.', (size_t)(name + nlen - p));
		size_t l = (size_t)((dot ? dot : name + nlen) - p);

		/* cppcheck-suppress knownConditionTrueFalse ; "a..b" gives l == 0 */
		if (l == 0 || l > 63)
			return -1;
		out[o++] = (uint8_t)l;
		memcpy(out + o, p, l);
		o += l;
		p += l + (dot != NULL);
	}
	out[o++] = 0;
	out[o++] = (uint8_t)(type >> 8);
	out[o++] = (uint8_t)type;
	out[o++] = 0; out[o++] = DNS_CLASS_IN;
	/* OPT: root name, type 41, UDP size, ext-rcode 0, version 0, DO */
	out[o++] = 0;
	out[o++] = 0; out[o++] = DNS_TYPE_OPT;
	out[o++] = (uint8_t)(EDNS_UDP_SIZE >> 8); out[o++] = (uint8_t)(EDNS_UDP_SIZE & 0xff);
	out[o++] = 0; out[o++] = 0;
	out[o++] = 0x80; out[o++] = 0;    /* DO */
	out[o++] = 0; out[o++] = 0;       /* RDLEN */
	return (int)o;
}
