/*
 * domain - key normalisation, IDNA A-label conversion, host name checks.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "domain.h"
#include "text.h"

/* Punycode parameters, RFC 3492 section 5. */
#define PUNY_BASE 36
#define PUNY_TMIN 1
#define PUNY_TMAX 26
#define PUNY_SKEW 38
#define PUNY_DAMP 700
#define PUNY_INITIAL_BIAS 72
#define PUNY_INITIAL_N 128

/* utf8_decode - decode label bytes into code points; -1 on bad UTF-8 */
static int
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp, size_t cpmax, size_t *ncp)
{
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned long c;
		size_t k = text_utf8_char(s + i, len - i, &c);

		if (k == 0 || n == cpmax)
			return -1;
		cp[n++] = (uint32_t)c;
		i += k;
	}
	*ncp = n;
	return 0;
}

static uint32_t
puny_adapt(uint32_t delta, uint32_t numpoints, int first)
{
	uint32_t k = 0;

	delta = first ? delta / PUNY_DAMP : delta / 2;
	delta += delta / numpoints;
	while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2) {
		delta /= PUNY_BASE - PUNY_TMIN;
		k += PUNY_BASE;
	}
	return k + (PUNY_BASE - PUNY_TMIN + 1) * delta / (delta + PUNY_SKEW);
}

static char
puny_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/*
 * puny_encode - "xn--" + Punycode of cp[0..n) into out (room bytes);
 * returns the length written or -1 if it does not fit.
 */
static int
puny_encode(const uint32_t *cp, size_t n, char *out, size_t room)
{
	uint32_t cur = PUNY_INITIAL_N, delta = 0, bias = PUNY_INITIAL_BIAS, h, b = 0;
	size_t o = 0;

#define PUT(ch) do { if (o >= room) return -1; out[o++] = (ch); } while (0)
	if (room < 4)
		return -1;
	out[o++] = 'x';
	out[o++] = 'n';
	out[o++] = '-';
	out[o++] = '-';
	for (size_t j = 0; j < n; j++)
		if (cp[j] < 0x80) {
			PUT((char)cp[j]);
			b++;
		}
	if (b > 0)
		PUT('-');
	h = b;
	while (h < n) {
		uint32_t m = UINT32_MAX;

		for (size_t j = 0; j < n; j++)
			if (cp[j] >= cur && cp[j] < m)
				m = cp[j];
		if ((uint64_t)(m - cur) * (h + 1) + delta > UINT32_MAX)
			return -1;
		delta += (m - cur) * (h + 1);
		cur = m;
		for (size_t j = 0; j < n; j++) {
			if (cp[j] < cur) {
				if (delta == UINT32_MAX)
					return -1;
				delta++;
			}
			if (cp[j] == cur) {
				uint32_t q = delta;

				for (uint32_t k = PUNY_BASE;; k += PUNY_BASE) {
					uint32_t t = k <= bias ? PUNY_TMIN
					    : k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
					if (q < t)
						break;
					PUT(puny_digit(t + (q - t) % (PUNY_BASE - t)));
					q = (q - t) / (PUNY_BASE - t);
				}
				PUT(puny_digit(q));
				bias = puny_adapt(delta, h + 1, h == b);
				delta = 0;
				h++;
			}
		}
		delta++;
		cur++;
	}
#undef PUT
	return (int)o;
}

/* is_ip_literal - dotted-quad-looking or containing ':' (IPv6) */
static int
is_ip_literal(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
			break;
	return i == len;
}

int
domain_valid(const char *name)
{
	size_t len = strlen(name), label = 0;
	int alldigits = 1;

	if (len == 0 || len > DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || name[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (label == 0 && c == '-')
			return 0;
		if (++label > DOMAIN_LABEL_MAX)
			return 0;
		if (c >= '0' && c <= '9')
			continue;
		alldigits = 0;
		if (!((c >= 'a' && c <= 'z') || c == '-'))
			return 0;
	}
	return !alldigits;
}

enum domain_status
domain_normalize(const char *key, size_t len, char *out, const char **why)
{
	const char *dummy;
	size_t o = 0, start = 0;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (len > 0 && key[len - 1] == '.')
		len--;
	if (len == 0) {
		*why = "empty key";
		return DOMAIN_INVALID;
	}
	/* a NUL would end the name early */
	if (memchr(key, '\0', len) != NULL) {
		*why = "NUL byte";
		return DOMAIN_INVALID;
	}
	if (key[0] == '.' || key[0] == '[' || memchr(key, ':', len) != NULL
	    || is_ip_literal(key, len))
		return DOMAIN_NEXTHOP;
	/* Input longer than this cannot become a valid name. */
	if (len > (size_t)4 * (DOMAIN_MAX + 1)) {
		*why = "name too long";
		return DOMAIN_INVALID;
	}
	while (start <= len) {
		const char *end = memchr(key + start, '.', len - start);
		size_t llen = (end ? (size_t)(end - key) : len) - start;
		int ascii = 1;

		for (size_t i = 0; i < llen; i++)
			if ((unsigned char)key[start + i] >= 0x80)
				ascii = 0;
		if (o > 0) {
			if (o >= DOMAIN_MAX)
				goto toolong;
			out[o++] = '.';
		}
		if (ascii) {
			if (llen > DOMAIN_MAX - o)
				goto toolong;
			for (size_t i = 0; i < llen; i++) {
				char c = key[start + i];
				out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
			}
		} else {
			uint32_t cp[DOMAIN_LABEL_MAX + 1];
			size_t ncp;
			int n;

			if (utf8_decode((const unsigned char *)key + start, llen, cp,
			    DOMAIN_LABEL_MAX + 1, &ncp) < 0) {
				*why = "invalid UTF-8";
				return DOMAIN_INVALID;
			}
			for (size_t i = 0; i < ncp; i++) {
				if (cp[i] >= 'A' && cp[i] <= 'Z')
					cp[i] += 'a' - 'A';
				else if (cp[i] < 0x80 && cp[i] != '-'
				    && !(cp[i] >= 'a' && cp[i] <= 'z')
				    && !(cp[i] >= '0' && cp[i] <= '9')) {
					*why = "invalid character in label";
					return DOMAIN_INVALID;
				}
			}
			n = puny_encode(cp, ncp, out + o, DOMAIN_MAX - o);
			if (n < 0)
				goto toolong;
			o += (size_t)n;
		}
		if (end == NULL)
			break;
		start = (size_t)(end - key) + 1;
	}
	out[o] = '\0';
	if (!domain_valid(out)) {
		*why = "not a valid domain name";
		return DOMAIN_INVALID;
	}
	return DOMAIN_OK;
toolong:
	*why = "name too long";
	return DOMAIN_INVALID;
}
