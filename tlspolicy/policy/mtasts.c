/*
 * mtasts - MTA-STS resolution and cache, see mtasts.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "buf.h"
#include "decision.h"
#include "dns.h"
#include "dnswire.h"
#include "evloop.h"
#include "httpresp.h"
#include "https.h"
#include "log.h"
#include "lru.h"
#include "metrics.h"
#include "mtasts.h"
#include "numparse.h"
#include "store.h"
#include "watch.h"
#include "xalloc.h"

#define SWEEP_SEC 60            /* the refresh budget is per this */
#define REFRESH_PER_SWEEP 20   /* proactive refreshes per sweep, at least */
#define RECORD_MAX (STS_BODY_MAX + 4096)
#define WALK_MSEC 500           /* a slice of the walk over the store */
#define WALK_SLICE 2500         /* records per slice: 5,000 a second */
#define USED_SAVE_AFTER 86400   /* last_used saved on eviction once this stale */

struct flight {
	struct mtasts *m;
	struct mtasts_entry *e;
	int pending;                  /* DNS queries and fetches outstanding */
	int txt_done;
	enum sts_txt_status txt;
	int txt_failed;               /* DNS error on the TXT lookup */
	char id[STS_ID_MAX + 1];
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
	int have4, have6;
	char addr_err[96];
	struct https_fetch *fetch;
	struct watchlist watchers;
};

struct mtasts {
	struct evloop *loop;
	struct dns *dns;
	struct https_client *https;
	struct store *store;
	struct mtasts_config cfg;
	struct lru *entries;          /* domain -> struct mtasts_entry */
	struct buf rec;               /* a record read from the store */
	struct evloop_timer *walk;
	char walk_after[DOMAIN_MAX + 1];  /* the walk goes on after this key */
	size_t walk_len;              /* its length; 0: from the start */
	unsigned long pass_n[4];      /* this pass: by mode, then without policy */
	unsigned long counted[4];     /* the last complete pass */
	int have_counted;
	time_t budget_from;           /* the refresh budget's minute */
	unsigned budget_used;
	mtasts_changed_fn *changed;   /* told of each domain whose data changed */
	void *changed_arg;
};

static const char no_error[] = "";
static void flight_start(struct mtasts *m, struct mtasts_entry *e);

/* changed - what is known of domain may have changed: tell the owner */
static void
changed(struct mtasts *m, const char *domain)
{
	if (m->changed != NULL)
		m->changed(m->changed_arg, domain);
}

/*
 * validity - how long e's policy counts as valid once fetched or confirmed
 * by an unchanged TXT id: its max_age, but no less than STS_MAX_AGE_MIN.
 * RFC 8461 allows max_age 0; taken literally, every lookup would expire
 * the policy it just obtained and start another check.
 */
static time_t
validity(const struct mtasts_entry *e)
{
	return e->max_age < STS_MAX_AGE_MIN ? (time_t)STS_MAX_AGE_MIN : (time_t)e->max_age;
}

/*
 * check_allowed - may a check of e start now?  Not while one runs, not
 * before retry_after, and not within STS_CHECK_MIN of the end of the last
 * one, whatever the cause: no remote data (an expired policy whose TXT
 * record went, an id that changes on every query) can make a domain be
 * checked more often.  A clock set back does not stop checks.
 */
static int
check_allowed(const struct mtasts_entry *e, time_t now)
{
	if (e->flight != NULL || now < e->retry_after)
		return 0;
	return now - e->checked >= STS_CHECK_MIN || now < e->checked;
}

/* set_error - e's last error: "" when text is NULL, else len bytes of it */
static void
set_error(struct mtasts_entry *e, const char *text, size_t len)
{
	if (e->last_error != no_error)
		free((char *)e->last_error);
	e->last_error = text == NULL || len == 0 ? no_error : xstrndup(text, len > 159 ? 159 : len);
}

/* --- entries and their records in the store ------------------------------ */

static void
entry_clear_policy(struct mtasts_entry *e)
{
	free(e->policy);
	free(e->answer);
	free(e->answer_tlsrpt);
	e->policy = e->answer = e->answer_tlsrpt = NULL;
	e->have_policy = 0;
}

