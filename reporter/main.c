/*
 * tlspolicy-report - send the daily TLSRPT (RFC 8460) reports.
 *
 * Run from cron (hourly is best: the first run after midnight UTC sends
 * yesterday's reports, later runs retry what failed).  For each closed
 * UTC day of the last two (or the --day given) and each policy domain
 * with counted sessions, the domain's _smtp._tls TXT record names where
 * its report goes; each mailto: URI gets an e-mail through sendmail, each
 * https: URI a POST.  What was delivered is remembered per day, domain
 * and URI in the store, so running again sends nothing twice; failures
 * are retried with backoff for a day.  Host reports go to the TLSA base
 * domain of DANE policies when it publishes its own record.
 *
 * A running tlspolicyd owns the store: the reporter borrows it
 * (storelend.h) and gives it back whenever it waits on the network or on
 * sendmail, so that the daemon is without its store only for moments.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bounce.h"
#include "buf.h"
#include "decision.h"
#include "deliver.h"
#include "dns.h"
#include "dnswire.h"
#include "domain.h"
#include "evloop.h"
#include "https.h"
#include "log.h"
#include "message.h"
#include "numparse.h"
#include "privs.h"
#include "report.h"
#include "settings.h"
#include "state.h"
#include "store.h"
#include "storecheck.h"
#include "storelend.h"
#include "strmap.h"
#include "text.h"
#include "tlsrpt.h"
#include "xalloc.h"

#define BOUNCE_MAX ((size_t)4 << 20)

struct run {
	struct settings cfg;
	struct store *st;
	struct evloop *loop;
	struct dns *dns;
	struct https_client *hc;
	struct report_meta meta;
	struct deliver_ctx dx;
	char from[320], contact[320], submitter[DOMAIN_MAX + 1], organization[256];
	const char *dry_run;          /* directory, or NULL */
	const struct strmap *excluded; /* cfg.report_exclude_domains */
	struct strmap *ruas;          /* recipient domain -> its rua list, for host reports */
	time_t now;
	unsigned norecord, unusable, dnsfail;   /* domains without a report, and why */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: tlspolicy-report [-hnvV] [-c config_file] [--day DAY] [--dry-run DIR]\n"
	    "       tlspolicy-report [-c config_file] --bounce < bounce-message\n"
	    "  -c FILE        configuration file (default " SETTINGS_DEFAULT_FILE ")\n"
	    "  --day DAY      report this UTC day only, YYYY-MM-DD, today or yesterday\n"
	    "                 (default: the last two closed days)\n"
	    "  --dry-run DIR  write the messages and JSON reports to DIR, send nothing\n"
	    "  --at SECONDS   act as if it were this time (Unix seconds): replays, tests\n"
	    "  -n             no random delay (report_delay_max)\n"
	    "  -v             log to standard error at debug level\n"
	    "  -V, --version  print the version and exit\n"
	    "  --bounce       read a delivery status notification for a report and count\n"
	    "                 the bounce of its recipient\n");
}

/* --- DNS ------------------------------------------------------------- */

struct txt_wait {
	struct run *r;
	int done, failed;
	enum tlsrpt_status status;
	struct tlsrpt_record rec;
	const char *why;
	char err[200];
};

static void
on_txt(void *arg, enum dns_status st, const struct dns_msg *msg, const char *why)
{
	struct txt_wait *w = arg;

	w->done = 1;
	evloop_stop(w->r->loop);
	if (st != DNS_OK || (msg->rcode != DNS_RCODE_NOERROR && msg->rcode != DNS_RCODE_NXDOMAIN)) {
		w->failed = 1;
		snprintf(w->err, sizeof(w->err), "%s", st != DNS_OK ? why : "server failure");
		return;
	}
	{
		const char *txt[DNS_RR_MAX];
		size_t len[DNS_RR_MAX], n = 0;

		for (size_t i = 0; i < msg->nrr; i++)
			if (msg->rr[i].type == DNS_TYPE_TXT) {
				txt[n] = (const char *)msg->data + msg->rr[i].off;
				len[n++] = msg->rr[i].len;
			}
		w->status = tlsrpt_select(txt, len, n, &w->rec, &w->why);
	}
}

