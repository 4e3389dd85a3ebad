/*
 * logline - a bounded cursor over one log line, and the syslog time
 * stamps that the MTA log parsers (logparse_postfix, logparse_exim)
 * share.
 *
 * A struct logline is a view of the unread rest of a line: p[0..n).  It
 * points into the caller's line and owns nothing.  Every function reads
 * at most n bytes; on a mismatch it returns 0, and the cursor may then
 * have moved (callers give up on the line).
 */
#ifndef TLSPOLICY_LOGLINE_H
#define TLSPOLICY_LOGLINE_H

#include <stddef.h>
#include <time.h>

struct logline {
	const char *p;
	size_t n;
};

/* logline_eat - step over the literal lit if the line goes on with it */
int logline_eat(struct logline *s, const char *lit);
/* logline_digits - min..max decimal digits into *out */
int logline_digits(struct logline *s, size_t min, size_t max, unsigned long *out);
/* logline_skip - step over k bytes (k <= s->n) */
void logline_skip(struct logline *s, size_t k);

/* logline_local_hour - UTC seconds of local year (since 1900), mon (0-11),
 * day, hour:00:00; (time_t)-1 if mktime cannot tell.  Caches the last
 * hour asked for: a log's lines come hour after hour. */
time_t logline_local_hour(int year, int mon, int day, int hour);
/* logline_traditional - syslog's "Mmm dd HH:MM:SS " (local time; the
 * year is now's, or the one before for a stamp more than a day ahead) */
int logline_traditional(struct logline *s, time_t now, time_t *when);
/* logline_datetime - "YYYY-MM-DD<sep>HH:MM:SS", checked, into tm (no
 * time zone: tm_isdst is -1) */
int logline_datetime(struct logline *s, char sep, struct tm *tm);
/* logline_rfc3339 - "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh[:]mm|-hh[:]mm)",
 * not the blank after it */
int logline_rfc3339(struct logline *s, time_t *when);

#endif
