/*
 * numparse - bounded number parsing, see numparse.h.
 */
#include "config.h"

#include <string.h>
#include <time.h>

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

int
numparse_day(const char *s, size_t len, time_t now, char out[11])
{
	uint64_t y, m, d;
	struct tm tm;
	time_t t;

	if ((len == 5 && memcmp(s, "today", 5) == 0)
	    || (len == 9 && memcmp(s, "yesterday", 9) == 0)) {
		t = len == 5 ? now : now - 86400;
		if (gmtime_r(&t, &tm) == NULL)
			return -1;
		strftime(out, 11, "%Y-%m-%d", &tm);
		return 0;
	}
	if (len != 10 || s[4] != '-' || s[7] != '-'
	    || numparse_uint(s, 4, 9999, &y) < 0 || numparse_uint(s + 5, 2, 12, &m) < 0
	    || numparse_uint(s + 8, 2, 31, &d) < 0 || y < 1970 || m < 1 || d < 1)
		return -1;
	/* the day must survive the round trip: 2026-02-30 does not */
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = 12;
	if ((t = timegm(&tm)) == (time_t)-1 || gmtime_r(&t, &tm) == NULL
	    || tm.tm_mday != (int)d || tm.tm_mon != (int)m - 1)
		return -1;
	memcpy(out, s, 10);
	out[10] = '\0';
	return 0;
}
