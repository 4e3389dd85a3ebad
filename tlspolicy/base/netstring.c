/*
 * netstring - netstring codec, see netstring.h.
 */
#include "config.h"

#include <stdio.h>

#include "buf.h"
#include "netstring.h"

/* More digits than this are abuse even with leading zeros. */
#define NETSTRING_MAX_DIGITS 20

enum netstring_status
netstring_decode(const char *p, size_t len, size_t limit,
    const char **payload, size_t *plen, size_t *consumed)
{
	size_t i, n = 0;

	for (i = 0; i < len && p[i] != ':'; i++) {
		unsigned d;

		if (p[i] < '0' || p[i] > '9')
			return NETSTRING_ERR_FORMAT;
		d = (unsigned)(p[i] - '0');
		if (i >= NETSTRING_MAX_DIGITS || d > limit || n > (limit - d) / 10)
			return NETSTRING_ERR_SIZE;
		n = n * 10 + d;
	}
	if (i == len)
		return NETSTRING_MORE;
	i++; /* ':' */
	if (len - i < n + 1)
		return NETSTRING_MORE;
	if (p[i + n] != ',')
		return NETSTRING_ERR_FORMAT;
	*payload = p + i;
	*plen = n;
	*consumed = i + n + 1;
	return NETSTRING_OK;
}

int
netstring_encode(struct buf *out, const char *payload, size_t len)
{
	char head[24];
	int n = snprintf(head, sizeof(head), "%zu:", len);
	size_t old = out->len;

	if (buf_append(out, head, (size_t)n) < 0 || buf_append(out, payload, len) < 0
	    || buf_append(out, ",", 1) < 0) {
		out->len = old;
		if (out->data)
			out->data[old] = '\0';
		return -1;
	}
	return 0;
}

const char *
netstring_strerror(enum netstring_status status)
{
	switch (status) {
	case NETSTRING_OK: return "ok";
	case NETSTRING_MORE: return "incomplete netstring";
	case NETSTRING_ERR_FORMAT: return "input format error";
	case NETSTRING_ERR_SIZE: return "input exceeds size limit";
	}
	return "unknown error";
}