/* entry_set_policy - parse text (a policy body) into e; -1 if invalid */
static int
entry_set_policy(struct mtasts_entry *e, const char *text, size_t len, const char **why)
{
	struct sts_policy *p = xmalloc(sizeof(*p));
	struct buf b;
	int rc = -1;

	buf_init(&b, ANSWER_POSTFIX_MAX);
	if (sts_policy_parse(text, len, p, why) < 0)
		goto done;
	entry_clear_policy(e);
	e->have_policy = 1;
	e->mode = p->mode;
	e->max_age = p->max_age;
	/* canonical text: what the reporter prints as policy strings */
	buf_printf(&b, "version: STSv1\nmode: %s\n", sts_mode_name(p->mode));
	for (size_t i = 0; i < p->nmx; i++)
		buf_printf(&b, "mx: %s\n", p->mx[i]);
	buf_printf(&b, "max_age: %u\n", p->max_age);
	e->policy = xstrndup(b.data, b.len);
	if (p->mode == STS_MODE_ENFORCE) {
		buf_reset(&b);
		sts_answer(p, e->domain, 0, &b);
		e->answer = xstrndup(b.data, b.len);
		buf_reset(&b);
		sts_answer(p, e->domain, 1, &b);
		e->answer_tlsrpt = xstrndup(b.data, b.len);
	}
	rc = 0;
done:
	buf_fini(&b);
	free(p);
	return rc;
}

static int entry_load(struct mtasts_entry *e, const char *rec, size_t len);

static void
entry_save(struct mtasts *m, struct mtasts_entry *e)
{
	struct buf b;

	if (e->provisional) {
		/* made while the store could not be read: a result without a
		 * policy does not replace the policy the store may have */
		int rc = store_get(m->store, NULL, STORE_DB_POLICY, e->domain, strlen(e->domain),
		    &m->rec);

		if (rc < 0) {
			e->unsaved = 1;
			return;
		}
		e->provisional = 0;
		if (rc == 0 && !e->have_policy) {
			time_t used = e->last_used, checked = e->checked, retry = e->retry_after;

			if (entry_load(e, m->rec.data, m->rec.len) == 0 && e->have_policy) {
				/* the policy the store had is served again */
				changed(m, e->domain);
				e->stored = 1;
				e->unsaved = 0;
				e->saved_used = e->last_used;
				/* what this resolution saw of the domain stays */
				e->last_used = used > e->last_used ? used : e->last_used;
				e->checked = checked > e->checked ? checked : e->checked;
				e->retry_after = retry > e->retry_after ? retry : e->retry_after;
				return;
			}
			e->last_used = used;
			e->checked = checked;
			e->retry_after = retry;
		}
	}
	buf_init(&b, RECORD_MAX);
	buf_printf(&b, "id %s\nfetched %lld\nexpires %lld\nchecked %lld\nlast_used %lld\n"
	    "retry_after %lld\nerror %s\n", e->id, (long long)e->fetched, (long long)e->expires,
	    (long long)e->checked, (long long)e->last_used, (long long)e->retry_after,
	    e->last_error);
	if (e->have_policy)
		buf_printf(&b, "policy\n%s", e->policy);
	/* lookups may wait for this: committed without waiting for the disk
	 * (a crash of the machine before the next checkpoint costs a fetch) */
	e->unsaved = store_put_lazy(m->store, STORE_DB_POLICY, e->domain, strlen(e->domain),
	    b.data, b.len) < 0;
	if (e->unsaved && store_should_log(m->store))
		log_warnx("store: policy of %s not saved yet: %s", e->domain,
		    store_strerror(m->store));
	if (!e->unsaved) {
		e->stored = 1;
		e->saved_used = e->last_used;
	}
	buf_fini(&b);
}

struct resave {
	struct mtasts *m;
	size_t left;
};

static void
resave_one(const char *key, void *value, void *arg)
{
	struct resave *r = arg;
	struct mtasts_entry *e = value;

	(void)key;
	if (e->unsaved) {
		entry_save(r->m, e);
		r->left += e->unsaved != 0;
	}
}

size_t
mtasts_save_unsaved(struct mtasts *m)
{
	struct resave r = { m, 0 };

	lru_foreach(m->entries, resave_one, &r);
	return r.left;
}

/* The fields of a record before its policy. */
struct header {
	const char *id, *error;
	size_t idlen, errlen;
	time_t fetched, expires, checked, last_used, retry_after;
	const char *policy;           /* the policy text, or NULL */
	size_t policylen;
};

