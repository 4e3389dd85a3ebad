/*
 * ingest - log lines to stored session counts, see ingest.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attrib.h"
#include "buf.h"
#include "decision.h"
#include "decisionlog.h"
#include "eximhandshakes.h"
#include "eximsessions.h"
#include "handshakes.h"
#include "ingest.h"
#include "log.h"
#include "logfollow.h"
#include "logparse_exim.h"
#include "logparse_postfix.h"
#include "metrics.h"
#include "record.h"
#include "results.h"
#include "sessions.h"
#include "settings.h"
#include "store.h"
#include "storecheck.h"
#include "strmap.h"
#include "xalloc.h"

#define RECORD_VERSION 3         /* 1: the Postfix state only, no length;
                                    2: no time in the cursor */
#define HEADER_LEN (2 + 11 * 8)  /* the record before the sessions states */
#define STATE_MAX ((size_t)64 * 1024 * 1024)

/* the syslog names when the configuration gives none */
static char *const default_names[] = { "postfix", "postfix-*" };
/* the names decisions are taken from when the configuration gives none */
static char *const default_decision_names[] = { "tlspolicyd" };

struct ingest {
	char self[256];                  /* this machine's name: the host of lines
	                                    that name none (Exim's own mainlog) */
	struct store *st;
	char *name;
	const struct strmap *sending_ip;
	char *const *syslog_names;
	size_t nsyslog_names;
	char *const *decision_names;
	size_t ndecision_names;
	char last_name[sizeof(((struct logparse_event *)0)->syslog_name)];   /* last one matched */
	struct sessions *sessions;
	struct eximsessions *exim;
	struct handshakes *handshakes;
	struct eximhandshakes *eximhs;
	/* incoming handshakes counted since the last commit, published to
	 * the metrics when it succeeds: lines read again after a crash were
	 * never published ([0]: successes, [1 + reason]: failures) */
	uint64_t hs[METRICS_MTA_COUNT][METRICS_HS_REASON_COUNT + 1];
	struct attrib *attrib;
	struct results_batch *batch;
	struct ingest_stats stats;       /* totals including the uncommitted part */
	uint64_t committed_lines;
	struct logparse_event ev;
	struct exim_event xev;
	struct decisionlog_event dev;
	uint64_t decisions;
	struct buf rec, state;
	time_t now;                      /* for yearless timestamps, refreshed now and then */
};

const char *
ingest_lookup_ip(const struct strmap *map, const char *host)
{
	const char *ip, *dot;
	char label[64];

	if (map == NULL || host[0] == '\0')
		return "";
	if ((ip = strmap_get(map, host)) != NULL)
		return ip;
	/* a FQDN in the log, a short name in the configuration */
	if ((dot = strchr(host, '.')) != NULL && (size_t)(dot - host) < sizeof(label)) {
		memcpy(label, host, (size_t)(dot - host));
		label[dot - host] = '\0';
		if ((ip = strmap_get(map, label)) != NULL)
			return ip;
	}
	return "";
}

static void
on_outcome(void *arg, const struct session_outcome *o)
{
	struct ingest *ig = arg;
	struct result_rec r;

	attrib_outcome(ig->attrib, o, ingest_lookup_ip(ig->sending_ip, o->host[0] ? o->host : ig->self),
	    &r);
	results_batch_add(ig->batch, &r, 1);
	metrics_session(r.ptype, r.failure ? r.result : NULL);
	ig->stats.sessions++;
	if (r.failure)
		ig->stats.failures++;
}

static void
on_handshake(void *arg, int success, enum metrics_hs_reason reason)
{
	struct ingest *ig = arg;

	ig->hs[METRICS_MTA_POSTFIX][success ? 0 : 1 + (int)reason]++;
}

static void
on_exim_handshake(void *arg, int success, enum metrics_hs_reason reason)
{
	struct ingest *ig = arg;

	ig->hs[METRICS_MTA_EXIM][success ? 0 : 1 + (int)reason]++;
}

