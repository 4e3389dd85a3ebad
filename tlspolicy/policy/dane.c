/*
 * dane - DANE TLSA discovery and verdicts, see dane.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dane.h"
#include "decision.h"
#include "dns.h"
#include "dnswire.h"
#include "log.h"
#include "lru.h"
#include "metrics.h"
#include "numparse.h"
#include "store.h"
#include "watch.h"
#include "xalloc.h"

/* A stored result: the verdict and DANE_HOSTS_MAX hosts with their TLSA
 * records fit well within this. */
#define RECORD_MAX 65536

/* A result while it is looked up, or read from a record: every host in
 * a fixed place.  Cached entries (struct dane_entry) keep the hosts as
 * record text instead, sized to what was found. */
struct dane_result {
	char domain[DOMAIN_MAX + 1];
	enum dane_verdict verdict;
	int mx_secure;
	char why[160];
	size_t nhosts;
	struct dane_host hosts[DANE_HOSTS_MAX];
	time_t expires;
};

/* One lookup of a flight; arg of the DNS callbacks. */
struct dquery {
	struct dflight *f;
	int host;                 /* index, or -1 for the MX lookup */
	int kind;                 /* 0 address, 1 TLSA of the name, 2 TLSA of the CNAME target */
};

struct dflight {
	struct dane *d;
	struct dane_entry *cached;    /* what lookups keep seeing meanwhile */
	struct dane_result *e;        /* the new result being built */
	int pending;
	uint32_t ttl;                                   /* smallest TTL seen */
	int addr[DANE_HOSTS_MAX];                       /* 0 wait, 1 secure, 2 insecure, 3 error */
	enum dane_host_class name_cls[DANE_HOSTS_MAX];  /* TLSA of the MX name */
	enum dane_host_class target_cls[DANE_HOSTS_MAX];/* TLSA of its CNAME target */
	struct dane_host target[DANE_HOSTS_MAX];        /* that target's records */
	struct dquery q[1 + 3 * DANE_HOSTS_MAX];
	struct watchlist watchers;
};

struct dane {
	struct dns *dns;
	struct store *store;
	struct lru *entries;          /* domain -> struct dane_entry */
	struct buf rec;               /* a record read from the store */
	struct dane_result scratch;   /* a record parsed */
	dane_changed_fn *changed;     /* told of each domain whose result changed */
	void *changed_arg;
};

static void host_settle(struct dflight *f, size_t i);

/* changed - domain's result may have changed: tell the owner */
static void
changed(struct dane *d, const char *domain)
{
	if (d->changed != NULL)
		d->changed(d->changed_arg, domain);
}

static void
entry_save(struct dane *d, struct dane_entry *e)
{
	struct buf b;

	buf_init(&b, RECORD_MAX);
	buf_printf(&b, "verdict %d\nexpires %lld\nmx_secure %d\nwhy %s\n", (int)e->verdict,
	    (long long)e->expires, e->mx_secure, e->why);
	if (e->hosts)
		buf_puts(&b, e->hosts);
	/* lookups may wait for this: committed without waiting for the disk
	 * (a crash of the machine before the next checkpoint costs a lookup) */
	e->unsaved = store_put_lazy(d->store, STORE_DB_DANE, e->domain, strlen(e->domain),
	    b.data, b.len) < 0;
	if (e->unsaved && store_should_log(d->store))
		log_warnx("store: DANE result of %s not saved yet: %s", e->domain,
		    store_strerror(d->store));
	buf_fini(&b);
}

/* hosts_text - the "host" and "tlsa" lines of r, as a new string or NULL */
static char *
hosts_text(const struct dane_result *r)
{
	struct buf b;
	char *s;

	if (r->nhosts == 0)
		return NULL;
	buf_init(&b, RECORD_MAX);
	for (size_t i = 0; i < r->nhosts; i++) {
		const struct dane_host *h = &r->hosts[i];

		buf_printf(&b, "host %s %s %d %d\n", h->name, h->base, (int)h->cls, h->addr_secure);
		for (size_t k = 0; k < h->ntlsa; k++)
			buf_printf(&b, "tlsa %s\n", h->tlsa[k]);
	}
	s = xstrndup(b.data, b.len);
	buf_fini(&b);
	return s;
}

