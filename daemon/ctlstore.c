/*
 * ctlstore - tlspolicyctl results and ingest, see ctlstore.h.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ctlstore.h"
#include "domain.h"
#include "endpoint.h"
#include "evloop.h"
#include "ingest.h"
#include "jsontext.h"
#include "log.h"
#include "logfollow.h"
#include "numparse.h"
#include "privs.h"
#include "report.h"
#include "results.h"
#include "settings.h"
#include "store.h"
#include "storecheck.h"
#include "storelend.h"
#include "strmap.h"

#define INGEST_TURN ((size_t)32 * 1024 * 1024)   /* bytes per commit */
#define STREAM_COMMIT_LINES 5000
#define STREAM_COMMIT_MSEC 1000
#define RESULTS_TEXT_MAX ((size_t)64 * 1024 * 1024)   /* "results" output at most */
#define STREAM_IDLE_MSEC 1000      /* no input for that long: give the store back */

static struct store *
open_store(const struct settings *s)
{
	char err[1024];
	struct store *st;

	if (privs_become(s->user, err, sizeof(err)) < 0) {
		fprintf(stderr, "tlspolicyctl: %s\n", err);
		return NULL;
	}
	if ((st = store_borrow_open(s->state_directory, settings_control(s), STORE_LEND_WAIT_MS, err,
	    sizeof(err))) == NULL)
		fprintf(stderr, "tlspolicyctl: store: %s\n", err);
	return st;
}

/* refused - storecheck_counting() objects (said on stderr): 0, else 1 */
static int
refused(struct store *st)
{
	char why[1024];
	int rc = storecheck_counting(st, why, sizeof(why));

	if (rc < 0)
		fprintf(stderr, "tlspolicyctl: store: %s\n", store_strerror(st));
	else if (rc > 0)
		fprintf(stderr, "tlspolicyctl: store: %s\n", why);
	return rc == 0;
}

/* one (day, domain, policy) group of counters */
struct group {
	struct result_rec key;    /* day, domain, ptype, pkey */
	uint64_t successes, failures;
	json_object *details;
	struct buf text;          /* the failure lines in text form */
};

static int
same_group(const struct group *g, const struct result_rec *r)
{
	return strcmp(g->key.day, r->day) == 0 && strcmp(g->key.domain, r->domain) == 0
	    && strcmp(g->key.ptype, r->ptype) == 0 && strcmp(g->key.pkey, r->pkey) == 0;
}

static void
group_flush(struct group *g, json_object *out, int json)
{
	if (g->key.day[0] == '\0')
		return;
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "day", jsontext(g->key.day));
		json_object_object_add(o, "domain", jsontext(g->key.domain));
		json_object_object_add(o, "policy-type", jsontext(g->key.ptype));
		json_object_object_add(o, "policy-key", jsontext(g->key.pkey));
		json_object_object_add(o, "total-successful-session-count",
		    json_object_new_int64((int64_t)g->successes));
		json_object_object_add(o, "total-failure-session-count",
		    json_object_new_int64((int64_t)g->failures));
		json_object_object_add(o, "failure-details", g->details);
		json_object_array_add(out, o);
	} else {
		printf("%s %s %s%s%s successes=%" PRIu64 " failures=%" PRIu64 "\n%s", g->key.day,
		    g->key.domain, g->key.ptype, g->key.pkey[0] ? " " : "", g->key.pkey, g->successes,
		    g->failures, g->text.data ? g->text.data : "");
		json_object_put(g->details);
	}
	memset(&g->key, 0, sizeof(g->key));
	g->successes = g->failures = 0;
	g->details = NULL;
	buf_reset(&g->text);
}

static void
add_detail(struct group *g, const struct result_rec *r, uint64_t n)
{
	json_object_array_add(g->details, report_detail_json(r->result, r->sendip, r->mx, r->rip,
	    r->reason, n));
	buf_printf(&g->text, "  %s count=%" PRIu64 " mx=%s ip=%s sending=%s%s%s%s\n", r->result, n,
	    r->mx[0] ? r->mx : "-", r->rip[0] ? r->rip : "-", r->sendip[0] ? r->sendip : "-",
	    r->reason[0] ? " reason=\"" : "", r->reason, r->reason[0] ? "\"" : "");
}

/* the counters ctl_results() prints, grouped as they come */
struct shown {
	const char *domain;       /* only this one, unless "" */
	int json;
	struct group g;
	json_object *out;
	uint64_t groups;          /* how many were shown */
};

