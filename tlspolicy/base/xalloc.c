/*
 * xalloc - allocate or die, see xalloc.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

static void *
xcheck(void *p, size_t size)
{
	if (p == NULL && size != 0)
		log_fatalx("out of memory allocating %zu bytes", size);
	return p;
}

void *
xmalloc(size_t size)
{
	return xcheck(malloc(size ? size : 1), size);
}

void *
xcalloc(size_t n, size_t size)
{
	return xcheck(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		log_fatalx("allocation overflow: %zu * %zu", n, size);
	size_t total = n * size;

	return xcheck(realloc(ptr, total != 0 ? total : 1), total);
}

char *
xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
