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
#include "dane.h"
#include "mtasts.h"
#include "watch.h"
#include "xalloc.h"

struct waiter {
	struct daemon *d;
	struct server_req *sr;
	enum resolve_map map;
	char domain[DOMAIN_MAX + 1];
	lookup_format *fmt;
	int explain;
	struct evloop_timer *timer;
	struct watch *sts_watch;
	struct watch *dane_watch;
};

static void on_resolved(void *arg);
static void on_dane(void *arg);

static void
waiter_free(struct waiter *w)
{
	if (w->timer)
		evloop_timer_cancel(w->d->loop, w->timer);
	watch_cancel(w->sts_watch);
	watch_cancel(w->dane_watch);
	free(w);
}

/* waiter_arm - watch every resolution of the domain still running;
 * 0 if there is none left */
static int
waiter_arm(struct waiter *w)
{
	if (w->sts_watch == NULL && w->d->mtasts)
		w->sts_watch = mtasts_watch(w->d->mtasts, w->domain, on_resolved, w);
	if (w->dane_watch == NULL && w->d->dane)
		w->dane_watch = dane_watch(w->d->dane, w->domain, on_dane, w);
	return w->sts_watch != NULL || w->dane_watch != NULL;
}

/* waiter_done - decide with what is known now (may_wait: unless still
 * resolving), and reply; 0 if it must wait longer */
static int
waiter_done(struct waiter *w, int may_wait)
{
	struct resolve_result res;
	struct buf reply;

	res.explain = w->explain;
	resolve_lookup(&w->d->rctx, w->map, w->domain, strlen(w->domain), may_wait, &res);
	if (res.status == RESOLVE_PENDING && waiter_arm(w))
		return 0;
	if (res.status == RESOLVE_PENDING)
		resolve_lookup(&w->d->rctx, w->map, w->domain, strlen(w->domain), 0, &res);
	buf_init(&reply, server_req_reply_max(w->sr));
	w->fmt(w->d, &res, &reply);
	server_req_reply(w->sr, reply.data ? reply.data : "", reply.len);
	buf_fini(&reply);
	return 1;
}

static void
on_resolved(void *arg)
{
	struct waiter *w = arg;

	w->sts_watch = NULL;   /* freed by mtasts after this call */
	if (waiter_done(w, 1))
		waiter_free(w);
}

static void
on_dane(void *arg)
{
	struct waiter *w = arg;

	w->dane_watch = NULL;  /* freed by dane after this call */
	if (waiter_done(w, 1))
		waiter_free(w);
}

static void
on_timeout(struct evloop *loop, void *arg)
{
	struct waiter *w = arg;

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
    struct buf *reply, struct server_req *sr, lookup_format *fmt, int explain)
{
	struct resolve_result res;
	struct waiter *w;

	res.explain = explain;
	resolve_lookup(&d->rctx, map, key, len, d->cfg.lookup_timeout > 0, &res);
	if (res.status != RESOLVE_PENDING) {
		fmt(d, &res, reply);
		return SERVER_DONE;
	}
	w = xcalloc(1, sizeof(*w));
	w->d = d;
	w->sr = sr;
	w->map = map;
	w->fmt = fmt;
	w->explain = explain;
	memcpy(w->domain, res.domain, sizeof(w->domain));
	if (!waiter_arm(w)) {
		/* resolution already over: answer now */
		free(w);
		resolve_lookup(&d->rctx, map, key, len, 0, &res);
		fmt(d, &res, reply);
		return SERVER_DONE;
	}
	w->timer = evloop_timer_add(d->loop, (int64_t)d->cfg.lookup_timeout * 1000, on_timeout, w);
	server_req_on_cancel(sr, on_cancel, w);
	return SERVER_PENDING;
}
