/*
 * decision - decision records for the reporter, see decision.h.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "decision.h"
#include "log.h"
#include "store.h"

long
decision_day(void)
{
	return (long)(time(NULL) / 86400);
}

void
decision_daystr(time_t t, char out[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

void
decision_record(struct store *st, const char *domain, const char *kind, const char *what,
    const char *value, size_t vlen)
{
	char day[11];
	struct buf key;

	decision_daystr(time(NULL), day);
	buf_init(&key, 1024);
	buf_printf(&key, "%s\t%s\t%s\t%s", day, domain, kind, what);
	if (store_put(st, NULL, STORE_DB_DECISION, key.data, key.len, value, vlen) < 0)
		log_warnx("store: %s decision for %s not recorded: %s", kind, domain,
		    store_strerror(st));
	buf_fini(&key);
}