/* lookup - the TLSRPT record of domain; -1 when DNS failed (retry later) */
static int
lookup(struct run *r, const char *domain, struct txt_wait *w)
{
	char name[DOMAIN_MAX + 16];

	memset(w, 0, sizeof(*w));
	w->r = r;
	snprintf(name, sizeof(name), "_smtp._tls.%s", domain);
	store_release(r->st);
	dns_query(r->dns, name, DNS_TYPE_TXT, on_txt, w);
	while (!w->done)
		evloop_run(r->loop);
	store_hold(r->st, settings_control(&r->cfg));
	return w->failed ? -1 : 0;
}

/* rua_list - the record's URIs as one string, to compare records */
static void
rua_list(const struct tlsrpt_record *rec, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < rec->nrua; i++)
		buf_printf(out, "%s%s", i ? "," : "", rec->rua[i].uri);
}

/* report - the report of one policy domain (host: a TLSA base domain) */
static void
report(struct run *r, const struct report_day *d, const char *domain, int host)
{
	struct txt_wait w;
	struct buf json, gz, list;
	struct message_info mi;
	char id[2 * DOMAIN_MAX + 64];

	if (lookup(r, domain, &w) < 0) {
		log_warnx("report day=%s domain=%s: _smtp._tls lookup failed (%s), retried on a later run",
		    d->day, domain, w.err);
		r->dnsfail++;
		return;
	}
	if (w.status != TLSRPT_OK) {
		if (w.status == TLSRPT_NONE) {
			log_debug("report day=%s domain=%s: no TLSRPT record", d->day, domain);
			r->norecord++;
		} else {
			log_info("report day=%s domain=%s: TLSRPT record unusable (%s), no report", d->day,
			    domain, w.why);
			r->unusable++;
		}
		return;
	}
	for (size_t i = 0; i < w.rec.nbad && i < TLSRPT_BAD_MAX; i++)
		log_info("report day=%s domain=%s: rua \"%s\" skipped (%s)", d->day, domain, w.rec.bad[i],
		    w.rec.bad_why[i]);
	if (w.rec.nbad > TLSRPT_BAD_MAX)
		log_info("report day=%s domain=%s: %zu more rua skipped", d->day, domain,
		    w.rec.nbad - TLSRPT_BAD_MAX);
	buf_init(&list, 8192);
	rua_list(&w.rec, &list);
	if (!host) {
		free(strmap_put(r->ruas, domain, xstrdup(list.data ? list.data : "")));
	} else if (!report_host_wanted(d, domain, list.data ? list.data : "", r->ruas)) {
		log_debug("report day=%s host=%s: same report addresses as its domains", d->day, domain);
		buf_fini(&list);
		return;
	}
	buf_fini(&list);
	buf_init(&json, DELIVER_REPORT_MAX);
	buf_init(&gz, DELIVER_REPORT_MAX);
	if (report_json(r->st, d, &r->meta, domain, host, &json) < 0 || message_gzip(json.data,
	    json.len, &gz) < 0) {
		log_warnx("report day=%s domain=%s: report not built (too large?)", d->day, domain);
		goto done;
	}
	report_id(d, domain, r->submitter, id, sizeof(id));
	memset(&mi, 0, sizeof(mi));
	mi.from = r->from;
	mi.domain = domain;
	mi.submitter = r->submitter;
	mi.report_id = id;
	mi.start = d->start;
	mi.end = d->start + 86399;
	mi.now = r->now;
	if (r->cfg.report_archive_directory[0] && !r->dry_run)
		deliver_archive(r->cfg.report_archive_directory, &mi, &gz);
	deliver_report(&r->dx, d->day, domain, &w.rec, &json, &gz, &mi);
done:
	buf_fini(&json);
	buf_fini(&gz);
}

struct host_base {
	struct run *r;
	const struct report_day *d;
};

static void
host_report(void *arg, const char *base)
{
	struct host_base *hb = arg;

	if (!strmap_get(hb->r->excluded, base))
		report(hb->r, hb->d, base, 1);
}

/* summary - what the run did, and why nothing was sent where nothing was */
static void
summary(const struct run *r)
{
	if (r->dry_run)
		log_info("dry run: %u files written to %s, %u not written", r->dx.written,
		    r->dry_run, r->dx.failed);
	else
		log_info("%u reports delivered, %u deliveries failed (retried later), %u already "
		    "sent, %u waiting for a retry, %u skipped", r->dx.sent, r->dx.failed,
		    r->dx.already, r->dx.waiting, r->dx.skipped);
	log_info("domains without a report: %u without a TLSRPT record, %u with an unusable "
	    "record, %u DNS failures (retried later)", r->norecord, r->unusable, r->dnsfail);
}

