/*
 * base64 - RFC 4648 base64 decoding, see base64.h.
 */
#include "config.h"

#include "base64.h"

/* value - the 6 bits of letter c, or -1 */
static int
value(unsigned char c, int urlsafe)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (urlsafe && c == '-'))
		return 62;
	if (c == '/' || (urlsafe && c == '_'))
		return 63;
	return -1;
}

long
base64_decode(const char *s, size_t n, unsigned char *out, size_t cap, enum base64_kind kind)
{
	unsigned long acc = 0;
	int bits = 0;
	size_t o = 0, letters = 0, pad = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == '=') {
			if (kind == BASE64_LOOSE)
				break;
			pad++;
			continue;
		}
		if ((v = value(c, kind == BASE64_LOOSE)) < 0) {
			if (kind == BASE64_LOOSE
			    || (kind == BASE64_FWS && (c == ' ' || c == '\t' || c == '\r' || c == '\n')))
				continue;
			return -1;
		}
		if (pad)
			return -1;   /* a letter after the padding */
		letters++;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1ul << bits) - 1;
		}
	}
	if (pad > 2 || (kind == BASE64_STRICT && (letters + pad) % 4 != 0))
		return -1;
	return (long)o;
}
