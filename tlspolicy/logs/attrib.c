/*
 * attrib - the policy a session counts against, see attrib.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "attrib.h"
#include "buf.h"
#include "decision.h"
#include "logparse_postfix.h"
#include "results.h"
#include "sessions.h"
#include "store.h"
#include "strmap.h"
#include "text.h"
#include "sts.h"
#include "xalloc.h"

#define DAY_STS_MAX 4
#define DAY_TLSA_MAX 16
#define CACHE_MAX 4096   /* (day, domain) entries before the cache restarts */

struct day_sts {
	char id[STS_ID_MAX + 1];
	struct sts_policy policy;
};

/* what the daemon decided for one domain on one day */
struct day_info {
	size_t nsts, ntlsa;
	struct day_sts *sts;                     /* [DAY_STS_MAX], when used */
	char (*tlsa)[DOMAIN_MAX + 1];            /* [DAY_TLSA_MAX], when used */
	char failure[40];
	char failure_detail[160];
};

static void
day_info_free(void *p)
{
	struct day_info *d = p;

	free(d->sts);
	free(d->tlsa);
	free(d);
}

struct attrib {
	struct store *st;
	struct strmap *cache;   /* "day domain" -> struct day_info */
	long daynum;             /* the day last formatted, days since 1970 */
	char day[11];
};

struct attrib *
attrib_new(struct store *st)
{
	struct attrib *a = xcalloc(1, sizeof(*a));

	a->st = st;
	a->cache = strmap_new();
	a->daynum = -1;
	return a;
}

void
attrib_free(struct attrib *a)
{
	if (a == NULL)
		return;
	strmap_free(a->cache, day_info_free);
	free(a);
}

static int
of_today(const char *key, void *value, void *arg)
{
	if (strncmp(key, arg, 10) != 0)
		return 0;
	day_info_free(value);
	return 1;
}

void
attrib_forget(struct attrib *a)
{
	char today[11];

	/* decisions are only ever added to the current day */
	decision_daystr(time(NULL), today);
	strmap_foreach_remove(a->cache, of_today, today);
}

/* load_one - one decision record of the day into d */
static void
load_one(void *arg, const char *kind, const char *what, const char *value, size_t vlen)
{
	struct day_info *d = arg;
	const char *why;

	if (strcmp(kind, "sts") == 0 && d->nsts < DAY_STS_MAX) {
		struct day_sts *s;

		if (d->sts == NULL)
			d->sts = xcalloc(DAY_STS_MAX, sizeof(*d->sts));
		s = &d->sts[d->nsts];
		if (sts_policy_parse(value, vlen, &s->policy, &why) == 0) {
			text_copy(s->id, sizeof(s->id), what);
			d->nsts++;
		}
	} else if (strcmp(kind, "tlsa") == 0 && d->ntlsa < DAY_TLSA_MAX) {
		if (d->tlsa == NULL)
			d->tlsa = xcalloc(DAY_TLSA_MAX, sizeof(*d->tlsa));
		text_copy(d->tlsa[d->ntlsa++], sizeof(d->tlsa[0]), what);
	} else if (strcmp(kind, "failure") == 0) {
		size_t n = vlen < sizeof(d->failure_detail) ? vlen : sizeof(d->failure_detail) - 1;

		text_copy(d->failure, sizeof(d->failure), what);
		memcpy(d->failure_detail, value, n);
		d->failure_detail[n] = '\0';
	}
}

static struct day_info *
lookup(struct attrib *a, const char *day, const char *domain)
{
	char ckey[16 + DOMAIN_MAX + 1];
	size_t dl = strnlen(day, 15), nl = strnlen(domain, DOMAIN_MAX);
	struct day_info *d;

	/* the cache key "day domain", by hand: this runs for every session */
	memcpy(ckey, day, dl);
	ckey[dl] = ' ';
	memcpy(ckey + dl + 1, domain, nl);
	ckey[dl + 1 + nl] = '\0';
	if ((d = strmap_get(a->cache, ckey)) == NULL) {
		if (strmap_count(a->cache) >= CACHE_MAX) {
			strmap_free(a->cache, day_info_free);
			a->cache = strmap_new();
		}
		d = xcalloc(1, sizeof(*d));
		/* on a store error: what was read, like a day without records */
		decision_foreach(a->st, day, domain, load_one, d);
		strmap_put(a->cache, ckey, d);
	}
	return d;
}

