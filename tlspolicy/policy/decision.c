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
	static int failing;     /* a failure was logged: quiet until a write works */
	char day[11];
	struct buf key;
	int rc;

	decision_daystr(time(NULL), day);
	buf_init(&key, 1024);
	buf_printf(&key, "%s\t%s\t%s\t%s", day, domain, kind, what);
	/* A lookup waits for this write: the commit goes to the operating
	 * system, which keeps it through a crash of the process, and the disk
	 * gets it with the next durable commit or checkpoint. */
	rc = store_put_lazy(st, STORE_DB_DECISION, key.data, key.len, value, vlen);
	if (rc < 0 && !failing)
		log_warnx("store: %s decision for %s not recorded: %s (more such failures are "
		    "not logged until a decision is recorded again)", kind, domain,
		    store_strerror(st));
	else if (rc == 0 && failing)
		log_warnx("store: decisions are recorded again");
	failing = rc < 0;
	buf_fini(&key);
}