static struct dane_entry *
entry_new(const char *domain)
{
	size_t len = strlen(domain);
	struct dane_entry *e = xcalloc(1, sizeof(*e) + len + 1);

	memcpy(e->domain, domain, len + 1);
	e->why = xstrdup("");
	return e;
}

static void
entry_free(void *p)
{
	struct dane_entry *e = p;

	if (e == NULL)
		return;
	free(e->why);
	free(e->hosts);
	free(e);
}

struct resave {
	struct dane *d;
	size_t left;
};

static void
resave_one(const char *key, void *value, void *arg)
{
	struct resave *r = arg;
	struct dane_entry *e = value;

	(void)key;
	if (e->unsaved) {
		entry_save(r->d, e);
		r->left += e->unsaved != 0;
	}
}

size_t
dane_save_unsaved(struct dane *d)
{
	struct resave r = { d, 0 };

	lru_foreach(d->entries, resave_one, &r);
	return r.left;
}

/* record_parse - a record (or the host lines of one) into e, which is
 * cleared first; -1 if malformed */
static int
record_parse(struct dane_result *e, const char *rec, size_t len)
{
	size_t pos = 0;
	struct dane_host *h = NULL;

	e->verdict = DANE_UNKNOWN;
	e->mx_secure = 0;
	e->why[0] = '\0';
	e->nhosts = 0;
	e->expires = 0;
	while (pos < len) {
		const char *line = rec + pos, *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		char buf[600];
		uint64_t v;

		pos += llen + 1;
		if (llen >= sizeof(buf))
			return -1;
		memcpy(buf, line, llen);
		buf[llen] = '\0';
		if (strncmp(buf, "verdict ", 8) == 0 && numparse_uint(buf + 8, llen - 8, DANE_ERROR, &v) == 0)
			e->verdict = (enum dane_verdict)v;
		else if (strncmp(buf, "expires ", 8) == 0
		    && numparse_uint(buf + 8, llen - 8, UINT32_MAX * 4ULL, &v) == 0)
			e->expires = (time_t)v;
		else if (strncmp(buf, "mx_secure ", 10) == 0)
			e->mx_secure = buf[10] == '1';
		else if (strncmp(buf, "why ", 4) == 0)
			snprintf(e->why, sizeof(e->why), "%.159s", buf + 4);
		else if (strncmp(buf, "host ", 5) == 0 && e->nhosts < DANE_HOSTS_MAX) {
			char *name = buf + 5, *base = strchr(name, ' '), *cls, *sec;

			if (!base || !(cls = strchr(base + 1, ' ')) || !(sec = strchr(cls + 1, ' ')))
				return -1;
			*base++ = *cls++ = *sec++ = '\0';
			h = &e->hosts[e->nhosts++];
			memset(h, 0, sizeof(*h));
			if (strlen(name) > DOMAIN_MAX || strlen(base) > DOMAIN_MAX
			    || numparse_uint(cls, strlen(cls), DANE_HOST_ERROR, &v) < 0)
				return -1;
			memcpy(h->name, name, strlen(name) + 1);
			memcpy(h->base, base, strlen(base) + 1);
			h->cls = (enum dane_host_class)v;
			h->addr_secure = sec[0] == '1';
		} else if (strncmp(buf, "tlsa ", 5) == 0 && h && h->ntlsa < DANE_TLSA_MAX) {
			snprintf(h->tlsa[h->ntlsa++], sizeof(h->tlsa[0]), "%s", buf + 5);
		} else {
			return -1;
		}
	}
	return 0;
}

int
dane_tlsa_usable(unsigned usage, unsigned selector, unsigned mtype, size_t len)
{
	if ((usage != 2 && usage != 3) || selector > 1)
		return 0;
	switch (mtype) {
	case 0: return len > 0;
	case 1: return len == 32;
	case 2: return len == 64;
	default: return 0;
	}
}

static void
note_ttl(struct dflight *f, const struct dns_msg *m)
{
	for (size_t i = 0; i < m->nrr; i++)
		if (m->rr[i].ttl < f->ttl)
			f->ttl = m->rr[i].ttl;
}