/* publish - the handshakes counted since the last commit, to the metrics */
static void
publish(struct ingest *ig)
{
	for (int m = 0; m < METRICS_MTA_COUNT; m++)
		for (int i = 0; i <= METRICS_HS_REASON_COUNT; i++)
			if (ig->hs[m][i] > 0) {
				metrics_handshakes((enum metrics_mta)m, i - 1, ig->hs[m][i]);
				ig->hs[m][i] = 0;
			}
}

struct ingest *
ingest_new(struct store *st, const char *name, const struct ingest_config *cfg)
{
	struct ingest *ig = xcalloc(1, sizeof(*ig));

	ig->st = st;
	ig->name = xstrdup(name);
	ig->sending_ip = cfg->sending_ip;
	if (cfg->syslog_names) {
		ig->syslog_names = cfg->syslog_names;
		ig->nsyslog_names = cfg->nsyslog_names;
	} else {
		ig->syslog_names = default_names;
		ig->nsyslog_names = sizeof(default_names) / sizeof(default_names[0]);
	}
	if (cfg->decision_names != NULL || cfg->ndecision_names > 0) {
		ig->decision_names = cfg->decision_names;
		ig->ndecision_names = cfg->ndecision_names;
	} else {
		ig->decision_names = default_decision_names;
		ig->ndecision_names = 1;
	}
	ig->sessions = sessions_new(on_outcome, ig);
	sessions_exclude_sender(ig->sessions, cfg->exclude_sender);
	ig->exim = eximsessions_new(on_outcome, ig);
	eximsessions_exclude_sender(ig->exim, cfg->exclude_sender);
	ig->handshakes = handshakes_new(on_handshake, ig);
	ig->eximhs = eximhandshakes_new(on_exim_handshake, ig);
	ig->attrib = attrib_new(st);
	ig->batch = results_batch_new();
	ig->now = time(NULL);
	if (gethostname(ig->self, sizeof(ig->self)) < 0)
		ig->self[0] = '\0';
	ig->self[sizeof(ig->self) - 1] = '\0';
	buf_init(&ig->rec, STATE_MAX);
	buf_init(&ig->state, STATE_MAX - HEADER_LEN);
	return ig;
}

void
ingest_free(struct ingest *ig)
{
	if (ig == NULL)
		return;
	sessions_free(ig->sessions);
	eximsessions_free(ig->exim);
	handshakes_free(ig->handshakes);
	eximhandshakes_free(ig->eximhs);
	attrib_free(ig->attrib);
	results_batch_free(ig->batch);
	buf_fini(&ig->rec);
	buf_fini(&ig->state);
	free(ig->name);
	free(ig);
}

/* decision - a decision line of a tlspolicyd into the store and the
 * attribution; 0 if line is none (or of a name not taken) */
static int
decision(struct ingest *ig, const char *line, size_t len)
{
	struct decisionlog_event *d = &ig->dev;

	if (ig->ndecision_names == 0 || !decisionlog_parse(line, len, ig->now, d)
	    || !logparse_name_match(ig->decision_names, ig->ndecision_names, d->syslog_name))
		return 0;
	decision_put(ig->st, d->day, d->domain, d->kind, d->what, d->value, d->vlen);
	attrib_add(ig->attrib, d->day, d->domain, d->kind, d->what, d->value, d->vlen);
	ig->decisions++;
	return 1;
}

