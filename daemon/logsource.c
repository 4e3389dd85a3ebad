/*
 * logsource - follow the configured log files, see logsource.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "decision.h"
#include "evloop.h"
#include "ingest.h"
#include "log.h"
#include "logfollow.h"
#include "logsource.h"
#include "results.h"
#include "settings.h"
#include "store.h"
#include "storecheck.h"
#include "strmap.h"
#include "xalloc.h"

#define POLL_MSEC INT64_C(250)
#define TURN_BYTES ((size_t)4 * 1024 * 1024)   /* read per file per turn */
#define PURGE_SEC 3600

struct source {
	struct logfollow *lf;
	struct ingest *ig;
};

struct logsources {
	struct evloop *loop;
	struct store *st;
	struct ingest_config icfg;    /* ingests keep pointers into it */
	unsigned retention;
	size_t n;
	struct source *src;
	time_t next_purge;
	char *paused;            /* why nothing is counted, or NULL */
};

static void
line_cb(void *arg, const char *line, size_t len)
{
	ingest_line(arg, line, len);
}

/* commit - what was read, with the cursor it was read up to; -1 when the
 * store did not take it (it stays in memory, retried) */
static int
commit(struct source *s)
{
	struct logfollow_cursor c;

	if (logfollow_cursor(s->lf, &c) == 0)
		return ingest_commit(s->ig, &c);
	return 0;
}

static void
purge(struct logsources *ls)
{
	char cutoff[11];
	long n;

	decision_daystr(time(NULL) - (time_t)ls->retention, cutoff);
	if ((n = results_purge(ls->st, cutoff)) < 0)
		log_warnx("store: dropping results before %s: %s", cutoff, store_strerror(ls->st));
	else if (n > 0)
		log_info("store: dropped %ld result and decision records before %s", n, cutoff);
	ls->next_purge = time(NULL) + PURGE_SEC;
}

static void
on_poll(struct evloop *loop, void *arg)
{
	struct logsources *ls = arg;
	int behind = 0;

	/* while the store is lent or closed, nothing is read: reading resumes
	 * where the last commit left off */
	for (size_t i = 0; i < ls->n && store_is_open(ls->st); i++) {
		struct source *s = &ls->src[i];
		size_t n;

		/* counts the store did not take yet (disk full): no more
		 * reading until they are committed */
		if (ingest_pending(s->ig) > 0 && commit(s) < 0)
			continue;
		n = logfollow_poll(s->lf, TURN_BYTES, line_cb, s->ig);
		if (n > 0 || ingest_pending(s->ig) > 0)
			commit(s);
		behind |= n >= TURN_BYTES;
	}
	if (time(NULL) >= ls->next_purge && ls->paused == NULL && store_is_open(ls->st))
		purge(ls);
	/* catching up with a backlog: the next turn at once, after whatever
	 * else the loop has to do */
	evloop_timer_add(loop, behind ? 0 : POLL_MSEC, on_poll, ls);
}

struct logsources *
logsources_start(struct evloop *loop, struct store *st, const struct settings *cfg)
{
	struct logsources *ls;
	size_t nsrc;

	ls = xcalloc(1, sizeof(*ls));
	ls->loop = loop;
	ls->st = st;
	ls->retention = cfg->result_retention;
	ingest_config_init(&ls->icfg, cfg);
	nsrc = cfg->log_source.n;
	if (nsrc > 0) {
		char why[1024];
		int rc = storecheck_counting(st, why, sizeof(why));

		if (rc < 0)
			snprintf(why, sizeof(why), "%s", store_strerror(st));
		if (rc != 0) {
			log_errorx("store: %s; lookups are answered", why);
			ls->paused = xstrdup(why);
			nsrc = 0;
		}
	}
	for (size_t i = 0; i < nsrc; i++) {
		const char *path = cfg->log_source.v[i];
		struct source *s;
		struct logfollow_cursor c;
		int have = 0;

		ls->src = xreallocarray(ls->src, ls->n + 1, sizeof(*ls->src));
		s = &ls->src[ls->n++];
		s->lf = logfollow_new(path);
		s->ig = ingest_new(st, path, &ls->icfg);
		if (ingest_restore(s->ig, &c, &have) == 0 && have)
			logfollow_resume(s->lf, &c);
		log_info("log %s: following (reports from %s not counted)", path, ls->icfg.sender);
	}
	if (ls->paused == NULL)
		purge(ls);
	evloop_timer_add(loop, 0, on_poll, ls);
	return ls;
}

void
logsources_commit(struct logsources *ls)
{
	for (size_t i = 0; ls && i < ls->n; i++)
		if (ingest_pending(ls->src[i].ig) > 0)
			commit(&ls->src[i]);
}

void
logsources_stop(struct logsources *ls)
{
	if (ls == NULL)
		return;
	for (size_t i = 0; i < ls->n; i++) {
		commit(&ls->src[i]);
		ingest_free(ls->src[i].ig);
		logfollow_free(ls->src[i].lf);
	}
	free(ls->src);
	ingest_config_fini(&ls->icfg);
	free(ls->paused);
	free(ls);
}

int
logsources_get(const struct logsources *ls, size_t i, const char **path,
    struct ingest_stats *st)
{
	if (ls == NULL || i >= ls->n)
		return -1;
	*path = logfollow_path(ls->src[i].lf);
	ingest_get_stats(ls->src[i].ig, st);
	return 0;
}

unsigned long
logsources_gaps(const struct logsources *ls, size_t i)
{
	const char *last;

	return ls && i < ls->n ? logfollow_gaps(ls->src[i].lf, &last) : 0;
}

void
logsources_status(const struct logsources *ls, struct buf *out)
{
	if (ls && ls->paused)
		buf_printf(out, "counting: paused: %s\n", ls->paused);
	for (size_t i = 0; ls && i < ls->n; i++) {
		struct ingest_stats st;

		const char *gap = NULL;
		unsigned long gaps = logfollow_gaps(ls->src[i].lf, &gap);

		ingest_get_stats(ls->src[i].ig, &st);
		buf_printf(out, "log %s: lines=%llu skipped=%llu sessions=%llu failures=%llu "
		    "excluded=%llu gaps=%lu\n", logfollow_path(ls->src[i].lf), (unsigned long long)st.lines,
		    (unsigned long long)st.skipped, (unsigned long long)st.sessions,
		    (unsigned long long)st.failures, (unsigned long long)st.excluded, gaps);
		if (gap)
			buf_printf(out, "log %s: LINES LOST: %s\n", logfollow_path(ls->src[i].lf), gap);
	}
}