static void
add_count(void *arg, const struct result_rec *r, uint64_t n)
{
	struct shown *sel = arg;

	if (sel->domain[0] && strcmp(r->domain, sel->domain) != 0)
		return;
	if (!same_group(&sel->g, r)) {
		sel->groups++;
		group_flush(&sel->g, sel->out, sel->json);
		sel->g.key = *r;
		sel->g.details = json_object_new_array();
	}
	if (r->failure) {
		sel->g.failures += n;
		add_detail(&sel->g, r, n);
	} else {
		sel->g.successes += n;
	}
}

int
ctl_results(const struct settings *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "day", required_argument, NULL, 'd' },
		{ "domain", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *day = NULL;
	char domain[DOMAIN_MAX + 1] = "", daybuf[11];
	int json = 0, ch, rc = 0;
	struct store *st;
	struct shown sel;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			if (numparse_day(optarg, strlen(optarg), time(NULL), daybuf) < 0) {
				fprintf(stderr, "tlspolicyctl: --day expects a date YYYY-MM-DD that "
				    "exists, today or yesterday: \"%.40s\"\n", optarg);
				return 2;
			}
			day = daybuf;
			break;
		case 'D':
			if (domain_normalize(optarg, strlen(optarg), domain, NULL) != DOMAIN_OK) {
				fprintf(stderr, "tlspolicyctl: --domain: not a domain name\n");
				return 2;
			}
			break;
		case 'j':
			json = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: tlspolicyctl results [--day YYYY-MM-DD] [--domain DOMAIN] [--json]\n");
		return 2;
	}
	if ((st = open_store(s)) == NULL)
		return 1;
	if (store_damage(st, STORE_DB_RESULT) != NULL) {
		fprintf(stderr, "tlspolicyctl: store: %s: no results (see tlspolicyd(8), "
		    "DAMAGED FILES)\n", store_damage(st, STORE_DB_RESULT));
		store_close(st);
		return 1;
	}
	memset(&sel, 0, sizeof(sel));
	sel.domain = domain;
	sel.json = json;
	buf_init(&sel.g.text, RESULTS_TEXT_MAX);
	sel.out = json_object_new_array();
	if (results_foreach(st, day, add_count, &sel) < 0) {
		fprintf(stderr, "tlspolicyctl: store: %s\n", store_strerror(st));
		rc = 1;
	}
	group_flush(&sel.g, sel.out, json);
	if (rc == 0 && sel.groups == 0)
		fprintf(stderr, "tlspolicyctl: no TLS sessions counted%s%s%s%s%s\n",
		    day ? " on " : "", day ? day : "", domain[0] ? " for " : "", domain,
		    s->log_source.n == 0 ? " (log_source is not set: the daemon follows no log; "
		    "see tlspolicyctl ingest)" : "");
	if (json)
		printf("%s\n", json_object_to_json_string_ext(sel.out, JSON_C_TO_STRING_PRETTY
		    | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(sel.out);
	buf_fini(&sel.g.text);
	if (!refused(st))
		rc = 1;
	store_close(st);
	return rc;
}

static void
line_cb(void *arg, const char *line, size_t len)
{
	ingest_line(arg, line, len);
}

static int borrow(struct store *st, const struct settings *s);

/* commit - with a few retries over a short lack of disk space, each after
 * reopening the store with recovery (a failed write leaves it refusing
 * writes until then) */
static int
commit(struct ingest *ig, const struct logfollow_cursor *c, struct store *st,
    const struct settings *s)
{
	for (int i = 0; i < 10; i++) {
		if (ingest_commit(ig, c) == 0)
			return 0;
		usleep(200000);
		if (store_needs_recovery(st)) {
			store_release(st);
			if (borrow(st, s) < 0)
				return -1;
		}
	}
	return -1;
}

/* settled - not written to for a minute: a last line without its newline
 * is complete, not one a writer is still writing */
static int
settled(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && time(NULL) - sb.st_mtime >= 60;
}

/* ingest_file - a regular file, remembered by position under "import:PATH":
 * importing it again counts only what was appended since */
static int
ingest_file(struct ingest *ig, struct logfollow *lf, const char *path, struct store *st,
    const struct settings *s)
{
	struct logfollow_cursor c;

	for (;;) {
		size_t n = logfollow_poll(lf, INGEST_TURN, line_cb, ig);

		if (n == 0 && settled(path))
			n = logfollow_finish(lf, line_cb, ig);
		if (logfollow_cursor(lf, &c) < 0)
			return -1;   /* the file could not be opened: said already */
		if (n == 0)
			return 0;
		if (commit(ig, &c, st, s) < 0)
			return -1;
	}
}

/* borrow - the store again, after store_release */
static int
borrow(struct store *st, const struct settings *s)
{
	char err[1024];

	if (store_is_open(st))
		return 0;
	if (store_borrow(st, settings_control(s), STORE_LEND_WAIT_MS, err, sizeof(err)) < 0) {
		fprintf(stderr, "tlspolicyctl: store: %s\n", err);
		return -1;
	}
	return 0;
}

/* ingest_stream - a pipe, until its end; commits every few thousand
 * lines or every second.  The store is held only while input comes: after
 * STREAM_IDLE_MSEC without any, it goes back to the daemon, and is
 * borrowed again for the next commit. */
static int
ingest_stream(struct ingest *ig, struct logfollow *lf, struct store *st,
    const struct settings *s)
{
	int64_t last = evloop_clock_ms(), input = last;

	while (!logfollow_eof(lf)) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

		if (poll(&pfd, 1, STREAM_COMMIT_MSEC) > 0) {
			logfollow_poll(lf, INGEST_TURN, line_cb, ig);
			input = evloop_clock_ms();
		}
		if (ingest_pending(ig) >= STREAM_COMMIT_LINES || evloop_clock_ms() - last >= STREAM_COMMIT_MSEC) {
			if (ingest_pending(ig) > 0 && (borrow(st, s) < 0 || commit(ig, NULL, st, s) < 0))
				return -1;
			last = evloop_clock_ms();
		}
		if (ingest_pending(ig) == 0 && store_is_open(st)
		    && evloop_clock_ms() - input >= STREAM_IDLE_MSEC)
			store_release(st);
	}
	logfollow_finish(lf, line_cb, ig);
	if (borrow(st, s) < 0)
		return -1;
	return commit(ig, NULL, st, s);
}