/* verdict - from the classes of the hosts */
static void
verdict(struct dflight *f)
{
	struct dane_result *e = f->e;
	size_t usable = 0, secure = 0;

	for (size_t i = 0; i < e->nhosts; i++) {
		switch (e->hosts[i].cls) {
		case DANE_HOST_ERROR:
			e->verdict = DANE_ERROR;
			snprintf(e->why, sizeof(e->why), "DNS failure or bogus answer for %s",
			    e->hosts[i].name);
			return;
		case DANE_HOST_USABLE:
			usable++;
			secure++;
			break;
		case DANE_HOST_UNUSABLE:
			secure++;
			break;
		default:
			break;
		}
	}
	if (usable == e->nhosts) {
		e->verdict = DANE_ALL;
		snprintf(e->why, sizeof(e->why), "secure MX, all %zu MX hosts have usable TLSA records",
		    e->nhosts);
	} else if (secure > 0) {
		e->verdict = DANE_SOME;
		snprintf(e->why, sizeof(e->why), "secure MX, %zu of %zu MX hosts have secure TLSA records"
		    " (%zu usable)", secure, e->nhosts, usable);
	} else {
		e->verdict = DANE_NONE;
		snprintf(e->why, sizeof(e->why), "secure MX, no MX host has secure TLSA records");
	}
}

static void
dflight_end(struct dflight *f)
{
	struct dane_result *e = f->e;
	struct dane_entry *c = f->cached;
	struct watchlist watchers = f->watchers;
	uint32_t ttl = f->ttl;

	if (e->verdict == DANE_UNKNOWN) {
		for (size_t i = 0; i < e->nhosts; i++)
			host_settle(f, i);
		verdict(f);
	}
	if (e->verdict == DANE_ERROR || ttl < DANE_TTL_MIN)
		ttl = DANE_TTL_MIN;
	if (ttl > DANE_TTL_MAX)
		ttl = DANE_TTL_MAX;
	c->verdict = e->verdict;
	c->mx_secure = e->mx_secure;
	free(c->why);
	c->why = xstrdup(e->why);
	free(c->hosts);
	c->hosts = hosts_text(e);
	c->expires = time(NULL) + ttl;
	c->flight = NULL;
	changed(f->d, c->domain);
	entry_save(f->d, c);
	free(e);
	free(f);
	watch_fire(&watchers);
}

static void
done_one(struct dflight *f)
{
	if (--f->pending == 0)
		dflight_end(f);
}

/* classify_tlsa - a TLSA answer for host h */
static enum dane_host_class
classify_tlsa(enum dns_status st, const struct dns_msg *m, struct dane_host *h)
{
	size_t n = 0, usable = 0;

	if (st != DNS_OK || (m->rcode != DNS_RCODE_NOERROR && m->rcode != DNS_RCODE_NXDOMAIN))
		return DANE_HOST_ERROR;
	if (!m->ad)
		return DANE_HOST_INSECURE;
	h->ntlsa = 0;
	for (size_t i = 0; i < m->nrr; i++) {
		const struct dns_rr *rr = &m->rr[i];

		if (rr->type != DNS_TYPE_TLSA)
			continue;
		n++;
		usable += (size_t)dane_tlsa_usable(rr->usage, rr->selector, rr->mtype, rr->len);
		if (h->ntlsa < DANE_TLSA_MAX) {
			char *s = h->tlsa[h->ntlsa++];
			size_t room = sizeof(h->tlsa[0]);
			size_t o = (size_t)snprintf(s, room, "%u %u %u ", rr->usage, rr->selector, rr->mtype);
			for (size_t k = 0; k < rr->len && o + 3 < room; k++)
				o += (size_t)snprintf(s + o, room - o, "%02X", m->data[rr->off + k]);
		}
	}
	if (n == 0)
		return DANE_HOST_ABSENT;
	return usable ? DANE_HOST_USABLE : DANE_HOST_UNUSABLE;
}

static void
on_tlsa(void *arg, enum dns_status st, const struct dns_msg *m, const char *why)
{
	struct dquery *q = arg;
	struct dflight *f = q->f;

	(void)why;
	if (st == DNS_OK)
		note_ttl(f, m);
	if (q->kind == 2)
		f->target_cls[q->host] = classify_tlsa(st, m, &f->target[q->host]);
	else
		f->name_cls[q->host] = classify_tlsa(st, m, &f->e->hosts[q->host]);
	done_one(f);
}

