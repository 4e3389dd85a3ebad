/*
 * daemon - the state of one running tlspolicyd, shared by its services.
 *
 * struct daemon owns every object it points to (main.c makes and frees
 * them); rctx borrows from the same objects.  The services get the daemon
 * as their arg and keep it for as long as they run.
 */
#ifndef TLSPOLICYD_DAEMON_H
#define TLSPOLICYD_DAEMON_H

#include <stdint.h>
#include <time.h>

#include "resolve.h"
#include "settings.h"

struct answercache;
struct dane;
struct dns;
struct evloop;
struct http;
struct https_client;
struct localpolicy;
struct logsources;
struct mtasts;
struct server;
struct store;
struct storeown;

struct daemon_stats {
	uint64_t lookups;
	uint64_t ok;
	uint64_t notfound;
	uint64_t errors;      /* PERM replies to malformed requests */
	uint64_t resolves;    /* decisions made for lookups: one each, plus */
	uint64_t wakeups;     /* one per resolution end a waiting lookup saw */
};

struct daemon {
	struct settings cfg;
	struct evloop *loop;
	struct localpolicy *local;
	struct resolve_ctx rctx;
	struct server *sockmap;
	struct server *exim;         /* NULL without exim_listen */
	struct server *control;
	struct store *store;         /* kept while lent or closed, see storeown.h */
	struct storeown *storeown;
	struct dns *dns;
	struct https_client *https;
	struct mtasts *mtasts;       /* NULL with mta_sts = no */
	struct dane *dane;           /* NULL with dane = no */
	struct answercache *answers; /* NULL with both off or answer_cache_size = 0 */
	struct logsources *logs;
	struct http *http;           /* NULL without http_listen */
	struct daemon_stats stats;
	time_t started;
	int dnssec;                  /* enum daemon_dnssec: the resolver's AD bit */
	char dnssec_why[128];
};

/* what the DNSSEC probe found out about the resolver */
enum daemon_dnssec {
	DAEMON_DNSSEC_UNCHECKED,     /* DANE off, or the probe still out */
	DAEMON_DNSSEC_VALIDATING,    /* AD bit on the root's DNSKEY */
	DAEMON_DNSSEC_NOT_VALIDATING,
	DAEMON_DNSSEC_UNKNOWN,       /* the probe got no answer */
};

/* daemon_check_dnssec - with DANE on, ask the resolver for the root's
 * DNSKEY: without the AD bit in the answer, it does not validate and DANE
 * cannot work; logged (a warning) and shown by status */
void daemon_check_dnssec(struct daemon *d);

/* daemon_reload - re-read the configuration file (after start-up) and the
 * local policy table: log_level and local_policy_file change at once, any
 * other changed setting is logged as needing a restart.  Keeps the old
 * settings and table on error.  Returns 0, or -1 with the reason in err. */
int daemon_reload(struct daemon *d, char *err, size_t errlen);

#endif