static int
do_day(struct run *r, const char *day)
{
	struct report_day *d = report_day_load(r->st, day);
	struct host_base hb;

	if (d == NULL) {
		log_errorx("day %s: store: %s", day, store_strerror(r->st));
		return -1;
	}
	log_info("day %s: %zu policy domains with sessions", day, d->ndomains);
	for (size_t i = 0; i < d->ndomains; i++) {
		const struct report_domain *rd = &d->domains[i];

		if (strmap_get(r->excluded, rd->domain)) {
			log_debug("report day=%s domain=%s: excluded by report_exclude_domains", day, rd->domain);
			continue;
		}
		if (r->cfg.report_only_with_failures && rd->failures == 0)
			continue;
		report(r, d, rd->domain, 0);
	}
	/* host reports, after every domain's record is known */
	hb.r = r;
	hb.d = d;
	report_tlsa_bases(d, host_report, &hb);
	report_day_free(d);
	return 0;
}

/* purge - forget the deliveries of days past result_retention */
static void
purge(struct run *r)
{
	char cutoff[11];
	long n;

	decision_daystr(r->now - (time_t)r->cfg.result_retention, cutoff);
	if ((n = state_purge(r->st, cutoff)) < 0)
		log_warnx("store: old delivery records not purged: %s", store_strerror(r->st));
	else if (n > 0)
		log_info("%ld delivery records before %s purged", n, cutoff);
}

/* --- bounces ----------------------------------------------------------- */

struct bounce_run {
	struct run *r;
	unsigned counted;
};

/* bounce_count - count one failed recipient of the DSN */
static void
bounce_count(void *arg, const char *address)
{
	struct bounce_run *b = arg;

	if (state_bounce(b->r->st, address, b->r->now) == 0) {
		log_info("bounce of a report to %s counted", address);
		b->counted++;
	}
}