/* host_settle - the class of host i once its lookups are in */
static void
host_settle(struct dflight *f, size_t i)
{
	struct dane_host *h = &f->e->hosts[i];
	enum dane_host_class t = f->target_cls[i];

	h->addr_secure = f->addr[i] == 1;
	if (f->addr[i] == 3) {
		h->cls = DANE_HOST_ERROR;
	} else if (f->addr[i] == 2) {
		h->cls = DANE_HOST_INSECURE;
	} else if (t == DANE_HOST_USABLE || t == DANE_HOST_UNUSABLE || t == DANE_HOST_ERROR) {
		/* the CNAME-expanded name has TLSA records: it is the base */
		h->cls = t;
		memcpy(h->base, f->target[i].name, sizeof(h->base));
		memcpy(h->tlsa, f->target[i].tlsa, sizeof(h->tlsa));
		h->ntlsa = f->target[i].ntlsa;
	} else {
		h->cls = f->name_cls[i];
		memcpy(h->base, h->name, sizeof(h->base));
	}
}

static void
on_addr(void *arg, enum dns_status st, const struct dns_msg *m, const char *why)
{
	struct dquery *q = arg;
	struct dflight *f = q->f;
	struct dane_host *h = &f->e->hosts[q->host];

	(void)why;
	if (st != DNS_OK || (m->rcode != DNS_RCODE_NOERROR && m->rcode != DNS_RCODE_NXDOMAIN)) {
		f->addr[q->host] = 3;
	} else {
		const char *target = NULL;

		note_ttl(f, m);
		f->addr[q->host] = m->ad ? 1 : 2;
		for (size_t i = 0; i < m->nrr; i++)
			if (m->rr[i].type == DNS_TYPE_CNAME && strlen(m->rr[i].target) <= DOMAIN_MAX)
				target = m->rr[i].target;   /* the last one ends the chain */
		if (m->ad && target && strcmp(target, h->name) != 0) {
			char name[DOMAIN_MAX + 16];
			struct dquery *t = &f->q[1 + 3 * q->host + 2];

			memcpy(f->target[q->host].name, target, strlen(target) + 1);
			t->f = f;
			t->host = q->host;
			t->kind = 2;
			snprintf(name, sizeof(name), "_25._tcp.%s", target);
			f->pending++;
			dns_query(f->d->dns, name, DNS_TYPE_TLSA, on_tlsa, t);
		}
	}
	done_one(f);
}

/* dflight_host - start the lookups of host i: address and TLSA at once */
static void
dflight_host(struct dflight *f, int i)
{
	struct dane_host *h = &f->e->hosts[i];
	char name[DOMAIN_MAX + 16];
	struct dquery *qa = &f->q[1 + 3 * i], *qt = &f->q[1 + 3 * i + 1];

	memcpy(h->base, h->name, sizeof(h->base));
	h->cls = DANE_HOST_PENDING;
	f->target_cls[i] = DANE_HOST_PENDING;
	qa->f = qt->f = f;
	qa->host = qt->host = i;
	qa->kind = 0;
	qt->kind = 1;
	f->pending += 2;
	dns_query(f->d->dns, h->name, DNS_TYPE_A, on_addr, qa);
	snprintf(name, sizeof(name), "_25._tcp.%s", h->name);
	dns_query(f->d->dns, name, DNS_TYPE_TLSA, on_tlsa, qt);
}

