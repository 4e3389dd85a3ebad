/*
 * hostlatest - the newest line time of each logging host, see
 * hostlatest.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hostlatest.h"
#include "strmap.h"
#include "xalloc.h"

struct hostlatest {
	struct strmap *map;      /* host -> time_t * */
};

struct hostlatest *
hostlatest_new(void)
{
	struct hostlatest *h = xcalloc(1, sizeof(*h));

	h->map = strmap_new();
	return h;
}

void
hostlatest_free(struct hostlatest *h)
{
	if (h == NULL)
		return;
	strmap_free(h->map, free);
	free(h);
}

/* name - host[0..len) as a bounded string into out */
static void
name(char out[HOSTLATEST_NAME_MAX + 1], const char *host, size_t len)
{
	len = strnlen(host, len < HOSTLATEST_NAME_MAX ? len : HOSTLATEST_NAME_MAX);
	memcpy(out, host, len);
	out[len] = '\0';
}

void
hostlatest_note(struct hostlatest *h, const char *host, size_t len, time_t t)
{
	char key[HOSTLATEST_NAME_MAX + 1];
	time_t *p;

	name(key, host, len);
	if ((p = strmap_get(h->map, key)) == NULL) {
		p = xmalloc(sizeof(*p));
		*p = t;
		strmap_put(h->map, key, p);
	} else if (t > *p) {
		*p = t;
	}
}

int
hostlatest_get(const struct hostlatest *h, const char *host, size_t len, time_t *t)
{
	char key[HOSTLATEST_NAME_MAX + 1];
	const time_t *p;

	name(key, host, len);
	if ((p = strmap_get(h->map, key)) == NULL)
		return 0;
	*t = *p;
	return 1;
}
