/*
 * exim - Exim ${readsocket} request handling, see exim.h.
 *
 * The decision is the socketmap one (map "postfix"), turned into Exim's
 * terms: an answer from the local table by its level; "dane-only" and
 * "dane" as they are; an MTA-STS enforce policy with its MX patterns.
 * Where the socketmap answers NOTFOUND, an unexpired cached MTA-STS policy
 * in testing mode answers "testing" with its patterns, anything else
 * "none".
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "answercache.h"
#include "buf.h"
#include "daemon.h"
#include "exim.h"
#include "localpolicy.h"
#include "log.h"
#include "lookup.h"
#include "metrics.h"
#include "mtasts.h"
#include "resolve.h"
#include "server.h"

/* server_req_once() bits */
#define ONCE_BAD_REQUEST 0

/* sts_cached - the unexpired cached MTA-STS policy of domain, or NULL */
static const struct mtasts_entry *
sts_cached(struct daemon *d, const char *domain)
{
	const struct mtasts_entry *e;
	int resolving;

	if (d->mtasts == NULL || domain[0] == '\0')
		return NULL;
	e = mtasts_get(d->mtasts, domain, &resolving);
	return e->have_policy && time(NULL) < e->expires ? e : NULL;
}

/* exim_format - the Exim answer for a decision; kept in the answer cache
 * beside the decision, as long as it holds */
static void
exim_format(struct daemon *d, const struct resolve_result *res, struct buf *reply)
{
	const struct localpolicy_entry *le;
	const struct mtasts_entry *se;
	const char *kept;
	size_t start = reply->len;
	time_t now = res->until ? time(NULL) : 0;

	/* a lookup that asks why (log_level debug) is formatted and logged */
	if (!res->explain && res->until > now && answercache_get(d->answers, res->domain,
	    ANSWERCACHE_EXIM, now, &kept, NULL) && kept != NULL) {
		if (res->status == RESOLVE_OK)
			d->stats.ok++;
		else
			d->stats.notfound++;
		buf_puts(reply, kept);
		return;
	}
	switch (res->status) {
	case RESOLVE_OK:
		d->stats.ok++;
		if ((le = localpolicy_get(d->local, res->domain)) != NULL
		    && strcmp(le->answer, res->answer) == 0)
			eximanswer_mode(reply, eximanswer_local_mode(res->answer), NULL);
		else if (strcmp(res->answer, "dane-only") == 0 || strcmp(res->answer, "dane") == 0)
			eximanswer_mode(reply, res->answer, NULL);
		else if ((se = sts_cached(d, res->domain)) != NULL && se->mode == STS_MODE_ENFORCE)
			eximanswer_mode(reply, "enforce", se->policy);
		else
			/* not expected: an answer of an unknown source */
			eximanswer_mode(reply, eximanswer_local_mode(res->answer), NULL);
		break;
	case RESOLVE_NOTFOUND:
	case RESOLVE_PENDING:
		d->stats.notfound++;
		if (res->domain[0] == '\0') {
			eximanswer_reason(reply, "error", "not a domain name", 17);
			break;
		}
		if ((se = sts_cached(d, res->domain)) != NULL && se->mode == STS_MODE_TESTING)
			eximanswer_mode(reply, "testing", se->policy);
		else
			eximanswer_mode(reply, "none", NULL);
		break;
	}
	if (log_level_enabled(LOG_LEVEL_DEBUG))
		log_debug("exim lookup domain=%s reply=\"%.200s\" reason=\"%s\"",
		    res->domain[0] ? res->domain : "-", reply->data ? reply->data : "", res->why);
	/* the reply holds as long as the decision: it was made from the
	 * same MTA-STS entry (resolve.h) */
	if (res->until > now && reply->data != NULL && reply->len > start
	    && memchr(reply->data + start, '\0', reply->len - start) == NULL)
		answercache_put(d->answers, res->domain, ANSWERCACHE_EXIM, reply->data + start,
		    res->until, now);
}

enum server_result
exim_handle(void *arg, const char *req, size_t len, struct buf *reply, const char *peer,
    struct server_req *sr)
{
	struct daemon *d = arg;
	const char *why;
	char shown[80];
	size_t dlen;
	int off;

	d->stats.lookups++;
	if ((off = eximanswer_request(req, len, &dlen, &why)) < 0) {
		d->stats.errors++;
		if (server_req_once(sr, ONCE_BAD_REQUEST))
			log_warnx("exim: %s: malformed request \"%s\": %s", peer,
			    log_printable(shown, sizeof(shown), req, len), why);
		eximanswer_reason(reply, "error", why, strlen(why));
		metrics_lookup(METRICS_MAP_EXIM, METRICS_ANSWER_ERROR, 0);
		return SERVER_DONE;
	}
	return lookup_run(d, RESOLVE_MAP_POSTFIX, req + off, dlen, reply, sr, exim_format,
	    log_level_enabled(LOG_LEVEL_DEBUG), METRICS_MAP_EXIM);
}
