/*
 * storeown - owning and lending the store, see storeown.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "daemon.h"
#include "dane.h"
#include "decision.h"
#include "evloop.h"
#include "log.h"
#include "logsource.h"
#include "mtasts.h"
#include "numparse.h"
#include "store.h"
#include "storeown.h"
#include "xalloc.h"

#define RESAVE_MSEC INT64_C(30000)   /* retry of unsaved cache entries */

struct storeown {
	struct daemon *d;
	struct evloop_timer *timer;
	long lent_to;                 /* borrower's pid while lent, else 0 */
	unsigned long lends;
	int64_t closed_at;            /* when the store was closed */
	int64_t retake_at;            /* no try to reopen before */
	int64_t recover_delay, last_recovery;
	char reopen_error[256];       /* the last reopen failure, logged once */
	int failing;                  /* store_failing() at the last tick */
	int64_t next_resave;
	int64_t longest_lend;
	unsigned long recoveries;     /* reopenings tried after failed writes or panics */
};

/* write_back - what waits in memory, now that the store takes writes */
static void
write_back(struct storeown *so)
{
	struct daemon *d = so->d;
	size_t queued, left, unsaved = 0;
	unsigned long long dropped;

	decision_queue_stats(&queued, &dropped);
	left = decision_flush(d->store);
	if (d->mtasts)
		unsaved += mtasts_save_unsaved(d->mtasts);
	if (d->dane)
		unsaved += dane_save_unsaved(d->dane);
	if (queued > 0 || left > 0 || unsaved > 0)
		log_info("store: %zu decision records written from memory, %zu still waiting, "
		    "%llu dropped so far; %zu cache entries still unsaved", queued - left, left,
		    dropped, unsaved);
	so->next_resave = evloop_clock_ms() + RESAVE_MSEC;
}

/* reopen - try to take the store back; 1 when it is open again */
static int
reopen(struct storeown *so, int64_t now)
{
	struct store *st = so->d->store;
	long holder = 0;
	int rc;

	if (so->lent_to == 0)
		so->recoveries++;
	rc = store_resume(st, &holder);

	if (rc == STORE_BUSY)
		return 0;
	if (rc < 0) {
		if (strcmp(so->reopen_error, store_strerror(st)) != 0) {
			snprintf(so->reopen_error, sizeof(so->reopen_error), "%s", store_strerror(st));
			log_warnx("store: cannot open it, answering from memory and retrying: %s",
			    so->reopen_error);
		}
		so->recover_delay = so->recover_delay ? so->recover_delay * 2
		    : STOREOWN_RECOVER_MIN_MSEC;
		if (so->recover_delay > STOREOWN_RECOVER_MAX_MSEC)
			so->recover_delay = STOREOWN_RECOVER_MAX_MSEC;
		so->retake_at = now + so->recover_delay;
		return 0;
	}
	if (so->lent_to) {
		if (now - so->closed_at > so->longest_lend)
			so->longest_lend = now - so->closed_at;
		log_info("store: back from pid %ld after %lld ms", so->lent_to,
		    (long long)(now - so->closed_at));
	} else if (!store_failing(st, NULL)) {
		log_info("store: open again (after %lld ms)", (long long)(now - so->closed_at));
	}
	so->lent_to = 0;
	so->reopen_error[0] = '\0';
	write_back(so);
	return 1;
}