/* header_parse - the fields of a record; -1 if it is bad */
static int
header_parse(const char *rec, size_t len, struct header *h)
{
	size_t pos = 0;

	memset(h, 0, sizeof(*h));
	h->id = h->error = "";
	while (pos < len) {
		const char *line = rec + pos, *nl = memchr(line, '\n', len - pos), *sp;
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		uint64_t v;
		time_t *field = NULL;

		pos += llen + 1;
		if (llen == 6 && memcmp(line, "policy", 6) == 0) {
			if (pos > len)
				return -1;
			h->policy = rec + pos;
			h->policylen = len - pos;
			return 0;
		}
		if ((sp = memchr(line, ' ', llen)) == NULL)
			return -1;
		if (sp - line == 2 && memcmp(line, "id", 2) == 0) {
			if ((size_t)(line + llen - sp - 1) > STS_ID_MAX)
				return -1;
			h->id = sp + 1;
			h->idlen = (size_t)(line + llen - sp - 1);
			continue;
		}
		if (sp - line == 5 && memcmp(line, "error", 5) == 0) {
			h->error = sp + 1;
			h->errlen = (size_t)(line + llen - sp - 1);
			continue;
		}
#define FIELD(name, f) if ((size_t)(sp - line) == sizeof(name) - 1 \
		    && memcmp(line, name, sizeof(name) - 1) == 0) field = &h->f;
		FIELD("fetched", fetched)
		FIELD("expires", expires)
		FIELD("checked", checked)
		FIELD("last_used", last_used)
		FIELD("retry_after", retry_after)
#undef FIELD
		if (field == NULL || numparse_uint(sp + 1, (size_t)(line + llen - sp - 1),
		    UINT32_MAX * 4ULL, &v) < 0)
			return -1;
		*field = (time_t)v;
	}
	return 0;
}

/* policy_mode - the mode line of a canonical policy text; -1 if none */
static int
policy_mode(const char *text, size_t len)
{
	static const char tag[] = "\nmode: ";

	for (size_t i = 0; i + sizeof(tag) - 1 < len; i++)
		if (text[i] == '\n' && memcmp(text + i, tag, sizeof(tag) - 1) == 0) {
			const char *w = text + i + sizeof(tag) - 1;
			size_t left = len - i - (sizeof(tag) - 1);

			for (int mode = STS_MODE_NONE; mode <= STS_MODE_ENFORCE; mode++) {
				const char *name = sts_mode_name((enum sts_mode)mode);
				size_t n = strlen(name);

				if (left > n && memcmp(w, name, n) == 0 && w[n] == '\n')
					return mode;
			}
			return -1;
		}
	return -1;
}

/* entry_load - rebuild an entry from its record; -1 if the record is bad */
static int
entry_load(struct mtasts_entry *e, const char *rec, size_t len)
{
	struct header h;
	const char *why;

	if (header_parse(rec, len, &h) < 0)
		return -1;
	memcpy(e->id, h.id, h.idlen);
	e->id[h.idlen] = '\0';
	set_error(e, h.error, h.errlen);
	e->fetched = h.fetched;
	e->expires = h.expires;
	e->checked = h.checked;
	e->last_used = h.last_used;
	e->retry_after = h.retry_after;
	return h.policy ? entry_set_policy(e, h.policy, h.policylen, &why) : 0;
}

static struct mtasts_entry *
entry_alloc(const char *domain)
{
	size_t len = strlen(domain);
	struct mtasts_entry *e = xcalloc(1, sizeof(*e) + len + 1);

	memcpy(e->domain, domain, len + 1);
	e->last_error = no_error;
	return e;
}

static void
entry_free(void *p)
{
	struct mtasts_entry *e = p;

	if (e == NULL)
		return;
	entry_clear_policy(e);
	set_error(e, NULL, 0);
	free(e);
}

/* load - the entry of domain from the store into memory; NULL if there is
 * none or it is bad (*unreadable 0), or the store could not be read
 * (*unreadable 1) */
static struct mtasts_entry *
load(struct mtasts *m, const char *domain, int *unreadable)
{
	struct mtasts_entry *e;
	int rc = store_get(m->store, NULL, STORE_DB_POLICY, domain, strlen(domain), &m->rec);

	*unreadable = rc < 0;
	if (rc != 0)
		return NULL;
	e = entry_alloc(domain);
	if (entry_load(e, m->rec.data ? m->rec.data : "", m->rec.len) < 0) {
		entry_free(e);
		return NULL;
	}
	e->stored = 1;
	e->saved_used = e->last_used;
	lru_put(m->entries, domain, e);
	return e;
}

/* find - the entry of domain in memory, else from the store */
static struct mtasts_entry *
find(struct mtasts *m, const char *domain)
{
	struct mtasts_entry *e = lru_get(m->entries, domain);
	int unreadable;

	return e ? e : load(m, domain, &unreadable);
}

/* entry_drop - remove e from memory and the store (not while in flight) */
static void
entry_drop(struct mtasts *m, struct mtasts_entry *e)
{
	if (e->flight)
		return;
	changed(m, e->domain);
	store_del(m->store, NULL, STORE_DB_POLICY, e->domain, strlen(e->domain));
	entry_free(lru_remove(m->entries, e->domain));
}

/* pinned - in memory while resolved, until saved, and until the store
 * could be read for it */
static int
pinned(void *value, void *arg)
{
	const struct mtasts_entry *e = value;

	(void)arg;
	return e->flight != NULL || e->unsaved || e->provisional;
}

/* evict - out of memory; a last use the store does not know of by more
 * than a day is saved first (it keeps the entry from being forgotten) */