/* rotated_name - name is base followed by a rotation suffix: ".N",
 * ".N.gz", "-YYYYMMDD" (logrotate's numbering and dateext) */
static int
rotated_name(const char *name, const char *base)
{
	size_t n = strlen(base);
	const char *p;

	if (strncmp(name, base, n) != 0 || (name[n] != '.' && name[n] != '-'))
		return 0;
	p = name + n + 1;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0' || strcmp(p, ".gz") == 0;
}

/*
 * followed - refuse a file the daemon counts already: a log_source (by
 * name or inode), a rotated generation of one, or the file a log_source's
 * saved position is in.  Importing it would count its sessions twice.
 */
static int
followed(const struct settings *s, struct store *st, const struct ingest_config *icfg,
    const char *real)
{
	struct stat sb, ss;

	if (stat(real, &sb) < 0)
		return 0;
	for (size_t i = 0; i < s->log_source.n; i++) {
		const char *src = s->log_source.v[i];
		char rsrc[PATH_MAX];
		struct logfollow_cursor c;
		struct ingest *ig;
		int have = 0;

		if (realpath(src, rsrc) == NULL)
			snprintf(rsrc, sizeof(rsrc), "%s", src);
		if (strcmp(rsrc, real) == 0 || (stat(src, &ss) == 0 && ss.st_dev == sb.st_dev
		    && ss.st_ino == sb.st_ino)) {
			fprintf(stderr, "tlspolicyctl: %s is log_source %s (%s): tlspolicyd counts "
			    "it as it follows it; importing it as well would count its sessions "
			    "twice\n", real, src, s->source);
			return 1;
		}
		if (rotated_name(real, rsrc) || rotated_name(real, src)) {
			fprintf(stderr, "tlspolicyctl: %s is a rotated log of log_source %s (%s): "
			    "tlspolicyd counted it while it was %s; importing it would count its "
			    "sessions twice (a log from before log_source was set can be piped: "
			    "tlspolicyctl ingest - < FILE)\n", real, src, s->source, src);
			return 1;
		}
		ig = ingest_new(st, src, icfg);
		if (ingest_restore(ig, &c, &have) == 0 && have && c.dev == (uint64_t)sb.st_dev
		    && c.ino == (uint64_t)sb.st_ino) {
			fprintf(stderr, "tlspolicyctl: %s is the file tlspolicyd follows as "
			    "log_source %s (%s): importing it as well would count its sessions "
			    "twice\n", real, src, s->source);
			ingest_free(ig);
			return 1;
		}
		ingest_free(ig);
	}
	return 0;
}

