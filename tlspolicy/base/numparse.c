/*
 * numparse - bounded number parsing, see numparse.h.
 */
#include "config.h"

#include "numparse.h"

static int
numparse_base(const char *s, size_t len, unsigned base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] >= (char)('0' + base))
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int
numparse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	return numparse_base(s, len, 10, max, out);
}

int
numparse_octal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	return numparse_base(s, len, 8, max, out);
}

int
numparse_duration(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t mult = 1, v;

	if (len > 0) {
		switch (s[len - 1]) {
		case 's': mult = 1; len--; break;
		case 'm': mult = 60; len--; break;
		case 'h': mult = 3600; len--; break;
		case 'd': mult = 86400; len--; break;
		case 'w': mult = 604800; len--; break;
		default: break;
		}
	}
	if (numparse_uint(s, len, max, &v) < 0 || v > max / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int
numparse_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
