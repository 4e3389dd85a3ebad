/*
 * text - bounded string copies and clean text, see text.h.
 */
#include "config.h"

#include <string.h>

#include "text.h"

size_t
text_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	/* cut: not inside a UTF-8 sequence (at most 3 continuation bytes) */
	if (src[n] != '\0')
		for (size_t k = 0; k < 3 && n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80; k++)
			n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

size_t
text_utf8_char(const unsigned char *s, size_t len, unsigned long *cp)
{
	unsigned long c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4; c &= 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static int
control(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

int
text_clean_len(const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, n;
	unsigned long cp;

	while (i < len) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {   /* the common case */
			i++;
			continue;
		}
		if ((n = text_utf8_char(s + i, len - i, &cp)) == 0 || control(cp))
			return 0;
		i += n;
	}
	return 1;
}

size_t
text_clean(char *dst, size_t size, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, n;
	unsigned long cp;

	while (i < len) {
		const char *put;
		size_t plen;

		if (s[i] >= 0x20 && s[i] < 0x7f) {   /* the common case, a byte at a time */
			if (o + 1 >= size)
				break;
			dst[o++] = src[i++];
			continue;
		}
		if ((n = text_utf8_char(s + i, len - i, &cp)) == 0) {
			put = "\xef\xbf\xbd";   /* U+FFFD for one byte of a bad sequence */
			plen = 3;
			n = 1;
		} else if (control(cp)) {
			put = cp == '\t' ? " " : "?";
			plen = 1;
		} else {
			put = src + i;
			plen = n;
		}
		if (o + plen >= size)
			break;
		memcpy(dst + o, put, plen);
		o += plen;
		i += n;
	}
	dst[o] = '\0';
	return o;
}
