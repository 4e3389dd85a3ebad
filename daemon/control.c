/*
 * control - tlspolicyctl commands, see control.h.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "answercache.h"
#include "buf.h"
#include "control.h"
#include "daemon.h"
#include "localpolicy.h"
#include "logsource.h"
#include "log.h"
#include "lookup.h"
#include "dane.h"
#include "mtasts.h"
#include "resolve.h"
#include "server.h"
#include "storeown.h"

static const char *
status_word(enum resolve_status st)
{
	switch (st) {
	case RESOLVE_OK: return "OK";
	case RESOLVE_NOTFOUND: return "NOTFOUND";
	case RESOLVE_PENDING: return "NOTFOUND";
	}
	return "?";
}

/* query_format - the answer, why, and what the MTA-STS cache holds */
static void
query_format(struct daemon *d, const struct resolve_result *res, struct buf *reply)
{
	buf_printf(reply, "OK domain: %s\nreply: %s%s%s\nreason: %s\n",
	    res->domain[0] ? res->domain : "-", status_word(res->status),
	    res->answer ? " " : "", res->answer ? res->answer : "", res->why);
	if (d->dane && res->domain[0])
		dane_describe(d->dane, res->domain, reply);
	if (d->mtasts && res->domain[0])
		mtasts_describe(d->mtasts, res->domain, reply);
}

static enum server_result
control_query(struct daemon *d, const char *args, size_t len, struct buf *reply,
    struct server_req *sr)
{
	const char *sp = memchr(args, ' ', len);
	const char *mapname = "postfix";
	size_t klen = sp ? (size_t)(sp - args) : len, mlen = 7;
	int map;

	if (sp) {
		mapname = sp + 1;
		mlen = len - klen - 1;
	}
	if ((map = resolve_map_name(mapname, mlen)) < 0) {
		buf_puts(reply, "ERR unknown map name: use postfix or postfix-tlsrpt");
		return SERVER_DONE;
	}
	return lookup_run(d, (enum resolve_map)map, args, klen, reply, sr, query_format, 1,
	    METRICS_MAP_COUNT);
}

/* control_flush - "DOMAIN [dane|mta-sts]": drop cached results */
static void
control_flush(struct daemon *d, const char *args, size_t len, struct buf *reply)
{
	const char *sp = memchr(args, ' ', len), *which = sp ? sp + 1 : "";
	size_t wlen = sp ? len - (size_t)(sp - args) - 1 : 0;
	char name[DOMAIN_MAX + 1];
	int dane = !sp || (wlen == 4 && memcmp(which, "dane", 4) == 0);
	int sts = !sp || (wlen == 7 && memcmp(which, "mta-sts", 7) == 0);
	int n = 0;

	if (domain_normalize(args, sp ? (size_t)(sp - args) : len, name, NULL) != DOMAIN_OK) {
		buf_puts(reply, "ERR not a domain name");
		return;
	}
	if (!dane && !sts) {
		buf_puts(reply, "ERR flush DOMAIN [dane|mta-sts]");
		return;
	}
	if (dane && d->dane && dane_flush(d->dane, name) == 0)
		n++;
	if (sts && d->mtasts && mtasts_flush(d->mtasts, name) == 0)
		n++;
	if (n == 0)
		buf_printf(reply, "ERR %s is not cached", name);
	else
		buf_printf(reply, "OK flushed %s\n", name);
}

static void
control_status(struct daemon *d, struct buf *reply)
{
	buf_printf(reply,
	    "OK uptime: %lld s\nconfig: %s\nconnections: %u\nbuffered: %zu\nlookups: %llu\nok: %llu\n"
	    "notfound: %llu\nerrors: %llu\nresolves: %llu\nwakeups: %llu\n"
	    "local_policy_file: %s\nlocal_policy_entries: %zu\n",
	    (long long)(time(NULL) - d->started), d->cfg.source, server_connections(d->sockmap),
	    server_buffered(d->sockmap),
	    (unsigned long long)d->stats.lookups, (unsigned long long)d->stats.ok,
	    (unsigned long long)d->stats.notfound, (unsigned long long)d->stats.errors,
	    (unsigned long long)d->stats.resolves, (unsigned long long)d->stats.wakeups,
	    d->cfg.local_policy_file[0] ? d->cfg.local_policy_file : "(none)",
	    localpolicy_count(d->local));
	buf_printf(reply, "version: %s\n", PACKAGE_VERSION);
	if (d->cfg.dane)
		buf_printf(reply, "dnssec: %s (%s)\n", d->dnssec == DAEMON_DNSSEC_VALIDATING
		    ? "validating" : d->dnssec == DAEMON_DNSSEC_NOT_VALIDATING ? "NOT validating"
		    : d->dnssec == DAEMON_DNSSEC_UNKNOWN ? "unknown" : "unchecked", d->dnssec_why);
	if (d->answers) {
		struct answercache_stats st;

		answercache_stats(d->answers, &st);
		buf_printf(reply, "answer_cache_domains: %zu\nanswer_cache_texts: %zu\n"
		    "answer_cache_bytes: %zu\nanswer_cache_clears: %llu\n", st.domains, st.texts,
		    st.bytes, st.clears);
	}
	logsources_status(d->logs, reply);
	if (d->storeown)
		storeown_status(d->storeown, reply);
}

enum server_result
control_handle(void *arg, const char *req, size_t len, struct buf *reply, const char *peer,
    struct server_req *sr)
{
	struct daemon *d = arg;
	char err[512], shown[104];

	log_debug("control: %s: %s", peer, log_printable(shown, sizeof(shown), req, len));
	if (len > 6 && memcmp(req, "query ", 6) == 0)
		return control_query(d, req + 6, len - 6, reply, sr);
	if (len > 6 && memcmp(req, "flush ", 6) == 0)
		control_flush(d, req + 6, len - 6, reply);
	else if (len == 4 && memcmp(req, "list", 4) == 0) {
		buf_puts(reply, "OK ");
		if (d->mtasts)
			mtasts_list(d->mtasts, reply);
	} else if (len == 6 && memcmp(req, "status", 6) == 0)
		control_status(d, reply);
	else if (len > 5 && memcmp(req, "lend ", 5) == 0 && d->storeown)
		storeown_lend(d->storeown, req + 5, len - 5, reply);
	else if (len == 6 && memcmp(req, "reload", 6) == 0) {
		log_info("reload requested (tlspolicyctl)");
		if (daemon_reload(d, err, sizeof(err)) < 0) {
			log_errorx("reload failed, keeping the previous table: %s", err);
			buf_printf(reply, "ERR %s", err);
		}
		else
			buf_printf(reply, "OK local_policy_entries: %zu\n", localpolicy_count(d->local));
	} else
		buf_puts(reply, "ERR unknown command: use query, flush, list, status, reload or lend");
	return SERVER_DONE;
}