static void
evict(const char *key, void *value, void *arg)
{
	struct mtasts_entry *e = value;

	(void)key;
	if (e->stored && e->last_used - e->saved_used >= USED_SAVE_AFTER)
		entry_save(arg, e);
	entry_free(e);
}

/* --- one resolution: TXT and addresses in parallel, then HTTPS -------- */

/* flight_end - the resolution is over: save the entry, or drop it */
static void
flight_end(struct flight *f, int drop)
{
	struct watchlist watchers = f->watchers;

	f->e->flight = NULL;
	f->e->checked = time(NULL);
	if (drop) {
		entry_drop(f->m, f->e);     /* which tells of the change */
	} else {
		changed(f->m, f->e->domain);
		entry_save(f->m, f->e);
	}
	free(f);
	/* watchers last: they may look the domain up again (and lookups of
	 * other domains may take e out of memory) */
	watch_fire(&watchers);
}

void
mtasts_decided(struct mtasts *m, const struct mtasts_entry *ce)
{
	struct mtasts_entry *e = (struct mtasts_entry *)ce;
	long today = decision_day();

	/* the hot path: one comparison per lookup once recorded */
	if (!e->have_policy || (e->decided_day == today && strcmp(e->decided_id, e->id) == 0))
		return;
	decision_record(m->store, e->domain, "sts", e->id, e->policy, strlen(e->policy));
	e->decided_day = today;
	memcpy(e->decided_id, e->id, sizeof(e->id));
}

static void
fail(struct flight *f, const char *type, const char *detail)
{
	struct mtasts_entry *e = f->e;
	long today = decision_day();

	char text[160];

	snprintf(text, sizeof(text), "%s: %.120s", type, detail);
	set_error(e, text, strlen(text));
	metrics_sts_failure(type);
	e->retry_after = time(NULL) + STS_RETRY_MIN;
	if (e->failed_day != today || e->failed_type == NULL || strcmp(e->failed_type, type) != 0) {
		decision_record(f->m->store, e->domain, "failure", type, detail, strlen(detail));
		e->failed_day = today;
		e->failed_type = type;   /* a string constant */
	}
	log_warnx("mta-sts domain=%s result=%s reason=\"%.120s\"%s", e->domain, type, detail,
	    e->have_policy && time(NULL) < e->expires ? " (cached policy kept)" : "");
}

static void
on_fetch(void *arg, enum https_result res, const struct httpresp *r, const struct buf *body,
    const char *why)
{
	struct flight *f = arg;
	struct mtasts_entry *e = f->e;
	char detail[160];
	const char *pwhy;

	f->fetch = NULL;
	f->pending--;
	if (res == HTTPS_CERT) {
		fail(f, "sts-webpki-invalid", why);
	} else if (res != HTTPS_OK) {
		fail(f, res == HTTPS_TOOLARGE ? "sts-policy-invalid" : "sts-policy-fetch-error",
		    why ? why : https_result_name(res));
	} else if (r->code != 200) {
		snprintf(detail, sizeof(detail), "HTTP status %d%s", r->code,
		    r->code >= 300 && r->code < 400 ? " (redirects are not followed)" : "");
		fail(f, "sts-policy-fetch-error", detail);
	} else if (strcmp(r->content_type, "text/plain") != 0) {
		snprintf(detail, sizeof(detail), "content type \"%.60s\" is not text/plain",
		    r->content_type);
		fail(f, "sts-policy-invalid", detail);
	} else {
		char *policy = e->policy, *answer = e->answer, *answer_tlsrpt = e->answer_tlsrpt;
		int have_policy = e->have_policy;
		enum sts_mode mode = e->mode;
		unsigned max_age = e->max_age;

		/* keep the old policy if the new one does not parse */
		e->policy = e->answer = e->answer_tlsrpt = NULL;
		if (entry_set_policy(e, body->data ? body->data : "", body->len, &pwhy) < 0) {
			e->policy = policy;
			e->answer = answer;
			e->answer_tlsrpt = answer_tlsrpt;
			e->have_policy = have_policy;
			e->mode = mode;
			e->max_age = max_age;
			fail(f, "sts-policy-invalid", pwhy);
		} else {
			free(policy);
			free(answer);
			free(answer_tlsrpt);
			memcpy(e->id, f->id, sizeof(e->id));
			e->fetched = time(NULL);
			e->expires = e->fetched + validity(e);
			e->retry_after = 0;
			set_error(e, NULL, 0);
			log_info("mta-sts domain=%s policy id=%s mode=%s max_age=%u fetched", e->domain,
			    e->id, sts_mode_name(e->mode), e->max_age);
		}
	}
	flight_end(f, 0);
}