static void
on_mx(void *arg, enum dns_status st, const struct dns_msg *m, const char *why)
{
	struct dquery *q = arg;
	struct dflight *f = q->f;
	struct dane_result *e = f->e;
	uint16_t prefs[DANE_HOSTS_MAX];

	e->nhosts = 0;
	if (st != DNS_OK || m->rcode == DNS_RCODE_SERVFAIL
	    || (m->rcode != DNS_RCODE_NOERROR && m->rcode != DNS_RCODE_NXDOMAIN)) {
		e->verdict = DANE_ERROR;
		snprintf(e->why, sizeof(e->why), "MX lookup failed: %s",
		    st != DNS_OK ? why : m->rcode == DNS_RCODE_SERVFAIL ? "SERVFAIL (bogus?)" : "error");
	} else if (m->rcode == DNS_RCODE_NXDOMAIN) {
		e->verdict = DANE_NONE;
		snprintf(e->why, sizeof(e->why), "no such domain");
	} else if (!m->ad) {
		e->verdict = DANE_NONE;
		e->mx_secure = 0;
		snprintf(e->why, sizeof(e->why), "MX RRset not DNSSEC-validated");
	} else {
		e->mx_secure = 1;
		note_ttl(f, m);
		/* MX hosts in preference order (insertion sort) */
		for (size_t i = 0; i < m->nrr; i++) {
			const struct dns_rr *rr = &m->rr[i];
			size_t j;

			if (rr->type != DNS_TYPE_MX || e->nhosts == DANE_HOSTS_MAX
			    || strlen(rr->target) > DOMAIN_MAX)
				continue;
			if (rr->target[0] == '\0') {   /* null MX (RFC 7505) */
				e->nhosts = 0;
				e->verdict = DANE_NONE;
				snprintf(e->why, sizeof(e->why), "null MX: the domain accepts no mail");
				break;
			}
			for (j = e->nhosts; j > 0 && prefs[j - 1] > rr->pref; j--) {
				e->hosts[j] = e->hosts[j - 1];
				prefs[j] = prefs[j - 1];
			}
			memset(&e->hosts[j], 0, sizeof(e->hosts[j]));
			memcpy(e->hosts[j].name, rr->target, strlen(rr->target) + 1);
			prefs[j] = rr->pref;
			e->nhosts++;
		}
		if (e->verdict == DANE_UNKNOWN && e->nhosts == 0) {
			/* no MX: the domain itself is the implicit MX */
			memcpy(e->hosts[0].name, e->domain, sizeof(e->hosts[0].name));
			e->nhosts = 1;
		}
		for (size_t i = 0; i < e->nhosts && e->verdict == DANE_UNKNOWN; i++)
			dflight_host(f, (int)i);
	}
	done_one(f);
}

static void
dflight_start(struct dane *d, struct dane_entry *e)
{
	struct dflight *f = xcalloc(1, sizeof(*f));

	f->d = d;
	f->cached = e;
	f->e = xcalloc(1, sizeof(*f->e));
	snprintf(f->e->domain, sizeof(f->e->domain), "%s", e->domain);
	f->ttl = DANE_TTL_MAX;
	e->flight = f;
	f->q[0].f = f;
	f->q[0].host = -1;
	f->pending = 2;   /* the MX lookup, and this function */
	dns_query(d->dns, f->e->domain, DNS_TYPE_MX, on_mx, &f->q[0]);
	done_one(f);
}

/* --- public side -------------------------------------------------------- */

/* load - the result of domain from the store into memory; NULL if there
 * is none, it is unusable, or the store cannot be read (not open) */
static struct dane_entry *
load(struct dane *d, const char *domain)
{
	struct dane_result *r = &d->scratch;
	struct dane_entry *e;

	if (store_get(d->store, NULL, STORE_DB_DANE, domain, strlen(domain), &d->rec) != 0
	    || record_parse(r, d->rec.data ? d->rec.data : "", d->rec.len) < 0
	    || r->verdict == DANE_UNKNOWN)
		return NULL;
	e = entry_new(domain);
	e->verdict = r->verdict;
	e->mx_secure = r->mx_secure;
	free(e->why);
	e->why = xstrdup(r->why);
	e->hosts = hosts_text(r);
	e->expires = r->expires;
	lru_put(d->entries, domain, e);
	return e;
}

/* find - the entry of domain in memory, else from the store */
static struct dane_entry *
find(struct dane *d, const char *domain)
{
	struct dane_entry *e = lru_get(d->entries, domain);

	return e ? e : load(d, domain);
}

const struct dane_entry *
dane_get(struct dane *d, const char *domain, int *resolving)
{
	struct dane_entry *e = find(d, domain);

	metrics_cache_lookup(METRICS_CACHE_DANE, e != NULL);
	if (e == NULL) {
		e = entry_new(domain);
		lru_put(d->entries, domain, e);
	}
	if (!e->flight && time(NULL) >= e->expires)
		dflight_start(d, e);
	*resolving = e->flight != NULL;
	return e;
}

struct watch *
dane_watch(struct dane *d, const char *domain, void (*cb)(void *), void *arg)
{
	struct dane_entry *e = lru_peek(d->entries, domain);

	if (e == NULL || e->flight == NULL)
		return NULL;
	return watch_add(&((struct dflight *)e->flight)->watchers, cb, arg);
}

time_t
dane_answer_until(const struct dane_entry *e)
{
	/* dane_get starts a lookup once it expired */
	return e->flight != NULL || e->verdict == DANE_UNKNOWN ? 0 : e->expires;
}