void
attrib_add(struct attrib *a, const char *day, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen)
{
	struct day_info *d = lookup(a, day, domain);
	struct day_info one;
	size_t i, at;

	/* read from the store with it (just written), or kept in memory, a
	 * record is added in the store's key order, as a reload reads them */
	if (strcmp(kind, "sts") == 0) {
		for (i = 0; i < d->nsts && strcmp(d->sts[i].id, what) < 0; i++)
			;
		if ((i < d->nsts && strcmp(d->sts[i].id, what) == 0) || d->nsts >= DAY_STS_MAX)
			return;
		at = i;
		load_one(d, kind, what, value, vlen);     /* appended, if it parses */
		if (d->nsts > at && at < d->nsts - 1 && strcmp(d->sts[d->nsts - 1].id, what) == 0) {
			struct day_sts s = d->sts[d->nsts - 1];

			memmove(&d->sts[at + 1], &d->sts[at], (d->nsts - 1 - at) * sizeof(s));
			d->sts[at] = s;
		}
	} else if (strcmp(kind, "tlsa") == 0) {
		for (i = 0; i < d->ntlsa && strcmp(d->tlsa[i], what) < 0; i++)
			;
		if ((i < d->ntlsa && strcmp(d->tlsa[i], what) == 0) || d->ntlsa >= DAY_TLSA_MAX)
			return;
		at = i;
		load_one(d, kind, what, value, vlen);
		if (at < d->ntlsa - 1) {
			memmove(&d->tlsa[at + 1], &d->tlsa[at], (d->ntlsa - 1 - at) * sizeof(d->tlsa[0]));
			text_copy(d->tlsa[at], sizeof(d->tlsa[0]), what);
		}
	} else if (strcmp(kind, "failure") == 0) {
		/* of several, the store's last key is read last and kept */
		memset(&one, 0, sizeof(one));
		load_one(&one, kind, what, value, vlen);
		if (d->failure[0] == '\0' || strcmp(one.failure, d->failure) >= 0) {
			memcpy(d->failure, one.failure, sizeof(d->failure));
			memcpy(d->failure_detail, one.failure_detail, sizeof(d->failure_detail));
		}
	}
}

static int
mx_in_policy(const struct sts_policy *p, const char *mx)
{
	for (size_t i = 0; i < p->nmx; i++)
		if (sts_mx_match(p->mx[i], mx))
			return 1;
	return 0;
}

static int
dane_failure(const char *type)
{
	return strcmp(type, "dnssec-invalid") == 0 || strcmp(type, "tlsa-invalid") == 0
	    || strcmp(type, "dane-required") == 0;
}

static void
set_failure(struct result_rec *r, const char *type, const char *reason)
{
	r->failure = 1;
	text_copy(r->result, sizeof(r->result), type);
	text_copy(r->reason, sizeof(r->reason), reason);
}

/* testing - judge a session as an enforce policy p would have */
static void
testing(const struct sts_policy *p, const struct session_outcome *o, struct result_rec *r)
{
	if (!o->success)
		return;   /* Postfix already logged a failure */
	if (!o->tls)
		set_failure(r, "starttls-not-supported", "");
	else if (o->mx[0] && !mx_in_policy(p, o->mx))
		set_failure(r, "certificate-host-mismatch", "mx-not-in-policy");
	else if (o->trust < LOGPARSE_TRUSTED)
		/* Exim's CV=no sessions carry what enforce would have failed with */
		set_failure(r, o->result_type[0] ? o->result_type : "certificate-not-trusted", "");
}

void
attrib_outcome(struct attrib *a, const struct session_outcome *o, const char *sendip,
    struct result_rec *r)
{
	const struct day_info *d;
	const struct day_sts *sts = NULL;

	memset(r, 0, sizeof(*r));
	if (o->when / 86400 != a->daynum) {
		a->daynum = (long)(o->when / 86400);
		decision_daystr(o->when, a->day);
	}
	memcpy(r->day, a->day, sizeof(r->day));
	text_copy(r->domain, sizeof(r->domain), o->domain);
	if (!o->success)
		set_failure(r, o->result_type, o->reason);
	text_copy(r->sendip, sizeof(r->sendip), sendip);
	text_copy(r->mx, sizeof(r->mx), o->mx);
	text_copy(r->rip, sizeof(r->rip), o->addr);
	d = lookup(a, r->day, o->domain);

	for (size_t i = 0; i < d->ntlsa; i++) {
		if (strcasecmp(d->tlsa[i], o->mx) == 0) {
			text_copy(r->ptype, sizeof(r->ptype), "tlsa");
			text_copy(r->pkey, sizeof(r->pkey), d->tlsa[i]);
			return;
		}
	}
	if (!o->success && dane_failure(o->result_type)) {
		text_copy(r->ptype, sizeof(r->ptype), "tlsa");
		text_copy(r->pkey, sizeof(r->pkey), o->mx[0] || d->ntlsa == 0 ? o->mx : d->tlsa[0]);
		return;
	}
	for (size_t i = 0; i < d->nsts; i++)
		if (sts == NULL || (o->mx[0] && mx_in_policy(&d->sts[i].policy, o->mx)
		    && !mx_in_policy(&sts->policy, o->mx)))
			sts = &d->sts[i];
	if (sts && sts->policy.mode != STS_MODE_NONE) {
		text_copy(r->ptype, sizeof(r->ptype), "sts");
		text_copy(r->pkey, sizeof(r->pkey), sts->id);
		if (sts->policy.mode == STS_MODE_TESTING)
			testing(&sts->policy, o, r);
		return;
	}
	if (sts == NULL && d->failure[0]) {
		text_copy(r->ptype, sizeof(r->ptype), "sts");
		set_failure(r, d->failure, d->failure_detail);
		return;
	}
	text_copy(r->ptype, sizeof(r->ptype), "no-policy-found");
}