void
ingest_line(struct ingest *ig, const char *line, size_t len)
{
	if ((ig->stats.lines++ & 1023) == 0)
		ig->now = time(NULL);
	if (line == NULL) {
		ig->stats.skipped++;
		return;
	}
	if (logparse_postfix(line, len, ig->now, &ig->ev) == LOGPARSE_SKIP) {
		/* not Postfix: an Exim main-log line (a file, or exim[PID] in
		 * syslog, mixed with Postfix's through central syslog)? */
		switch (logparse_exim(line, len, ig->now, &ig->xev)) {
		case EXIM_SKIP:
			if (!decision(ig, line, len))
				ig->stats.skipped++;
			break;
		case EXIM_OTHER:
			break;
		case EXIM_IN_TLS_FAILED:
		case EXIM_IN_NOMAIL:
		case EXIM_IN_REJECTED:
			eximhandshakes_feed(ig->eximhs, &ig->xev);
			break;
		case EXIM_RECEIVED:
			eximhandshakes_feed(ig->eximhs, &ig->xev);
			eximsessions_feed(ig->exim, &ig->xev);
			break;
		default:
			eximsessions_feed(ig->exim, &ig->xev);
			break;
		}
		return;
	}
	if (ig->ev.kind == LOGPARSE_OTHER)
		return;
	/* a line of interest from a program that is not the MTA: someone
	 * else's syslog tag */
	if (strcmp(ig->ev.syslog_name, ig->last_name) != 0) {
		if (!logparse_name_match(ig->syslog_names, ig->nsyslog_names, ig->ev.syslog_name)) {
			ig->stats.skipped++;
			return;
		}
		memcpy(ig->last_name, ig->ev.syslog_name, sizeof(ig->last_name));
	}
	if (ig->ev.kind >= LOGPARSE_IN_TLS)
		handshakes_feed(ig->handshakes, &ig->ev);
	else
		sessions_feed(ig->sessions, &ig->ev);
}

/*
 * The source record (record.h encoding): a version byte, the cursor (a
 * flag byte and six 64-bit numbers, zero without a cursor: device, inode,
 * offset, head length, head hash, modification time), the
 * statistics (four 64-bit numbers), the length of the Postfix sessions
 * state (a 64-bit number), that state, then the Exim sessions state.
 * Version 1 records end with the Postfix state (no length, no Exim
 * state), version 2 ones have no modification time in the cursor (it
 * reads as 0, unknown); both are still read.
 */
int
ingest_commit(struct ingest *ig, const struct logfollow_cursor *c)
{
	struct logfollow_cursor none = { 0 };
	struct record_wr w;
	struct store_txn *txn;
	struct ingest_stats s;

	if (ig->committed_lines == ig->stats.lines && results_batch_size(ig->batch) == 0 && c == NULL)
		return 0;
	ingest_get_stats(ig, &s);
	buf_reset(&ig->rec);
	record_wr_init(&w, &ig->rec);
	record_put_u8(&w, RECORD_VERSION);
	record_put_u8(&w, c != NULL);
	if (c == NULL)
		c = &none;
	record_put_u64(&w, c->dev);
	record_put_u64(&w, c->ino);
	record_put_u64(&w, c->offset);
	record_put_u64(&w, c->headlen);
	record_put_u64(&w, c->headhash);
	record_put_u64(&w, c->mtime);
	record_put_u64(&w, s.lines);
	record_put_u64(&w, s.skipped);
	record_put_u64(&w, s.sessions);
	record_put_u64(&w, s.failures);
	if (w.bad)
		return -1;
	if (sessions_save(ig->sessions, &ig->state) < 0
	    || (record_put_u64(&w, ig->state.len), w.bad)
	    || buf_append(&ig->rec, ig->state.data, ig->state.len) < 0
	    || eximsessions_save(ig->exim, &ig->state) < 0
	    || buf_append(&ig->rec, ig->state.data, ig->state.len) < 0) {
		log_warnx("log %s: correlation state too large to save", ig->name);
		return -1;
	}
	if ((txn = store_begin(ig->st)) == NULL)
		goto fail;
	/* counts and positions committed together raise their common stamp */
	if (storecheck_pair_bump(ig->st, txn) < 0 || results_apply(ig->st, txn, ig->batch) < 0
	    || store_put(ig->st, txn, STORE_DB_SOURCE, ig->name, strlen(ig->name), ig->rec.data,
	    ig->rec.len) < 0) {
		store_abort(ig->st, txn);
		goto fail;
	}
	if (store_commit_lazy(ig->st, txn) < 0)
		goto fail;
	results_batch_clear(ig->batch);
	attrib_forget(ig->attrib);
	publish(ig);
	ig->committed_lines = ig->stats.lines;
	return 0;
fail:
	if (store_should_log(ig->st))
		log_warnx("log %s: counts not stored yet, will retry: %s", ig->name,
		    store_strerror(ig->st));
	return -1;
}

