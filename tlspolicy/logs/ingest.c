/*
 * ingest - log lines to stored session counts, see ingest.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attrib.h"
#include "buf.h"
#include "endpoint.h"
#include "ingest.h"
#include "log.h"
#include "logfollow.h"
#include "logparse_postfix.h"
#include "results.h"
#include "sessions.h"
#include "store.h"
#include "strmap.h"
#include "xalloc.h"

#define RECORD_VERSION 1
#define HEADER_LEN (2 + 9 * 8)   /* see ingest_commit() */
#define STATE_MAX ((size_t)64 * 1024 * 1024)

struct ingest {
	struct store *st;
	char *name;
	const struct strmap *sending_ip;
	char *syslog_names;
	char last_name[sizeof(((struct logparse_event *)0)->syslog_name)];   /* last one matched */
	struct sessions *sessions;
	struct attrib *attrib;
	struct results_batch *batch;
	struct ingest_stats stats;       /* totals including the uncommitted part */
	uint64_t committed_lines;
	struct logparse_event ev;
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

	attrib_outcome(ig->attrib, o, ingest_lookup_ip(ig->sending_ip, o->host), &r);
	results_batch_add(ig->batch, &r, 1);
	ig->stats.sessions++;
	if (r.failure)
		ig->stats.failures++;
}

struct ingest *
ingest_new(struct store *st, const char *name, const struct ingest_config *cfg)
{
	struct ingest *ig = xcalloc(1, sizeof(*ig));

	ig->st = st;
	ig->name = xstrdup(name);
	ig->sending_ip = cfg->sending_ip;
	ig->syslog_names = xstrdup(cfg->syslog_names ? cfg->syslog_names : INGEST_SYSLOG_NAMES);
	ig->sessions = sessions_new(on_outcome, ig);
	sessions_exclude_sender(ig->sessions, cfg->exclude_sender);
	ig->attrib = attrib_new(st);
	ig->batch = results_batch_new();
	ig->now = time(NULL);
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
	attrib_free(ig->attrib);
	results_batch_free(ig->batch);
	buf_fini(&ig->rec);
	buf_fini(&ig->state);
	free(ig->name);
	free(ig->syslog_names);
	free(ig);
}

void
ingest_line(struct ingest *ig, const char *line, size_t len)
{
	if ((ig->stats.lines++ & 1023) == 0)
		ig->now = time(NULL);
	if (line == NULL || logparse_postfix(line, len, ig->now, &ig->ev) == LOGPARSE_SKIP) {
		ig->stats.skipped++;
		return;
	}
	if (ig->ev.kind == LOGPARSE_OTHER)
		return;
	/* a line of interest from a program that is not the MTA: someone
	 * else's syslog tag */
	if (strcmp(ig->ev.syslog_name, ig->last_name) != 0) {
		if (!logparse_name_match(ig->syslog_names, ig->ev.syslog_name)) {
			ig->stats.skipped++;
			return;
		}
		memcpy(ig->last_name, ig->ev.syslog_name, sizeof(ig->last_name));
	}
	sessions_feed(ig->sessions, &ig->ev);
}

/*
 * The source record: a version byte, the cursor (a flag and five 64-bit
 * numbers), the statistics (four), then the sessions state.
 */
static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int
ingest_commit(struct ingest *ig, const struct logfollow_cursor *c)
{
	unsigned char hdr[HEADER_LEN] = { RECORD_VERSION, c != NULL };
	struct store_txn *txn;
	struct ingest_stats s;

	if (ig->committed_lines == ig->stats.lines && results_batch_size(ig->batch) == 0 && c == NULL)
		return 0;
	ingest_get_stats(ig, &s);
	if (c) {
		put64(hdr + 2, c->dev);
		put64(hdr + 10, c->ino);
		put64(hdr + 18, c->offset);
		put64(hdr + 26, c->headlen);
		put64(hdr + 34, c->headhash);
	}
	put64(hdr + 42, s.lines);
	put64(hdr + 50, s.skipped);
	put64(hdr + 58, s.sessions);
	put64(hdr + 66, s.failures);
	buf_reset(&ig->rec);
	if (buf_append(&ig->rec, hdr, sizeof(hdr)) < 0)
		return -1;
	if (sessions_save(ig->sessions, &ig->state) < 0
	    || buf_append(&ig->rec, ig->state.data, ig->state.len) < 0) {
		log_warnx("log %s: correlation state too large to save", ig->name);
		return -1;
	}
	if ((txn = store_begin(ig->st)) == NULL)
		goto fail;
	if (results_apply(ig->st, txn, ig->batch) < 0
	    || store_put(ig->st, txn, STORE_DB_SOURCE, ig->name, strlen(ig->name), ig->rec.data,
	    ig->rec.len) < 0) {
		store_abort(ig->st, txn);
		goto fail;
	}
	if (store_commit_lazy(ig->st, txn) < 0)
		goto fail;
	results_batch_clear(ig->batch);
	attrib_forget(ig->attrib);
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
	const unsigned char *p;
	int rc;

	*have_cursor = 0;
	buf_init(&rec, STATE_MAX);
	rc = store_get(ig->st, NULL, STORE_DB_SOURCE, ig->name, strlen(ig->name), &rec);
	if (rc == STORE_NOTFOUND) {
		buf_fini(&rec);
		return 0;
	}
	p = (const unsigned char *)rec.data;
	if (rc < 0 || rec.len < HEADER_LEN || p[0] != RECORD_VERSION
	    || sessions_load(ig->sessions, p + HEADER_LEN, rec.len - HEADER_LEN) < 0) {
		log_warnx("log %s: saved position unreadable, starting afresh", ig->name);
		buf_fini(&rec);
		return -1;
	}
	if (p[1]) {
		c->dev = get64(p + 2);
		c->ino = get64(p + 10);
		c->offset = get64(p + 18);
		c->headlen = get64(p + 26);
		c->headhash = get64(p + 34);
		*have_cursor = 1;
	}
	ig->stats.lines = ig->committed_lines = get64(p + 42);
	ig->stats.skipped = get64(p + 50);
	ig->stats.sessions = get64(p + 58);
	ig->stats.failures = get64(p + 66);
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
	out->excluded = sessions_excluded(ig->sessions);
}

struct strmap *
ingest_ip_map(const char *list)
{
	struct strmap *m = strmap_new();
	const char *pos = list, *word;
	size_t len;

	while ((word = list_next(&pos, &len)) != NULL) {
		const char *eq;
		char host[256], ip[64];

		if ((eq = memchr(word, '=', len)) == NULL || (size_t)(eq - word) >= sizeof(host)
		    || len - (size_t)(eq - word) - 1 >= sizeof(ip))
			continue;   /* settings have checked the syntax */
		memcpy(host, word, (size_t)(eq - word));
		host[eq - word] = '\0';
		memcpy(ip, eq + 1, len - (size_t)(eq - word) - 1);
		ip[len - (size_t)(eq - word) - 1] = '\0';
		free(strmap_put(m, host, xstrdup(ip)));
		/* Postfix's maillog_file names the host by its first label */
		if ((eq = strchr(host, '.')) != NULL) {
			host[eq - host] = '\0';
			if (strmap_get(m, host) == NULL)
				strmap_put(m, host, xstrdup(ip));
		}
	}
	return m;
}