/* flight_next - decide what to do once the DNS answers are in */
static void
flight_next(struct flight *f)
{
	struct mtasts_entry *e = f->e;
	time_t now = time(NULL);
	char host[DOMAIN_MAX + 16];

	if (!f->txt_done || f->pending > 0)
		return;
	if (f->txt_failed) {
		/* DNS trouble: change nothing, try again a little later */
		e->retry_after = now + 60;
		flight_end(f, 0);
		return;
	}
	if (f->txt != STS_TXT_OK) {
		if (e->have_policy && e->mode == STS_MODE_NONE && f->txt == STS_TXT_NONE) {
			flight_end(f, 1);
			return;
		}
		if (f->txt != STS_TXT_NONE)
			log_info("mta-sts domain=%s TXT record unusable (%s)", e->domain,
			    f->txt == STS_TXT_MULTIPLE ? "several STSv1 records" : "malformed");
		flight_end(f, 0);
		return;
	}
	if (e->have_policy && strcmp(e->id, f->id) == 0) {
		/* unchanged id: the domain still publishes the cached policy,
		 * which stays valid for max_age more, even if it had expired:
		 * a blocked policy host must not downgrade the domain */
		e->expires = now + validity(e);
		flight_end(f, 0);
		return;
	}
	if (now < e->retry_after) {
		flight_end(f, 0);
		return;
	}
	if (!f->have4 && !f->have6) {
		fail(f, "sts-policy-fetch-error", f->addr_err[0] ? f->addr_err
		    : "no address for the policy host");
		flight_end(f, 0);
		return;
	}
	snprintf(host, sizeof(host), "mta-sts.%s", e->domain);
	f->pending++;
	metrics_sts_fetch();
	f->fetch = https_get(f->m->https, f->m->loop, f->have4 ? (struct sockaddr *)&f->addr4
	    : (struct sockaddr *)&f->addr6, f->have4 ? sizeof(f->addr4) : sizeof(f->addr6),
	    host, "/.well-known/mta-sts.txt", f->m->cfg.fetch_timeout_ms, STS_BODY_MAX,
	    on_fetch, f);
}

static void
on_txt(void *arg, enum dns_status st, const struct dns_msg *msg, const char *why)
{
	struct flight *f = arg;

	f->pending--;
	f->txt_done = 1;
	if (st != DNS_OK || (msg->rcode != DNS_RCODE_NOERROR && msg->rcode != DNS_RCODE_NXDOMAIN)) {
		f->txt_failed = 1;
		log_info("mta-sts domain=%s TXT lookup failed: %s", f->e->domain,
		    st != DNS_OK ? why : "resolver error");
	} else {
		const char *txt[DNS_RR_MAX], *w;
		size_t len[DNS_RR_MAX], n = 0;

		for (size_t i = 0; i < msg->nrr; i++)
			if (msg->rr[i].type == DNS_TYPE_TXT) {
				txt[n] = (const char *)msg->data + msg->rr[i].off;
				len[n++] = msg->rr[i].len;
			}
		f->txt = sts_txt_select(txt, len, n, f->id, &w);
	}
	flight_next(f);
}

/* on_addr - A or AAAA of the policy host; IPv4 is preferred */
static void
on_addr(void *arg, enum dns_status st, const struct dns_msg *msg, const char *why)
{
	struct flight *f = arg;

	f->pending--;
	if (st != DNS_OK) {
		snprintf(f->addr_err, sizeof(f->addr_err), "policy host lookup: %s", why);
	} else {
		for (size_t i = 0; i < msg->nrr; i++) {
			const struct dns_rr *rr = &msg->rr[i];

			if (rr->type == DNS_TYPE_A && !f->have4) {
				f->addr4.sin_family = AF_INET;
				f->addr4.sin_port = htons((uint16_t)f->m->cfg.https_port);
				memcpy(&f->addr4.sin_addr, msg->data + rr->off, 4);
				f->have4 = 1;
			} else if (rr->type == DNS_TYPE_AAAA && !f->have6) {
				f->addr6.sin6_family = AF_INET6;
				f->addr6.sin6_port = htons((uint16_t)f->m->cfg.https_port);
				memcpy(&f->addr6.sin6_addr, msg->data + rr->off, 16);
				f->have6 = 1;
			}
		}
		if (!f->have4 && !f->have6 && f->addr_err[0] == '\0')
			snprintf(f->addr_err, sizeof(f->addr_err), "policy host has no address%s",
			    msg->rcode == DNS_RCODE_NXDOMAIN ? " (NXDOMAIN)" : "");
	}
	flight_next(f);
}