int
ctl_ingest(const struct settings *s, int argc, char **argv)
{
	struct store *st;
	struct ingest *ig;
	struct logfollow *lf;
	struct ingest_config icfg;
	struct ingest_stats stats;
	char real[PATH_MAX];
	int stream, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: tlspolicyctl ingest FILE|-\n");
		return 2;
	}
	stream = strcmp(argv[1], "-") == 0;
	if (!stream && realpath(argv[1], real) == NULL) {
		fprintf(stderr, "tlspolicyctl: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if ((st = open_store(s)) == NULL)
		return 1;
	if (!refused(st)) {
		store_close(st);
		return 1;
	}
	ingest_config_init(&icfg, s);
	if (!stream && followed(s, st, &icfg, real)) {
		ingest_config_fini(&icfg);
		store_close(st);
		return 1;
	}
	if (stream) {
		ig = ingest_new(st, "stdin", &icfg);
		lf = logfollow_open_stream(STDIN_FILENO, "stdin");
		rc = ingest_stream(ig, lf, st, s);
	} else {
		struct logfollow_cursor c;
		char name[PATH_MAX + 16];
		int have = 0;

		snprintf(name, sizeof(name), "import:%s", real);
		ig = ingest_new(st, name, &icfg);
		lf = logfollow_new(real);
		if (ingest_restore(ig, &c, &have) == 0 && have)
			logfollow_resume(lf, &c);
		rc = ingest_file(ig, lf, real, st, s);
	}
	ingest_get_stats(ig, &stats);
	if (rc == 0)
		printf("%s: %" PRIu64 " lines, %" PRIu64 " skipped, %" PRIu64 " sessions counted, %"
		    PRIu64 " failed, %" PRIu64 " reports of ours not counted (totals for this source)\n",
		    stream ? "stdin" : real, stats.lines, stats.skipped, stats.sessions, stats.failures,
		    stats.excluded);
	logfollow_free(lf);
	ingest_free(ig);
	ingest_config_fini(&icfg);
	store_close(st);
	return rc == 0 ? 0 : 1;
}

/* daemon_running - the control socket answers */
static int
daemon_running(const struct settings_endpoints *control)
{
	const struct endpoint *ep;
	int fd, up;

	if (control->n == 0)
		return 0;
	ep = &control->v[0];
	if ((fd = socket(ep->family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	up = connect(fd, (const struct sockaddr *)&ep->addr, ep->addrlen) == 0;
	close(fd);
	return up;
}

static void
skip_line(void *arg, const char *line, size_t len)
{
	(void)arg;
	(void)line;
	(void)len;
}

/* start_at_end - a log_source with no saved position is counted from
 * its current end */
static int
start_at_end(struct store *st, const char *path, const struct ingest_config *icfg)
{
	struct ingest *ig = ingest_new(st, path, icfg);
	struct logfollow *lf;
	struct logfollow_cursor c;
	int have = 0, rc = 0;

	if (ingest_restore(ig, &c, &have) == 0 && have) {
		ingest_free(ig);
		return 0;
	}
	lf = logfollow_new(path);
	/* not "reading from the start": it is skipped */
	log_set_level(LOG_LEVEL_WARNING);
	while (logfollow_poll(lf, INGEST_TURN, skip_line, NULL) > 0)
		;
	log_set_level(LOG_LEVEL_INFO);
	if (logfollow_cursor(lf, &c) < 0) {
		printf("log %s: not there yet: it will be read from its start\n", path);
	} else if (ingest_commit(ig, &c) < 0) {
		fprintf(stderr, "tlspolicyctl: log %s: %s\n", path, store_strerror(st));
		rc = -1;
	} else {
		printf("log %s: no saved position: counting starts at its current end "
		    "(offset %" PRIu64 ")\n", path, c.offset);
	}
	logfollow_free(lf);
	ingest_free(ig);
	return rc;
}

int
ctl_store_accept(const struct settings *s, int argc, char **argv)
{
	struct store *st;
	struct ingest_config icfg;
	char done[1024], err[1024];
	int rc = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: tlspolicyctl store-accept\n");
		return 2;
	}
	if (daemon_running(&s->control_socket)) {
		fprintf(stderr, "tlspolicyctl: tlspolicyd is running (%s answers): stop it first\n",
		    s->control_socket.v[0].text);
		return 1;
	}
	if ((st = open_store(s)) == NULL)
		return 1;
	if ((rc = storecheck_accept(st, done, sizeof(done), err, sizeof(err))) < 0) {
		fprintf(stderr, "tlspolicyctl: store: %s\n", err);
		store_close(st);
		return 1;
	}
	printf("%s\n", done);
	if (rc > 0) {
		store_close(st);
		return 0;
	}
	ingest_config_init(&icfg, s);
	for (size_t i = 0; i < s->log_source.n; i++)
		if (start_at_end(st, s->log_source.v[i], &icfg) < 0)
			rc = 1;
	ingest_config_fini(&icfg);
	store_close(st);
	return rc;
}
