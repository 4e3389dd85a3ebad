/*
 * resolve - answer sources in order, see resolve.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "answercache.h"
#include "localpolicy.h"
#include "log.h"
#include "dane.h"
#include "metrics.h"
#include "mtasts.h"
#include "strmap.h"
#include "resolve.h"

int
resolve_map_name(const char *name, size_t len)
{
	if (len == 7 && memcmp(name, "postfix", 7) == 0)
		return RESOLVE_MAP_POSTFIX;
	if (len == 14 && memcmp(name, "postfix-tlsrpt", 14) == 0)
		return RESOLVE_MAP_POSTFIX_TLSRPT;
	return -1;
}

/* explain - the reason, formatted only for callers that want it */
static void __attribute__((format(printf, 2, 3)))
explain(struct resolve_result *res, const char *fmt, ...)
{
	va_list ap;

	if (!res->explain)
		return;
	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
}

/* hold - the answer holds no longer than t (0: not at all) */
static void
hold(time_t *until, time_t t)
{
	if (t < *until)
		*until = t;
}

/* from_mtasts - the MTA-STS part of the decision */
static void
from_mtasts(const struct resolve_ctx *ctx, enum resolve_map map, int may_wait,
    struct resolve_result *res, time_t *until)
{
	int resolving;
	const struct mtasts_entry *e = mtasts_get(ctx->mtasts, res->domain, &resolving);
	time_t now = time(NULL);

	hold(until, mtasts_answer_until(ctx->mtasts, e));
	if (e->have_policy && now < e->expires) {
		mtasts_decided(ctx->mtasts, e);
		if (e->mode == STS_MODE_ENFORCE) {
			res->status = RESOLVE_OK;
			res->answer = map == RESOLVE_MAP_POSTFIX_TLSRPT ? e->answer_tlsrpt : e->answer;
			explain(res, "MTA-STS policy id %s, mode enforce%s",
			    e->id, e->last_error[0] ? " (last refresh failed; cached policy kept)" : "");
		} else {
			res->status = RESOLVE_NOTFOUND;
			explain(res, "MTA-STS policy id %s, mode %s: not enforced",
			    e->id, sts_mode_name(e->mode));
		}
		return;
	}
	if (resolving && may_wait) {
		res->status = RESOLVE_PENDING;
		res->waiting = RESOLVE_SOURCE_MTASTS;
		explain(res, "resolving MTA-STS policy");
		return;
	}
	res->status = RESOLVE_NOTFOUND;
	explain(res, "no MTA-STS policy for %s%s%s%s", res->domain,
	    e->last_error[0] ? ": " : "", e->last_error,
	    resolving ? " (resolution in progress)" : "");
}

/* sts_enforced - an unexpired MTA-STS enforce policy is cached */
static const struct mtasts_entry *
sts_enforced(const struct resolve_ctx *ctx, const char *domain, int *resolving, time_t *until)
{
	const struct mtasts_entry *e;

	*resolving = 0;
	if (ctx->mtasts == NULL)
		return NULL;
	e = mtasts_get(ctx->mtasts, domain, resolving);
	hold(until, mtasts_answer_until(ctx->mtasts, e));
	return e->have_policy && e->mode == STS_MODE_ENFORCE && time(NULL) < e->expires ? e : NULL;
}

/* from_dane - the DANE part; 0 when MTA-STS decides */
static int
from_dane(const struct resolve_ctx *ctx, enum resolve_map map, int may_wait,
    struct resolve_result *res, time_t *until)
{
	int resolving, sts_resolving;
	const struct dane_entry *de = dane_get(ctx->dane, res->domain, &resolving);
	const struct mtasts_entry *se;

	hold(until, dane_answer_until(de));
	/* MTA-STS resolves in parallel; it is needed when DANE does not apply */
	se = sts_enforced(ctx, res->domain, &sts_resolving, until);
	switch (de->verdict) {
	case DANE_UNKNOWN:
		if (resolving && may_wait) {
			/* DANE wins, so only its end can change the answer;
			 * MTA-STS is looked at again then */
			res->status = RESOLVE_PENDING;
			res->waiting = RESOLVE_SOURCE_DANE;
			explain(res, "resolving DANE and MTA-STS");
			return 1;
		}
		return 0;
	case DANE_ALL:
	case DANE_SOME:
		dane_decided(ctx->dane, de);
		res->status = RESOLVE_OK;
		res->answer = de->verdict == DANE_ALL ? "dane-only" : "dane";
		explain(res, "DANE: %s", de->why);
		return 1;
	case DANE_ERROR:
		if (se) {
			mtasts_decided(ctx->mtasts, se);
			res->status = RESOLVE_OK;
			res->answer = map == RESOLVE_MAP_POSTFIX_TLSRPT ? se->answer_tlsrpt : se->answer;
			explain(res, "DANE lookups failed (%s); the cached MTA-STS enforce policy id %s "
			    "holds", de->why, se->id);
			return 1;
		}
		res->status = RESOLVE_OK;
		res->answer = "dane";
		explain(res, "DANE lookups failed (%s): Postfix applies its own DNSSEC rules", de->why);
		return 1;
	case DANE_NONE:
		break;
	}
	return 0;
}

