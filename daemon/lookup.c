/*
 * lookup - lookups that may wait for a resolution, see lookup.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "daemon.h"
#include "evloop.h"
#include "lookup.h"
#include "resolve.h"
#include "watch.h"
#include "xalloc.h"

struct lookup_wait {
	struct daemon *d;
	struct server_req *sr;     /* the client answered, or: */
	lookup_done *done;         /* called with the decision */
	void *done_arg;
	enum resolve_map map;
	char domain[DOMAIN_MAX + 1];
	lookup_format *fmt;
	int explain;
	struct evloop_timer *timer;
	struct watch *watch;       /* the source the answer waits for */
	enum metrics_map mmap;
	double started;            /* metrics_now() at the request */
};

static void on_resolved(void *arg);

/* count - the answer res in the metrics */
static void
count(enum metrics_map mmap, const struct resolve_result *res, double started)
{
	if (mmap == METRICS_MAP_COUNT)
		return;
	metrics_lookup(mmap, metrics_answer_kind(res->status == RESOLVE_OK ? res->answer : NULL),
	    metrics_now() - started);
}

/* decide - resolve_lookup(), counted for "tlspolicyctl status" */
static void
decide(struct daemon *d, enum resolve_map map, const char *key, size_t len, int may_wait,
    int explain, struct resolve_result *res)
{
	d->stats.resolves++;
	res->explain = explain;
	resolve_lookup(&d->rctx, map, key, len, may_wait, res);
}

static void
waiter_free(struct lookup_wait *w)
{
	if (w->timer)
		evloop_timer_cancel(w->d->loop, w->timer);
	watch_cancel(w->watch);
	free(w);
}

/* waiter_done - decide with what is known now (may_wait: unless a source
 * is still resolving), and reply; 0 if it waits for that source */
static int
waiter_done(struct lookup_wait *w, int may_wait)
{
	struct resolve_result res;
	struct buf reply;

	decide(w->d, w->map, w->domain, strlen(w->domain), may_wait, w->explain, &res);
	if (res.status == RESOLVE_PENDING) {
		w->watch = resolve_watch(&w->d->rctx, &res, on_resolved, w);
		return 0;
	}
	if (w->done) {
		w->done(w->done_arg, &res);
		return 1;
	}
	buf_init(&reply, server_req_reply_max(w->sr));
	w->fmt(w->d, &res, &reply);
	count(w->mmap, &res, w->started);
	server_req_reply(w->sr, reply.data ? reply.data : "", reply.len);
	buf_fini(&reply);
	return 1;
}

static void
on_resolved(void *arg)
{
	struct lookup_wait *w = arg;

	w->watch = NULL;       /* freed by the source after this call */
	w->d->stats.wakeups++;
	if (waiter_done(w, 1))
		waiter_free(w);
}

static void
on_timeout(struct evloop *loop, void *arg)
{
	struct lookup_wait *w = arg;

	(void)loop;
	w->timer = NULL;
	waiter_done(w, 0);
	waiter_free(w);
}

static void
on_cancel(void *arg)
{
	waiter_free(arg);
}

enum server_result
lookup_run(struct daemon *d, enum resolve_map map, const char *key, size_t len,
    struct buf *reply, struct server_req *sr, lookup_format *fmt, int explain,
    enum metrics_map mmap)
{
	struct resolve_result res;
	struct lookup_wait *w;
	double started = mmap != METRICS_MAP_COUNT ? metrics_now() : 0;

	decide(d, map, key, len, d->cfg.lookup_timeout > 0, explain, &res);
	if (res.status != RESOLVE_PENDING) {
		fmt(d, &res, reply);
		count(mmap, &res, started);
		return SERVER_DONE;
	}
	w = xcalloc(1, sizeof(*w));
	w->d = d;
	w->sr = sr;
	w->map = map;
	w->fmt = fmt;
	w->explain = explain;
	w->mmap = mmap;
	w->started = started;
	memcpy(w->domain, res.domain, sizeof(w->domain));
	/* never NULL for a pending result (resolve.h); the timer ends the
	 * wait in any case */
	w->watch = resolve_watch(&d->rctx, &res, on_resolved, w);
	w->timer = evloop_timer_add(d->loop, (int64_t)d->cfg.lookup_timeout * 1000, on_timeout, w);
	server_req_on_cancel(sr, on_cancel, w);
	return SERVER_PENDING;
}

struct lookup_wait *
lookup_start(struct daemon *d, enum resolve_map map, const char *key, size_t len, int explain,
    struct resolve_result *res, lookup_done *done, void *arg)
{
	struct lookup_wait *w;

	decide(d, map, key, len, d->cfg.lookup_timeout > 0, explain, res);
	if (res->status != RESOLVE_PENDING)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->d = d;
	w->done = done;
	w->done_arg = arg;
	w->map = map;
	w->explain = explain;
	w->mmap = METRICS_MAP_COUNT;
	memcpy(w->domain, res->domain, sizeof(w->domain));
	w->watch = resolve_watch(&d->rctx, res, on_resolved, w);
	w->timer = evloop_timer_add(d->loop, (int64_t)d->cfg.lookup_timeout * 1000, on_timeout, w);
	return w;
}

void
lookup_cancel(struct lookup_wait *w)
{
	if (w != NULL)
		waiter_free(w);
}