static void
flight_start(struct mtasts *m, struct mtasts_entry *e)
{
	struct flight *f = xcalloc(1, sizeof(*f));
	char name[DOMAIN_MAX + 16];

	f->m = m;
	f->e = e;
	e->flight = f;
	/* the TXT record and the policy host's addresses, all at once; one
	 * extra count keeps f alive should a callback run immediately */
	f->pending = 4;
	snprintf(name, sizeof(name), "_mta-sts.%s", e->domain);
	dns_query(m->dns, name, DNS_TYPE_TXT, on_txt, f);
	snprintf(name, sizeof(name), "mta-sts.%s", e->domain);
	dns_query(m->dns, name, DNS_TYPE_A, on_addr, f);
	dns_query(m->dns, name, DNS_TYPE_AAAA, on_addr, f);
	f->pending--;
	flight_next(f);
}

/* --- the public side --------------------------------------------------- */

const struct mtasts_entry *
mtasts_get(struct mtasts *m, const char *domain, int *resolving)
{
	struct mtasts_entry *e = lru_get(m->entries, domain);
	time_t now = time(NULL);
	int unreadable = 0;

	if (e == NULL)
		e = load(m, domain, &unreadable);
	metrics_cache_lookup(METRICS_CACHE_MTASTS, e != NULL);
	if (e == NULL) {
		e = entry_alloc(domain);
		/* the store may have it: see entry_save() */
		e->provisional = unreadable;
		lru_put(m->entries, domain, e);
		e->last_used = now;
		flight_start(m, e);
		*resolving = e->flight != NULL;
		return e;
	}
	e->last_used = now;
	/* the lookups that waited for a check come back here when it ends:
	 * check_allowed() keeps them from starting the next one */
	if (check_allowed(e, now) && (now - e->checked >= (time_t)m->cfg.check_interval
	    || (e->have_policy && now >= e->expires)))
		flight_start(m, e);
	*resolving = e->flight != NULL;
	return e;
}

time_t
mtasts_answer_until(const struct mtasts *m, const struct mtasts_entry *e)
{
	time_t look, t;

	if (e->flight)
		return 0;
	/* mtasts_get starts a check once due and allowed (check_allowed) */
	look = e->checked + (time_t)m->cfg.check_interval;
	if (e->have_policy && e->expires < look)
		look = e->expires;
	if (e->retry_after > look)
		look = e->retry_after;
	if ((t = e->checked + STS_CHECK_MIN) > look)
		look = t;
	/* and the policy is served until it expires */
	return e->have_policy && e->expires < look ? e->expires : look;
}

void
mtasts_on_change(struct mtasts *m, mtasts_changed_fn *fn, void *arg)
{
	m->changed = fn;
	m->changed_arg = arg;
}

struct watch *
mtasts_watch(struct mtasts *m, const char *domain, void (*cb)(void *), void *arg)
{
	struct mtasts_entry *e = lru_peek(m->entries, domain);

	if (e == NULL || e->flight == NULL)
		return NULL;
	return watch_add(&((struct flight *)e->flight)->watchers, cb, arg);
}

int
mtasts_flush(struct mtasts *m, const char *domain)
{
	struct mtasts_entry *e = lru_peek(m->entries, domain);

	changed(m, domain);
	if (e != NULL && e->flight) {
		/* forget the cached data; the resolution in flight refills it */
		entry_clear_policy(e);
		e->id[0] = '\0';
		e->retry_after = 0;
		return 0;
	}
	if (e != NULL) {
		entry_drop(m, e);
		return 0;
	}
	return store_del(m->store, NULL, STORE_DB_POLICY, domain, strlen(domain)) == 0 ? 0 : -1;
}

static const char *
age(time_t t, char *buf, size_t len)
{
	if (t == 0)
		return "never";
	snprintf(buf, len, "%llds ago", (long long)(time(NULL) - t));
	return buf;
}

void
mtasts_describe(struct mtasts *m, const char *domain, struct buf *out)
{
	const struct mtasts_entry *e = find(m, domain);
	char b[40];
	time_t now = time(NULL);

	if (e == NULL) {
		buf_puts(out, "mta-sts: not cached\n");
		return;
	}
	buf_printf(out, "mta-sts id: %s\n", e->id[0] ? e->id : "-");
	if (e->have_policy) {
		char a[40];

		buf_printf(out, "mta-sts mode: %s\nmta-sts max_age: %u\nmta-sts fetched: %s\n"
		    "mta-sts expires: in %llds\n", sts_mode_name(e->mode), e->max_age,
		    age(e->fetched, a, sizeof(a)), (long long)(e->expires - now));
		for (const char *p = e->policy; *p;) {
			const char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);

			buf_printf(out, "mta-sts policy: %.*s\n", (int)l, p);
			p += l + (nl != NULL);
		}
	} else {
		buf_puts(out, "mta-sts policy: none cached\n");
	}
	buf_printf(out, "mta-sts checked: %s\n", age(e->checked, b, sizeof(b)));
	if (e->last_error[0])
		buf_printf(out, "mta-sts last error: %s\n", e->last_error);
	if (e->retry_after > now)
		buf_printf(out, "mta-sts retry in: %llds\n", (long long)(e->retry_after - now));
	if (e->flight)
		buf_puts(out, "mta-sts: resolution in progress\n");
}