/* from_sources - DANE, then MTA-STS; *until lowered to when the answer
 * stops holding */
static void
from_sources(const struct resolve_ctx *ctx, enum resolve_map map, int may_wait,
    struct resolve_result *res, time_t *until)
{
	if (ctx->dane && from_dane(ctx, map, may_wait, res, until))
		return;
	if (ctx->mtasts) {
		from_mtasts(ctx, map, may_wait, res, until);
		return;
	}
	res->status = RESOLVE_NOTFOUND;
	explain(res, "no policy known for %s", res->domain);
}

void
resolve_lookup(const struct resolve_ctx *ctx, enum resolve_map map,
    const char *key, size_t len, int may_wait, struct resolve_result *res)
{
	const struct localpolicy_entry *e;
	const char *why = NULL, *answer;
	char shown[80];
	time_t now, until;

	res->answer = NULL;
	res->until = 0;
	res->domain[0] = '\0';
	res->why[0] = '\0';
	res->waiting = RESOLVE_SOURCE_NONE;
	switch (domain_normalize(key, len, res->domain, &why)) {
	case DOMAIN_NEXTHOP:
		res->domain[0] = '\0';
		res->status = RESOLVE_NOTFOUND;
		snprintf(res->why, sizeof(res->why),
		    "key \"%s\" is a next-hop form (parent-domain probe, [host], host:port or address), not a policy domain",
		    log_printable(shown, sizeof(shown), key, len));
		return;
	case DOMAIN_INVALID:
		res->domain[0] = '\0';
		res->status = RESOLVE_NOTFOUND;
		explain(res, "key \"%s\" refused: %s",
		    log_printable(shown, sizeof(shown), key, len), why);
		return;
	case DOMAIN_OK:
		break;
	}
	if ((e = localpolicy_get(ctx->local, res->domain)) != NULL) {
		/* Table answers carry no TLSRPT attributes: Postfix >= 3.10
		 * refuses them on non-STS policies; both map names alike. */
		res->status = RESOLVE_OK;
		res->answer = e->answer;
		explain(res, "local policy table %s, line %u",
		    localpolicy_name(ctx->local), e->line);
		return;
	}
	if (ctx->dane_required && strmap_get(ctx->dane_required, res->domain) != NULL) {
		res->status = RESOLVE_OK;
		res->answer = "dane-only";
		explain(res, "DANE required for %s by dane_required_domains", res->domain);
		return;
	}
	now = time(NULL);
	if (ctx->answers != NULL && !res->explain) {
		int hit = answercache_get(ctx->answers, res->domain, (unsigned)map, now, &answer,
		    &res->until);

		metrics_cache_lookup(METRICS_CACHE_ANSWERS, hit);
		if (hit) {
			res->status = answer != NULL ? RESOLVE_OK : RESOLVE_NOTFOUND;
			res->answer = answer;
			return;
		}
	}
	/* a day's first answer records the day's decisions (decision.h) */
	until = (now / 86400 + 1) * 86400;
	from_sources(ctx, map, may_wait, res, &until);
	if (ctx->answers != NULL && res->status != RESOLVE_PENDING && until > now) {
		answercache_put(ctx->answers, res->domain, (unsigned)map,
		    res->status == RESOLVE_OK ? res->answer : NULL, until, now);
		res->until = until;
	}
}

struct watch *
resolve_watch(const struct resolve_ctx *ctx, const struct resolve_result *res,
    void (*cb)(void *), void *arg)
{
	switch (res->waiting) {
	case RESOLVE_SOURCE_DANE:
		return dane_watch(ctx->dane, res->domain, cb, arg);
	case RESOLVE_SOURCE_MTASTS:
		return mtasts_watch(ctx->mtasts, res->domain, cb, arg);
	case RESOLVE_SOURCE_NONE:
		break;
	}
	/* not a pending result: nothing to wait for */
	return NULL;
}