int
ingest_restore(struct ingest *ig, struct logfollow_cursor *c, int *have_cursor)
{
	struct buf rec;
	struct record_rd r;
	struct logfollow_cursor saved;
	struct ingest_stats got;
	int rc, cursor;
	unsigned version;
	uint64_t plen = 0;

	*have_cursor = 0;
	buf_init(&rec, STATE_MAX);
	rc = store_get(ig->st, NULL, STORE_DB_SOURCE, ig->name, strlen(ig->name), &rec);
	if (rc == STORE_NOTFOUND) {
		buf_fini(&rec);
		return 0;
	}
	record_rd_init(&r, rec.data, rc < 0 ? 0 : rec.len);
	version = record_get_u8(&r);
	if (version < 1 || version > RECORD_VERSION)
		r.bad = 1;
	cursor = record_get_u8(&r) != 0;
	saved.dev = record_get_u64(&r);
	saved.ino = record_get_u64(&r);
	saved.offset = record_get_u64(&r);
	saved.headlen = record_get_u64(&r);
	saved.headhash = record_get_u64(&r);
	saved.mtime = version >= 3 ? record_get_u64(&r) : 0;
	got.lines = record_get_u64(&r);
	got.skipped = record_get_u64(&r);
	got.sessions = record_get_u64(&r);
	got.failures = record_get_u64(&r);
	if (version == 1) {
		plen = r.n;
	} else if ((plen = record_get_u64(&r)) > r.n) {
		r.bad = 1;
	}
	if (rc < 0 || r.bad || sessions_load(ig->sessions, r.p, (size_t)plen) < 0
	    || (version != 1 && eximsessions_load(ig->exim, r.p + plen, r.n - (size_t)plen) < 0)) {
		log_warnx("log %s: saved position unreadable, starting afresh", ig->name);
		buf_fini(&rec);
		return -1;
	}
	if (cursor) {
		*c = saved;
		*have_cursor = 1;
	}
	ig->stats.lines = ig->committed_lines = got.lines;
	ig->stats.skipped = got.skipped;
	ig->stats.sessions = got.sessions;
	ig->stats.failures = got.failures;
	buf_fini(&rec);
	return 0;
}

uint64_t
ingest_pending(const struct ingest *ig)
{
	return ig->stats.lines - ig->committed_lines;
}

void
ingest_get_stats(const struct ingest *ig, struct ingest_stats *out)
{
	*out = ig->stats;
	out->decisions = ig->decisions;
	out->excluded = sessions_excluded(ig->sessions) + eximsessions_excluded(ig->exim);
}

/* add_ip - one host and its first label to the map arg */
static void
add_ip(const char *host, void *ip, void *arg)
{
	struct strmap *m = arg;
	const char *dot;
	char label[256];

	free(strmap_put(m, host, xstrdup(ip)));
	/* Postfix's maillog_file names the host by its first label */
	if ((dot = strchr(host, '.')) != NULL && (size_t)(dot - host) < sizeof(label)) {
		memcpy(label, host, (size_t)(dot - host));
		label[dot - host] = '\0';
		if (strmap_get(m, label) == NULL)
			strmap_put(m, label, xstrdup(ip));
	}
}

struct strmap *
ingest_ip_map(const struct strmap *hosts)
{
	struct strmap *m = strmap_new();

	strmap_foreach(hosts, add_ip, m);
	return m;
}

void
ingest_config_init(struct ingest_config *c, const struct settings *s)
{
	static char *const none[] = { NULL };

	memset(c, 0, sizeof(*c));
	settings_report_from(s, c->sender, sizeof(c->sender));
	c->exclude_sender = c->sender;
	c->own_ip = ingest_ip_map(s->sending_mta_ip);
	c->sending_ip = c->own_ip;
	c->syslog_names = s->postfix_syslog_names.v;
	c->nsyslog_names = s->postfix_syslog_names.n;
	/* an empty setting takes none */
	c->decision_names = s->decision_syslog_names.n ? s->decision_syslog_names.v : none;
	c->ndecision_names = s->decision_syslog_names.n;
}

void
ingest_config_fini(struct ingest_config *c)
{
	strmap_free(c->own_ip, free);
	c->own_ip = NULL;
	c->sending_ip = NULL;
}
