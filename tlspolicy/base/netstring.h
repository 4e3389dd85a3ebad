/*
 * netstring - codec for D. J. Bernstein's netstrings, "<len>:<payload>,".
 *
 * Pure functions on memory, no I/O.  The decoder distinguishes "need more
 * bytes" from a format error and from a payload over the caller's limit, so
 * a stream reader can wait, reject or close as each case deserves.  Digits
 * are checked against the limit as they are read: a length of many digits
 * is refused after at most a few bytes.
 */
#ifndef TLSPOLICY_NETSTRING_H
#define TLSPOLICY_NETSTRING_H

#include <stddef.h>

struct buf;

/* The framing around a payload at most: 20 digits, ':' and ','. */
#define NETSTRING_FRAMING_MAX 22

enum netstring_status {
	NETSTRING_OK = 0,
	NETSTRING_MORE,       /* incomplete: wait for more bytes */
	NETSTRING_ERR_FORMAT, /* not a netstring: non-digit, missing ',' */
	NETSTRING_ERR_SIZE,   /* declared length over the limit */
};

/*
 * netstring_decode - decode one netstring at the front of p[0..len).
 * On NETSTRING_OK, *payload points into p, *plen is its length and
 * *consumed the bytes used including framing.  Leading zeros and an empty
 * length ("" == 0) are accepted, as Postfix does.
 */
enum netstring_status netstring_decode(const char *p, size_t len, size_t limit,
    const char **payload, size_t *plen, size_t *consumed);

/* netstring_encode - append "<len>:<payload>," to out; -1 if out is full */
int netstring_encode(struct buf *out, const char *payload, size_t len);

const char *netstring_strerror(enum netstring_status status);

#endif
