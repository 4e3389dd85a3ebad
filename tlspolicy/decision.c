/*
 * decision - decision records for the reporter, see decision.h.
 */
#include "config.h"

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
decision_record(struct store *st, const char *domain, const char *kind, const char *what,
    const char *value, size_t vlen)
{
	time_t now = time(NULL);
	struct tm tm;
	char day[16];
	struct buf key;

	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	buf_init(&key, 1024);
	buf_printf(&key, "%s\t%s\t%s\t%s", day, domain, kind, what);
	if (store_put(st, NULL, STORE_DB_DECISION, key.data, key.len, value, vlen) < 0)
		log_warnx("store: %s decision for %s not recorded: %s", kind, domain,
		    store_strerror(st));
	buf_fini(&key);
}