/* list_line - one line of mtasts_list(); -1 when out is full */
static int
list_line(struct buf *out, const char *domain, int mode, const char *id, size_t idlen,
    time_t expires, const char *error, size_t errlen)
{
	return buf_printf(out, "%s %s id=%.*s expires=%llds%s%.*s\n", domain,
	    mode >= 0 ? sts_mode_name((enum sts_mode)mode) : "no-policy", idlen ? (int)idlen : 1,
	    idlen ? id : "-", mode >= 0 ? (long long)(expires - time(NULL)) : 0LL,
	    errlen ? " error=" : "", (int)errlen, error);
}

struct listing {
	struct buf *out;
	int all;                      /* every entry in memory, not only those unstored */
	int full;
};

static void
list_memory(const char *key, void *value, void *arg)
{
	const struct mtasts_entry *e = value;
	struct listing *l = arg;

	(void)key;
	if (l->full || (!l->all && e->stored))
		return;
	l->full = list_line(l->out, e->domain, e->have_policy ? (int)e->mode : -1, e->id,
	    strlen(e->id), e->expires, e->last_error, strlen(e->last_error)) < 0;
}

void
mtasts_list(struct mtasts *m, struct buf *out)
{
	struct listing l = { out, !store_is_open(m->store), 0 };
	struct store_cursor *c;
	struct buf key, val;

	/* what only memory has, then the store (with memory's view of it) */
	lru_foreach(m->entries, list_memory, &l);
	if (l.all || (c = store_cursor_open(m->store, STORE_DB_POLICY)) == NULL)
		return;
	buf_init(&key, DOMAIN_MAX + 1);
	buf_init(&val, RECORD_MAX);
	while (!l.full && store_cursor_next(c, &key, &val) == 0) {
		char domain[DOMAIN_MAX + 1];
		const struct mtasts_entry *e;
		struct header h;

		if (key.len > DOMAIN_MAX || domain_normalize(key.data, key.len, domain, NULL) != DOMAIN_OK)
			continue;
		if ((e = lru_peek(m->entries, domain)) != NULL) {
			l.all = 1;
			list_memory(domain, (void *)e, &l);
			l.all = 0;
			continue;
		}
		if (header_parse(val.data, val.len, &h) < 0)
			continue;
		l.full = list_line(out, domain, h.policy ? policy_mode(h.policy, h.policylen) : -1,
		    h.id, h.idlen, h.expires, h.error, h.errlen) < 0;
	}
	store_cursor_close(c);
	buf_fini(&key);
	buf_fini(&val);
}

void
mtasts_count(struct mtasts *m, unsigned long by_mode[3], unsigned long *without)
{
	const unsigned long *n = m->have_counted ? m->counted : m->pass_n;

	by_mode[0] = n[0];
	by_mode[1] = n[1];
	by_mode[2] = n[2];
	*without = n[3];
}

time_t
mtasts_refresh_offset(const char *domain)
{
	uint32_t h = 2166136261u;    /* FNV-1a */

	for (const unsigned char *c = (const unsigned char *)domain; *c; c++)
		h = (h ^ *c) * 16777619u;
	return (time_t)(h % STS_REFRESH_SPREAD);
}

unsigned
mtasts_refresh_budget(size_t n, unsigned sweep_sec)
{
	/* twice the steady rate of n policies each refreshed once per
	 * STS_REFRESH_AGE, rounded up */
	uint64_t b = ((uint64_t)n * 2 * sweep_sec + (uint64_t)STS_REFRESH_AGE - 1) / (uint64_t)STS_REFRESH_AGE;

	return b < REFRESH_PER_SWEEP ? REFRESH_PER_SWEEP : b > UINT_MAX ? UINT_MAX : (unsigned)b;
}

/* A domain the walk acts on once its cursor is closed. */
struct todo {
	char domain[DOMAIN_MAX + 1];
	int drop;                     /* else refresh */
};

/*
 * walk - one slice of the walk over the store: proactive refresh and
 * forgetting, and the counts by mode.  Each record is seen as memory has
 * it when it is there.  The walk takes up where it stopped (after the
 * last key seen), so the store may be lent between slices; it waits while
 * the store is not open.
 */
