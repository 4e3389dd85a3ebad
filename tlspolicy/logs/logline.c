/*
 * logline - a bounded cursor over a log line and syslog time stamps, see
 * logline.h.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "logline.h"

int
logline_eat(struct logline *s, const char *lit)
{
	size_t l = strlen(lit);

	if (s->n < l || memcmp(s->p, lit, l) != 0)
		return 0;
	s->p += l;
	s->n -= l;
	return 1;
}

int
logline_digits(struct logline *s, size_t min, size_t max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i = 0;

	while (i < s->n && i < max && s->p[i] >= '0' && s->p[i] <= '9')
		v = v * 10 + (unsigned long)(s->p[i++] - '0');
	if (i < min)
		return 0;
	s->p += i;
	s->n -= i;
	*out = v;
	return 1;
}

void
logline_skip(struct logline *s, size_t k)
{
	s->p += k;
	s->n -= k;
}

/* local_hour - UTC seconds of local year/mon/day hour:00:00 (mktime,
 * cached: a log's lines come hour after hour) */
time_t
logline_local_hour(int year, int mon, int day, int hour)
{
	static struct { int year, mon, day, hour; time_t t; } last = { -1, 0, 0, 0, 0 };
	struct tm tm;

	if (year == last.year && mon == last.mon && day == last.day && hour == last.hour)
		return last.t;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year;
	tm.tm_mon = mon;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_isdst = -1;
	last.t = mktime(&tm);
	last.year = year;
	last.mon = mon;
	last.day = day;
	last.hour = hour;
	return last.t;
}

int
logline_traditional(struct logline *s, time_t now, time_t *when)
{
	/* mktime() looks at the time zone file on every call: remember the
	 * year of now and the start of the last local hour seen */
	static struct { time_t now; int year; } cache = { (time_t)-1, 0 };
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm nowtm;
	unsigned long day, hh, mm, ss;
	int mon = -1;
	time_t t;

	if (s->n < 16)
		return 0;
	for (int i = 0; i < 12 && mon < 0; i++)
		if (s->p[0] == months[3 * i] && memcmp(s->p, months + (size_t)3 * (size_t)i, 3) == 0)
			mon = i;
	if (mon < 0 || s->p[3] != ' ')
		return 0;
	s->p += 4;
	s->n -= 4;
	logline_eat(s, " ");
	if (!logline_digits(s, 1, 2, &day) || !logline_eat(s, " ")
	    || !logline_digits(s, 2, 2, &hh) || !logline_eat(s, ":")
	    || !logline_digits(s, 2, 2, &mm) || !logline_eat(s, ":")
	    || !logline_digits(s, 2, 2, &ss) || !logline_eat(s, " ")
	    || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
		return 0;
	if (now != cache.now) {   /* once per second of input, not per line */
		localtime_r(&now, &nowtm);
		cache.now = now;
		cache.year = nowtm.tm_year;
	}
	t = logline_local_hour(cache.year, mon, (int)day, (int)hh);
	/* December's lines read in January */
	if (t != (time_t)-1 && t + (time_t)(mm * 60 + ss) > now + 86400)
		t = logline_local_hour(cache.year - 1, mon, (int)day, (int)hh);
	if (t == (time_t)-1)
		return 0;
	t += (time_t)(mm * 60 + ss);
	*when = t;
	return 1;
}

int
logline_datetime(struct logline *s, char sep, struct tm *tm)
{
	unsigned long y, mo, d, hh, mm, ss;
	char sepstr[2] = { sep, '\0' };

	if (!logline_digits(s, 4, 4, &y) || !logline_eat(s, "-")
	    || !logline_digits(s, 2, 2, &mo) || !logline_eat(s, "-")
	    || !logline_digits(s, 2, 2, &d) || !logline_eat(s, sepstr)
	    || !logline_digits(s, 2, 2, &hh) || !logline_eat(s, ":")
	    || !logline_digits(s, 2, 2, &mm) || !logline_eat(s, ":")
	    || !logline_digits(s, 2, 2, &ss))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60
	    || y < 1970 || y > 9999)
		return 0;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = (int)y - 1900;
	tm->tm_mon = (int)mo - 1;
	tm->tm_mday = (int)d;
	tm->tm_hour = (int)hh;
	tm->tm_min = (int)mm;
	tm->tm_sec = (int)ss;
	tm->tm_isdst = -1;
	return 1;
}

int
logline_rfc3339(struct logline *s, time_t *when)
{
	unsigned long oh = 0, om = 0, frac;
	struct tm tm;
	int sign;

	if (!logline_datetime(s, 'T', &tm))
		return 0;
	if (logline_eat(s, ".") && !logline_digits(s, 1, 9, &frac))
		return 0;
	if (logline_eat(s, "Z"))
		sign = 0;
	else if (logline_eat(s, "+"))
		sign = 1;
	else if (logline_eat(s, "-"))
		sign = -1;
	else
		return 0;
	if (sign && (!logline_digits(s, 2, 2, &oh)
	    || (logline_eat(s, ":"), !logline_digits(s, 2, 2, &om)) || oh > 23 || om > 59))
		return 0;
	*when = timegm(&tm) - sign * (time_t)(oh * 3600 + om * 60);
	return 1;
}