/* bounce - a DSN on stdin: each failed recipient counts a bounce */
static int
bounce(struct run *r)
{
	struct buf in;
	char chunk[8192];
	ssize_t n;
	struct bounce_run b = { r, 0 };

	buf_init(&in, BOUNCE_MAX);
	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) > 0)
		if (buf_append(&in, chunk, (size_t)n) < 0)
			break;   /* the status part is near the start: the rest does not matter */
	bounce_parse(in.data ? in.data : "", in.len, bounce_count, &b);
	if (b.counted == 0)
		log_info("bounce: no failed recipient found in the message");
	buf_fini(&in);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "day", required_argument, NULL, 'd' },
		{ "dry-run", required_argument, NULL, 'D' },
		{ "bounce", no_argument, NULL, 'b' },
		{ "at", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct run r;
	const char *cfgfile = NULL, *day = NULL;
	long long at = 0;
	int ch, verbose = 0, nodelay = 0, bounces = 0, rc = 0;
	char err[1024], daybuf[11];

	while ((ch = getopt_long(argc, argv, "c:nvVh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': cfgfile = optarg; break;
		case 'd': day = optarg; break;
		case 'D': r.dry_run = optarg; break;
		case 'b': bounces = 1; break;
		case 'a': {
			uint64_t v;

			if (numparse_uint(optarg, strlen(optarg), INT64_MAX, &v) < 0 || v == 0) {
				fprintf(stderr, "tlspolicy-report: --at expects Unix seconds\n");
				return 2;
			}
			at = (long long)v;
			break;
		}
		case 'n': nodelay = 1; break;
		case 'v': verbose = 1; break;
		case 'V': printf("tlspolicy-report %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (day && numparse_day(day, strlen(day), at > 0 ? (time_t)at : time(NULL), daybuf) < 0) {
		fprintf(stderr, "tlspolicy-report: --day expects a date YYYY-MM-DD that exists, "
		    "today or yesterday: \"%.40s\"\n", day);
		return 2;
	}
	if (day)
		day = daybuf;
	log_init("tlspolicy-report", 1, 0);
	if (settings_load(&r.cfg, cfgfile, err, sizeof(err)) < 0)
		log_fatalx("%s", err);
	if (!verbose && !isatty(STDERR_FILENO)) {
		log_init("tlspolicy-report", 0, r.cfg.syslog_facility);
		log_also_stderr(1);
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : (enum log_level)r.cfg.log_level);
	if (privs_become(r.cfg.user, err, sizeof(err)) < 0)
		log_fatalx("%s", err);
	if (r.dry_run && access(r.dry_run, W_OK | X_OK) < 0)
		log_fatalx("--dry-run %s: %s%s%s%s", r.dry_run, strerror(errno),
		    errno == EACCES && r.cfg.user[0] && geteuid() != 0 ? " (the reporter runs as user " : "",
		    errno == EACCES && r.cfg.user[0] && geteuid() != 0 ? r.cfg.user : "",
		    errno == EACCES && r.cfg.user[0] && geteuid() != 0 ? ", the \"user\" setting: "
		    "that user needs write access to the directory)" : "");
	settings_report_from(&r.cfg, r.from, sizeof(r.from));
	settings_report_contact(&r.cfg, r.contact, sizeof(r.contact));
	settings_report_submitter(&r.cfg, r.submitter, sizeof(r.submitter));
	settings_report_organization(&r.cfg, r.organization, sizeof(r.organization));
	{
		const char *cat = strrchr(r.contact, '@');

		if (cat && strcasecmp(cat + 1, r.submitter) != 0)
			log_warnx("report_submitter %s differs from the domain of report_contact %s "
			    "(RFC 8460 wants them equal)", r.submitter, r.contact);
	}
	r.meta.organization = r.organization;
	r.meta.contact = r.contact;
	r.meta.submitter = r.submitter;
	if ((r.st = store_borrow_open(r.cfg.state_directory, settings_control(&r.cfg),
	    STORE_LEND_WAIT_MS, err, sizeof(err))) == NULL)
		log_fatalx("store: %s", err);
	r.now = at > 0 ? (time_t)at : time(NULL);
	if (!bounces) {
		/* counts that are lost, or would be doubled, make no report */
		char why[1024];
		int refused = storecheck_counting(r.st, why, sizeof(why));

		if (refused != 0) {
			log_errorx("store: %s; no reports are sent until then",
			    refused < 0 ? store_strerror(r.st) : why);
			store_close(r.st);
			settings_fini(&r.cfg);
			return 1;
		}
	}
	/* reports to other organisations under a bare host name: none */
	if (!bounces && !r.dry_run && settings_report_check(&r.cfg, err, sizeof(err)) < 0) {
		log_errorx("%s: no reports are sent", err);
		store_close(r.st);
		settings_fini(&r.cfg);
		return 1;
	}
	if (bounces) {
		rc = bounce(&r);
		store_close(r.st);
		settings_fini(&r.cfg);
		return rc;
	}
	if (r.cfg.report_delay_max > 0 && !nodelay && !day && !r.dry_run) {
		unsigned wait = (unsigned)((unsigned long)arc4random() % (r.cfg.report_delay_max + 1));

		log_info("waiting %u s before sending (report_delay_max)", wait);
		store_release(r.st);
		sleep(wait);
		store_hold(r.st, settings_control(&r.cfg));
		r.now += (time_t)wait;
	}
	if ((r.loop = evloop_new()) == NULL)
		log_fatal("epoll_create");
	if ((r.dns = dns_new(r.loop, r.cfg.dns_resolver.v, r.cfg.dns_resolver.n, 3000, 2, err,
	    sizeof(err))) == NULL)
		log_fatalx("dns: %s", err);
	if ((r.hc = https_client_new(r.cfg.sts_ca_file, err, sizeof(err))) == NULL)
		log_fatalx("https: %s", err);
	r.dx.st = r.st;
	r.dx.control = settings_control(&r.cfg);
	r.dx.loop = r.loop;
	r.dx.dns = r.dns;
	r.dx.hc = r.hc;
	r.dx.sendmail_path = r.cfg.sendmail_path;
	r.dx.from = r.from;
	r.dx.dry_run = r.dry_run;
	r.dx.now = r.now;
	r.excluded = r.cfg.report_exclude_domains;
	r.ruas = strmap_new();
	if (day) {
		rc = do_day(&r, day);
	} else {
		/* yesterday first, then the day before for what still needs a retry */
		for (int back = 1; back <= 2; back++) {
			char d[11];

			decision_daystr(r.now - (time_t)back * 86400, d);
			if (do_day(&r, d) < 0)
				rc = -1;
		}
	}
	if (!r.dry_run)
		purge(&r);
	summary(&r);
	if (r.dx.failed > 0 || r.dnsfail > 0)
		rc = -1;
	strmap_free(r.ruas, free);
	https_client_free(r.hc);
	dns_free(r.dns);
	evloop_free(r.loop);
	store_close(r.st);
	settings_fini(&r.cfg);
	return rc < 0 ? 1 : 0;
}