void
dane_on_change(struct dane *d, dane_changed_fn *fn, void *arg)
{
	d->changed = fn;
	d->changed_arg = arg;
}

int
dane_flush(struct dane *d, const char *domain)
{
	struct dane_entry *e = lru_peek(d->entries, domain);
	int rc;

	changed(d, domain);
	if (e != NULL && e->flight != NULL) {
		e->expires = 0;
		return 0;
	}
	if (e != NULL)
		entry_free(lru_remove(d->entries, domain));
	rc = store_del(d->store, NULL, STORE_DB_DANE, domain, strlen(domain));
	return e != NULL || rc == 0 ? 0 : -1;
}

/* hosts_parse - the hosts of e into d's scratch result; -1 if malformed */
static int
hosts_parse(struct dane *d, const struct dane_entry *e)
{
	return record_parse(&d->scratch, e->hosts ? e->hosts : "", e->hosts ? strlen(e->hosts) : 0);
}

void
dane_decided(struct dane *d, const struct dane_entry *ce)
{
	struct dane_entry *e = (struct dane_entry *)ce;
	long today = decision_day();

	if (e->decided_day == today || (e->verdict != DANE_ALL && e->verdict != DANE_SOME))
		return;
	if (hosts_parse(d, e) < 0)
		return;
	for (size_t i = 0; i < d->scratch.nhosts; i++) {
		const struct dane_host *h = &d->scratch.hosts[i];
		struct buf val;

		if (h->ntlsa == 0)
			continue;
		buf_init(&val, (size_t)DANE_TLSA_MAX * (sizeof(h->tlsa[0]) + 1));
		for (size_t k = 0; k < h->ntlsa; k++)
			buf_printf(&val, "%s\n", h->tlsa[k]);
		/* policy domain = the TLSA base domain */
		decision_record(d->store, e->domain, "tlsa", h->base, val.data, val.len);
		buf_fini(&val);
	}
	e->decided_day = today;
}

static const char *
class_name(enum dane_host_class c)
{
	switch (c) {
	case DANE_HOST_PENDING: return "pending";
	case DANE_HOST_USABLE: return "secure, usable TLSA";
	case DANE_HOST_UNUSABLE: return "secure, TLSA unusable";
	case DANE_HOST_ABSENT: return "secure, no TLSA";
	case DANE_HOST_INSECURE: return "insecure";
	case DANE_HOST_ERROR: return "DNS failure or bogus";
	}
	return "?";
}

void
dane_describe(struct dane *d, const char *domain, struct buf *out)
{
	const struct dane_entry *e = find(d, domain);
	static const char *const verdicts[] = { "unknown", "none", "some MX hosts", "all MX hosts",
		"error" };

	if (e == NULL) {
		buf_puts(out, "dane: not looked up\n");
		return;
	}
	buf_printf(out, "dane: %s (%s)\ndane mx: %s\n", verdicts[e->verdict], e->why,
	    e->mx_secure ? "DNSSEC-validated" : "not validated");
	if (hosts_parse(d, e) < 0)
		return;
	for (size_t i = 0; i < d->scratch.nhosts; i++) {
		const struct dane_host *h = &d->scratch.hosts[i];

		buf_printf(out, "dane host: %s%s%s: %s\n", h->name, strcmp(h->base, h->name) ? " -> " : "",
		    strcmp(h->base, h->name) ? h->base : "", class_name(h->cls));
		for (size_t k = 0; k < h->ntlsa; k++)
			buf_printf(out, "dane tlsa: _25._tcp.%s %s\n", h->base, h->tlsa[k]);
	}
}

/* pinned - in memory while looked up, or until saved */
static int
pinned(void *value, void *arg)
{
	const struct dane_entry *e = value;

	(void)arg;
	return e->flight != NULL || e->unsaved;
}

static void
evict(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	entry_free(value);
}

struct dane *
dane_new(struct dns *dns, struct store *store, size_t cache_max)
{
	struct dane *d = xcalloc(1, sizeof(*d));

	d->dns = dns;
	d->store = store;
	d->entries = lru_new(cache_max, pinned, evict, d);
	buf_init(&d->rec, RECORD_MAX);
	return d;
}

void
dane_free(struct dane *d)
{
	if (d == NULL)
		return;
	lru_free(d->entries, entry_free);
	buf_fini(&d->rec);
	free(d);
}
