/*
 * bounce - failed recipients of a DSN, see bounce.h.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "bounce.h"

/* field_value - the value of header field name (with its colon) on the
 * line p[0..len), leading blanks skipped; NULL if the line is another
 * field or has nothing after the name */
static const char *
field_value(const char *p, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *v;

	if (len <= n || strncasecmp(p, name, n) != 0)
		return NULL;
	for (v = p + n; v < p + len && (*v == ' ' || *v == '\t'); v++)
		;
	return v;
}

unsigned
bounce_parse(const char *data, size_t len, void (*fn)(void *arg, const char *address), void *arg)
{
	char recipient[BOUNCE_ADDRESS_MAX] = "";
	const char *p = data, *end = data + len, *v;
	unsigned found = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *le;

		if (n > 0 && p[n - 1] == '\r')
			n--;
		le = p + n;
		if ((v = field_value(p, n, "Final-Recipient:")) != NULL) {
			const char *semi = memchr(v, ';', (size_t)(le - v));

			recipient[0] = '\0';
			if (semi) {
				for (v = semi + 1; v < le && (*v == ' ' || *v == '\t'); v++)
					;
				if ((size_t)(le - v) < sizeof(recipient)) {
					memcpy(recipient, v, (size_t)(le - v));
					recipient[le - v] = '\0';
				}
			}
		} else if ((v = field_value(p, n, "Action:")) != NULL && recipient[0]) {
			if ((size_t)(le - v) >= 6 && strncasecmp(v, "failed", 6) == 0) {
				for (char *c = recipient; *c; c++)
					if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
						*c = '?';
				fn(arg, recipient);
				found++;
			}
			recipient[0] = '\0';
		}
		p = nl ? nl + 1 : end;
	}
	return found;
}
