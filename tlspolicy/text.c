/*
 * text - bounded string copies, see text.h.
 */
#include "config.h"

#include <string.h>

#include "text.h"

size_t
text_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}