static void
on_tick(struct evloop *loop, void *arg)
{
	struct storeown *so = arg;
	struct store *st = so->d->store;
	int64_t now = evloop_clock_ms();
	unsigned long failed = 0;
	int failing;

	if (!store_is_open(st)) {
		if (now >= so->retake_at)
			reopen(so, now);
	} else if (store_needs_recovery(st)) {
		if (now - so->last_recovery >= so->recover_delay) {
			/* after failed writes, announced already: quietly */
			if (store_failing(st, NULL))
				log_debug("store: reopening it with recovery after failed writes");
			else
				log_warnx("store: Berkeley DB asks for recovery (%s): reopening it",
				    store_strerror(st));
			so->recover_delay = so->recover_delay ? so->recover_delay * 2
			    : STOREOWN_RECOVER_MIN_MSEC;
			if (so->recover_delay > STOREOWN_RECOVER_MAX_MSEC)
				so->recover_delay = STOREOWN_RECOVER_MAX_MSEC;
			so->last_recovery = now;
			store_suspend(st, "store being recovered");
			so->closed_at = now;
			so->retake_at = now;
			reopen(so, now);
		}
	} else if (now - so->last_recovery > STOREOWN_RECOVER_MAX_MSEC) {
		so->recover_delay = 0;
	}
	failing = store_failing(st, &failed);
	if (failing && !so->failing)
		log_warnx("store: writes failing, answering from memory, retrying with recovery: %s",
		    store_strerror(st));
	else if (!failing && so->failing) {
		log_info("store: writes work again (%lu failed writes so far)", failed);
		write_back(so);
	}
	so->failing = failing;
	if (store_is_open(st) && !failing && now >= so->next_resave)
		write_back(so);
	so->timer = evloop_timer_add(loop, STOREOWN_TICK_MSEC, on_tick, so);
}

struct storeown *
storeown_start(struct daemon *d)
{
	struct storeown *so = xcalloc(1, sizeof(*so));

	so->d = d;
	so->next_resave = evloop_clock_ms() + RESAVE_MSEC;
	so->timer = evloop_timer_add(d->loop, STOREOWN_TICK_MSEC, on_tick, so);
	return so;
}

void
storeown_lend(struct storeown *so, const char *args, size_t len, struct buf *reply)
{
	struct store *st = so->d->store;
	uint64_t pid = 0;
	int64_t now = evloop_clock_ms();
	char why[64];

	if (len == 0 || numparse_uint(args, len, 4194304, &pid) < 0 || pid == 0) {
		buf_puts(reply, "ERR lend PID");
		return;
	}
	if (store_is_open(st)) {
		/* the log sources' counts with their cursors, then close */
		logsources_commit(so->d->logs);
		decision_flush(st);
		snprintf(why, sizeof(why), "store lent to pid %llu", (unsigned long long)pid);
		store_suspend(st, why);
		so->lent_to = (long)pid;
		so->lends++;
		so->closed_at = now;
		log_info("store: lent to pid %llu", (unsigned long long)pid);
	}
	/* lent already (to this or another client) or closed: the client
	 * tries the lock itself; give it the time to take it first */
	if (so->retake_at < now + STOREOWN_GRACE_MSEC)
		so->retake_at = now + STOREOWN_GRACE_MSEC;
	buf_puts(reply, "OK lent\n");
}

void
storeown_status(const struct storeown *so, struct buf *out)
{
	const struct store *st = so->d->store;
	size_t queued;
	unsigned long long dropped;
	unsigned long failed;

	decision_queue_stats(&queued, &dropped);
	store_failing(st, &failed);
	if (store_is_open(st))
		buf_puts(out, "store: open\n");
	else if (so->lent_to)
		buf_printf(out, "store: lent to pid %ld\n", so->lent_to);
	else
		buf_printf(out, "store: closed (%s)\n", store_strerror(st));
	buf_printf(out, "store_lends: %lu\nstore_longest_lend_ms: %lld\nstore_failed_writes: %lu\n"
	    "store_recoveries: %lu\ndecisions_queued: %zu\ndecisions_dropped: %llu\n", so->lends,
	    (long long)so->longest_lend, failed, so->recoveries, queued, dropped);
}

void
storeown_stop(struct storeown *so)
{
	size_t left;

	if (so == NULL)
		return;
	if (so->timer)
		evloop_timer_cancel(so->d->loop, so->timer);
	if (!store_is_open(so->d->store))
		store_resume(so->d->store, NULL);
	if ((left = decision_flush(so->d->store)) > 0)
		log_warnx("store: %zu decision records not written at exit: %s", left,
		    store_strerror(so->d->store));
	free(so);
}