static void
walk(struct evloop *loop, void *arg)
{
	struct mtasts *m = arg;
	time_t now = time(NULL);
	struct store_cursor *c;
	struct buf key, val;
	struct todo *todo = NULL;
	size_t ntodo = 0, seen = 0;
	unsigned budget;
	int rc = 0;

	m->walk = evloop_timer_add(loop, WALK_MSEC, walk, m);
	if (!store_is_open(m->store) || (c = store_cursor_open(m->store, STORE_DB_POLICY)) == NULL)
		return;
	if (now - m->budget_from >= SWEEP_SEC || now < m->budget_from) {
		m->budget_from = now;
		m->budget_used = 0;
	}
	{
		unsigned long total = 0;

		for (int i = 0; i < 4; i++)
			total += m->have_counted ? m->counted[i] : m->pass_n[i];
		budget = mtasts_refresh_budget(total, SWEEP_SEC);
	}
	buf_init(&key, DOMAIN_MAX + 1);
	buf_init(&val, RECORD_MAX);
	if (m->walk_len)
		store_cursor_seek(c, m->walk_after, m->walk_len);
	while (seen < WALK_SLICE && (rc = store_cursor_next(c, &key, &val)) == 0) {
		char domain[DOMAIN_MAX + 1];
		const struct mtasts_entry *e;
		struct mtasts_entry t;

		if (m->walk_len && key.len == m->walk_len && memcmp(key.data, m->walk_after, key.len) == 0)
			continue;          /* seen in the last slice */
		seen++;
		if (key.len > DOMAIN_MAX)
			continue;
		memcpy(m->walk_after, key.data, key.len);
		m->walk_len = key.len;
		if (domain_normalize(key.data, key.len, domain, NULL) != DOMAIN_OK)
			continue;
		if ((e = lru_peek(m->entries, domain)) == NULL) {
			struct header h;
			int mode;

			if (header_parse(val.data, val.len, &h) < 0)
				continue;
			mode = h.policy ? policy_mode(h.policy, h.policylen) : -1;
			memset(&t, 0, sizeof(t));
			t.have_policy = mode >= 0;
			t.mode = mode >= 0 ? (enum sts_mode)mode : STS_MODE_NONE;
			t.checked = h.checked;
			t.last_used = h.last_used;
			t.retry_after = h.retry_after;
			e = &t;
		}
		m->pass_n[e->have_policy ? (int)e->mode : 3]++;
		if (e->flight)
			continue;
		if (now - e->last_used > STS_UNUSED_MAX || (e->have_policy && m->budget_used < budget
		    && check_allowed(e, now)
		    && now - e->checked > STS_REFRESH_AGE + mtasts_refresh_offset(domain))) {
			todo = xreallocarray(todo, ntodo + 1, sizeof(*todo));
			memcpy(todo[ntodo].domain, domain, sizeof(domain));
			todo[ntodo++].drop = now - e->last_used > STS_UNUSED_MAX;
			m->budget_used += !todo[ntodo - 1].drop;
		}
	}
	store_cursor_close(c);
	buf_fini(&key);
	buf_fini(&val);
	if (rc == STORE_NOTFOUND) {
		/* the pass is complete: its counts are the cache's */
		memcpy(m->counted, m->pass_n, sizeof(m->counted));
		memset(m->pass_n, 0, sizeof(m->pass_n));
		m->have_counted = 1;
		m->walk_len = 0;
	}
	/* jitter: each domain's own offset within an extra hour */
	for (size_t i = 0; i < ntodo; i++) {
		struct mtasts_entry *e = find(m, todo[i].domain);

		if (e == NULL || e->flight)
			continue;
		if (todo[i].drop)
			entry_drop(m, e);
		else if (check_allowed(e, now))
			flight_start(m, e);
	}
	free(todo);
}

struct mtasts *
mtasts_new(struct evloop *loop, struct dns *dns, struct https_client *https,
    struct store *store, const struct mtasts_config *cfg)
{
	struct mtasts *m = xcalloc(1, sizeof(*m));

	m->loop = loop;
	m->dns = dns;
	m->https = https;
	m->store = store;
	m->cfg = *cfg;
	m->entries = lru_new(cfg->cache_max, pinned, evict, m);
	buf_init(&m->rec, RECORD_MAX);
	m->walk = evloop_timer_add(loop, WALK_MSEC, walk, m);
	return m;
}

/* end_flight - at exit: after dns_free(), only HTTPS fetches can still be
 * in flight */
static void
end_flight(const char *key, void *value, void *arg)
{
	struct mtasts_entry *e = value;
	struct flight *f = e->flight;

	(void)key;
	(void)arg;
	if (f == NULL)
		return;
	https_cancel(f->fetch);
	while (f->watchers.head)
		watch_cancel(f->watchers.head);
	free(f);
	e->flight = NULL;
}

void
mtasts_free(struct mtasts *m)
{
	if (m == NULL)
		return;
	lru_foreach(m->entries, end_flight, NULL);
	evloop_timer_cancel(m->loop, m->walk);
	lru_free(m->entries, entry_free);
	buf_fini(&m->rec);
	free(m);
}
