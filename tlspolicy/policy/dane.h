/*
 * dane - DANE for SMTP (RFC 7672): does a domain's MX set publish usable,
 * DNSSEC-validated TLSA records?
 *
 * For a domain: its MX RRset (or the implicit MX), then for each MX host
 * (at most DANE_HOSTS_MAX, in preference order) its address records and
 * the TLSA RRset of _25._tcp.<host>, the CNAME-expanded name first.  The
 * AD bit of the configured (local, validating) resolver decides what is
 * secure.  Each host is classified; the domain's verdict is:
 *   DANE_ALL    secure MX RRset, every host with a secure usable TLSA RRset
 *   DANE_SOME   secure MX RRset, some hosts with secure TLSA records
 *   DANE_NONE   DNSSEC shows DANE does not apply (insecure MX or no TLSA)
 *   DANE_ERROR  DNS failure or bogus answers on the way
 * Results are cached in the store with the DNS TTLs, bounded to
 * [DANE_TTL_MIN, DANE_TTL_MAX]; errors for DANE_TTL_MIN.  At most
 * cache_max of them are kept in memory as well (the least recently used
 * go first, never one being looked up or not saved yet); one not in
 * memory is read from the store when asked for, or, while the store is
 * not open (lent), looked up again.  While a result is refreshed, the
 * previous one keeps being served.
 */
#ifndef TLSPOLICY_DANE_H
#define TLSPOLICY_DANE_H

#include <stddef.h>
#include <time.h>

#include "domain.h"

struct buf;
struct dns;
struct store;
struct dane;
struct watch;

#define DANE_HOSTS_MAX 16
#define DANE_TTL_MIN 60
#define DANE_TTL_MAX 3600
#define DANE_TLSA_MAX 8          /* records kept per host, for reports */

enum dane_verdict { DANE_UNKNOWN, DANE_NONE, DANE_SOME, DANE_ALL, DANE_ERROR };

enum dane_host_class {
	DANE_HOST_PENDING,
	DANE_HOST_USABLE,      /* secure TLSA RRset with a usable record */
	DANE_HOST_UNUSABLE,    /* secure TLSA RRset, nothing usable */
	DANE_HOST_ABSENT,      /* secure denial of TLSA */
	DANE_HOST_INSECURE,    /* addresses or TLSA not validated */
	DANE_HOST_ERROR,       /* DNS failure or bogus */
};

/* One MX host of a result, as the lookups find it (dane.c keeps hosts
 * in memory as their record text, sized to what was found). */
struct dane_host {
	char name[DOMAIN_MAX + 1];        /* MX host */
	char base[DOMAIN_MAX + 1];        /* TLSA base domain (after CNAME) */
	enum dane_host_class cls;
	int addr_secure;
	size_t ntlsa;
	char tlsa[DANE_TLSA_MAX][140];    /* "usage selector mtype HEX", cut */
};

/* A cached result; borrowed, valid until the next event-loop callback. */
struct dane_entry {
	enum dane_verdict verdict;
	int mx_secure;
	char *why;                    /* never NULL */
	char *hosts;                  /* the "host" and "tlsa" lines, or NULL */
	time_t expires;
	void *flight;
	long decided_day;
	int unsaved;                  /* the store did not take the last save */
	char domain[];
};

/* dane_new - the cache over store, at most cache_max results in memory
 * (at least 2).  dns and store are borrowed and kept: they must outlive
 * the cache */
struct dane *dane_new(struct dns *dns, struct store *store, size_t cache_max);
/* dane_free - call after dns_free() */
void dane_free(struct dane *d);
/* dane_save_unsaved - save again the results the store did not take;
 * returns how many are still unsaved */
size_t dane_save_unsaved(struct dane *d);

/*
 * dane_get - the entry for domain, starting a resolution when there is
 * none or it expired; *resolving says whether one is in progress.
 * The entry is borrowed until the next event-loop callback.
 */
const struct dane_entry *dane_get(struct dane *d, const char *domain, int *resolving);
/* dane_watch - cb(arg) once when domain's lookup ends (watch.h); NULL if
 * none is in progress.  arg is kept until then */
struct watch *dane_watch(struct dane *d, const char *domain, void (*cb)(void *), void *arg);

/* dane_answer_until - until when e, as it is now, is served as it is
 * and a lookup would start nothing; 0 while it is being resolved.  A
 * change before that is told to the dane_on_change function. */
time_t dane_answer_until(const struct dane_entry *e);
/* dane_on_change - fn(arg, domain) when domain's result may have changed
 * (a lookup ended, or it was flushed) */
typedef void dane_changed_fn(void *arg, const char *domain);
void dane_on_change(struct dane *d, dane_changed_fn *fn, void *arg);

/* dane_flush - forget domain's result (kept while a lookup runs); -1 if
 * there was none */
int dane_flush(struct dane *d, const char *domain);

/* dane_decided - record, once per UTC day, the TLSA policies served */
void dane_decided(struct dane *d, const struct dane_entry *e);
/* dane_describe - "name: value" lines for tlspolicyctl query, appended
 * to out */
void dane_describe(struct dane *d, const char *domain, struct buf *out);

/* dane_tlsa_usable - is this record usable for SMTP (RFC 7672 3.1)? */
int dane_tlsa_usable(unsigned usage, unsigned selector, unsigned mtype, size_t len);

#endif
