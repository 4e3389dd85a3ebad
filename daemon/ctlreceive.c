/*
 * ctlreceive - tlspolicyctl receive and reports, see ctlreceive.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ctlreceive.h"
#include "dkim.h"
#include "dns.h"
#include "dnswire.h"
#include "fileio.h"
#include "domain.h"
#include "evloop.h"
#include "incoming.h"
#include "incomingjson.h"
#include "jsontext.h"
#include "mime.h"
#include "privs.h"
#include "psl.h"
#include "rptparse.h"
#include "settings.h"
#include "store.h"
#include "storelend.h"
#include "strmap.h"
#include "text.h"

#define RECEIVE_MAX ((size_t)16 * 1024 * 1024)   /* one message read from stdin */
#define DNS_TIMEOUT_MS 5000
#define DNS_TRIES 2
#define DNS_GUARD_MS 60000
#define KEY_TXT_MAX 4096
#define PSL_MAX ((size_t)4 * 1024 * 1024)

static struct psl *suffixes;   /* the public suffix list, or NULL */

/* may_sign - may a signature of domain d vouch for the From domain from:
 * from itself or a parent, not a public suffix (without the list: not a
 * top-level domain) */
static int
may_sign(const char *d, const char *from)
{
	return dkim_aligned(d, from) && (suffixes == NULL || !psl_is_suffix(suffixes, d));
}

/* load_suffixes - the public suffix list, if configured and readable */
static void
load_suffixes(const struct settings *s)
{
	char err[512];
	size_t len;
	char *text;

	if (s->public_suffix_list[0] == '\0')
		return;
	if ((text = file_read(s->public_suffix_list, PSL_MAX, &len, err, sizeof(err))) == NULL) {
		fprintf(stderr, "tlspolicyctl: public_suffix_list: %s: a parent domain of the From "
		    "domain may sign unless it is a top-level domain\n", err);
		return;
	}
	suffixes = psl_parse(text, len);
	free(text);
}

/* one key lookup */
struct keyq {
	struct dkim_sig *sig;
	enum dns_status status;
	unsigned rcode;
	int done;
	size_t ntxt;
	char txt[4][KEY_TXT_MAX];
	size_t txtlen[4];
	struct evloop *loop;
	unsigned *pending;
};

static void
key_answer(void *arg, enum dns_status status, const struct dns_msg *msg, const char *why)
{
	struct keyq *q = arg;

	(void)why;
	q->status = status;
	q->done = 1;
	if (status == DNS_OK) {
		q->rcode = msg->rcode;
		for (size_t i = 0; i < msg->nrr && q->ntxt < 4; i++) {
			const struct dns_rr *rr = &msg->rr[i];

			if (rr->type != DNS_TYPE_TXT || rr->len >= KEY_TXT_MAX)
				continue;
			memcpy(q->txt[q->ntxt], msg->data + rr->off, rr->len);
			q->txt[q->ntxt][rr->len] = '\0';
			q->txtlen[q->ntxt++] = rr->len;
		}
	}
	if (--*q->pending == 0)
		evloop_stop(q->loop);
}

static void
guard(struct evloop *loop, void *arg)
{
	(void)arg;
	evloop_stop(loop);
}

/* from_domain - the domain of the From field's address, normalized */
static int
from_domain(const char *hdr, size_t hlen, char *out)
{
	char v[1024], *a, *e, *at;

	if (!mime_header_get(hdr, hlen, "From", v, sizeof(v)))
		return -1;
	if ((a = strrchr(v, '<')) != NULL) {
		a++;
		if ((e = strchr(a, '>')) == NULL)
			return -1;
		*e = '\0';
	} else {
		a = v;
	}
	if ((at = strrchr(a, '@')) == NULL)
		return -1;
	at++;
	for (e = at; *e && *e != ' ' && *e != '\t' && *e != '>' && *e != ')'; e++)
		;
	return domain_normalize(at, (size_t)(e - at), out, NULL) == DOMAIN_OK ? 0 : -1;
}

/*
 * trust_dkim - a signature of the From domain or a parent of it that
 * verifies: 0 (how, in trust), 1 none (the reasons in why), -1 a DNS
 * failure that may pass (retry later).
 */
static int
trust_dkim(const struct settings *s, const char *msg, size_t len, const char *from,
    char *trust, size_t trustlen, char *why, size_t whylen)
{
	static struct dkim_sig sigs[DKIM_SIGS_MAX];
	static struct keyq q[DKIM_SIGS_MAX];
	struct evloop *loop;
	struct dns *dns;
	struct evloop_timer *t;
	char err[512], name[DOMAIN_MAX + 1];
	const char *w = NULL;
	size_t bad, n = dkim_find(msg, len, sigs, DKIM_SIGS_MAX, &bad, &w), nq = 0;
	unsigned pending = 0;
	int temp = 0;

	why[0] = '\0';
	if (n == 0) {
		snprintf(why, whylen, "no DKIM signature%s%s", bad ? ": " : "", bad ? w : "");
		return 1;
	}
	loop = evloop_new();
	if ((dns = dns_new(loop, s->dns_resolver.v, s->dns_resolver.n, DNS_TIMEOUT_MS, DNS_TRIES,
	    err, sizeof(err))) == NULL) {
		evloop_free(loop);
		snprintf(why, whylen, "DNS: %s", err);
		return -1;
	}
	memset(q, 0, sizeof(q));
	for (size_t i = 0; i < n; i++) {
		size_t o = strlen(why);

		if (!may_sign(sigs[i].d, from)) {
			snprintf(why + o, whylen - o, "%sd=%s is not the From domain %s or a parent of it "
			    "below the public suffix", o ? "; " : "", sigs[i].d, from);
			continue;
		}
		if (dkim_key_name(&sigs[i], name, sizeof(name)) < 0) {
			snprintf(why + o, whylen - o, "%sd=%s: key name too long", o ? "; " : "", sigs[i].d);
			continue;
		}
		q[nq].sig = &sigs[i];
		q[nq].loop = loop;
		q[nq].pending = &pending;
		pending++;
		nq++;
	}
	/* queries are sent once all are counted: an immediate failure calls
	 * back at once */
	for (size_t i = 0; i < nq; i++) {
		dkim_key_name(q[i].sig, name, sizeof(name));
		dns_query(dns, name, DNS_TYPE_TXT, key_answer, &q[i]);
	}
	if (pending > 0) {
		t = evloop_timer_add(loop, DNS_GUARD_MS, guard, NULL);
		evloop_run(loop);
		if (pending > 0)
			temp = 1;
		else
			evloop_timer_cancel(loop, t);
	}
	for (size_t i = 0; i < nq; i++) {
		struct keyq *k = &q[i];
		size_t o = strlen(why);
		enum dkim_result res = DKIM_NOKEY;
		const char *r = "no key record";

		if (!k->done || k->status != DNS_OK || (k->rcode != DNS_RCODE_NOERROR
		    && k->rcode != DNS_RCODE_NXDOMAIN)) {
			temp = 1;
			snprintf(why + o, whylen - o, "%sd=%s s=%s: key lookup failed for now",
			    o ? "; " : "", k->sig->d, k->sig->s);
			continue;
		}
		for (size_t j = 0; j < k->ntxt && res == DKIM_NOKEY; j++)
			res = dkim_verify(msg, len, k->sig, k->txt[j], k->txtlen[j], time(NULL), &r);
		if (res == DKIM_PASS) {
			if (snprintf(trust, trustlen, "dkim d=%s s=%s", k->sig->d, k->sig->s) < 0)
				trust[0] = '\0';
			dns_free(dns);
			evloop_free(loop);
			return 0;
		}
		snprintf(why + o, whylen - o, "%sd=%s s=%s: %s", o ? "; " : "", k->sig->d, k->sig->s, r);
	}
	dns_free(dns);
	evloop_free(loop);
	return temp ? -1 : 1;
}

/* trust_ar - an Authentication-Results field of the configured authserv-id
 * with dkim=pass for the From domain or a parent: 0 (how, in trust), or 1 */
static int
trust_ar(const struct settings *s, const char *hdr, size_t hlen, const char *from,
    char *trust, size_t trustlen)
{
	const char *id = s->incoming_trusted_authserv_id, *n, *f;
	size_t pos = 0, nlen, flen, idl = strlen(id);

	if (idl == 0)
		return 1;
	while (mime_header_next(hdr, hlen, &pos, &n, &nlen, &f, &flen)) {
		char v[4096], *p, *res, *save = NULL;

		if (nlen != 22 || strncasecmp(n, "Authentication-Results", 22) != 0)
			continue;
		{
			const char *c = memchr(f, ':', flen);
			size_t o = 0;

			for (c++; c < f + flen && o + 1 < sizeof(v); c++)
				if (*c != '\r' && *c != '\n')
					v[o++] = *c == '\t' ? ' ' : *c;
			v[o] = '\0';
		}
		for (p = v; *p == ' '; p++)
			;
		if (strncasecmp(p, id, idl) != 0 || (p[idl] != ';' && p[idl] != ' '))
			continue;
		for (res = strtok_r(p + idl, ";", &save); res; res = strtok_r(NULL, ";", &save)) {
			char d[DOMAIN_MAX + 1], *hd, *e;

			while (*res == ' ')
				res++;
			if (strncasecmp(res, "dkim=pass", 9) != 0 || (res[9] != ' ' && res[9] != '\0'))
				continue;
			if ((hd = strstr(res, "header.d=")) != NULL)
				hd += 9;
			else if ((hd = strstr(res, "header.i=")) != NULL && (hd = strchr(hd, '@')) != NULL)
				hd++;
			else
				continue;
			for (e = hd; *e && *e != ' ' && *e != ';' && *e != ')'; e++)
				;
			if (domain_normalize(hd, (size_t)(e - hd), d, NULL) != DOMAIN_OK
			    || !may_sign(d, from))
				continue;
			if (snprintf(trust, trustlen, "authentication-results %s dkim=pass header.d=%s", id,
			    d) < 0)
				trust[0] = '\0';
			return 0;
		}
	}
	return 1;
}

/* quarantine - keep msg[0..len) with the reason in front, in a new file
 * of mode 0600 made with O_EXCL under the quarantine directory opened
 * without following links; 0, or -1 (said on stderr) */
static int
quarantine(const struct settings *s, const char *msg, size_t len, const char *reason,
    char *name, size_t namelen)
{
	char dir[4096], clean[1024], head[1200];
	struct timespec ts;
	struct tm tm;
	int dfd, fd = -1;
	size_t off;

	if (s->incoming_quarantine_directory[0])
		snprintf(dir, sizeof(dir), "%s", s->incoming_quarantine_directory);
	else if (snprintf(dir, sizeof(dir), "%s/quarantine", s->state_directory) >= (int)sizeof(dir))
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "tlspolicyctl: quarantine %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		fprintf(stderr, "tlspolicyctl: quarantine %s: %s\n", dir, strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	for (int i = 0; i < 100 && fd < 0; i++) {
		char stamp[32];

		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(name, namelen, "%s.%ld.%09ld.%d.eml", stamp, (long)getpid(), ts.tv_nsec, i);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		fprintf(stderr, "tlspolicyctl: quarantine %s: %s\n", dir, strerror(errno));
		close(dfd);
		return -1;
	}
	text_clean(clean, sizeof(clean), reason, strlen(reason));
	snprintf(head, sizeof(head), "X-Tlspolicyd-Refused: %s\n", clean);
	for (off = 0; off < strlen(head);) {
		ssize_t w = write(fd, head + off, strlen(head) - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	for (off = 0; off < len;) {
		ssize_t w = write(fd, msg + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	close(fd);
	fsync(dfd);    /* the new name, too */
	close(dfd);
	return 0;
fail:
	fprintf(stderr, "tlspolicyctl: quarantine %s/%s: %s\n", dir, name, strerror(errno));
	unlinkat(dfd, name, 0);
	close(fd);
	close(dfd);
	return -1;
}

/* refuse - quarantine and say why; code, or EX_TEMPFAIL when the message
 * could not be kept (the MTA keeps it then) */
static int
refuse(const struct settings *s, const char *msg, size_t len, int code, const char *reason)
{
	char name[128];

	if (quarantine(s, msg, len, reason, name, sizeof(name)) < 0) {
		fprintf(stderr, "tlspolicyctl: refused, not quarantined (try again later): %s\n",
		    reason);
		return EX_TEMPFAIL;
	}
	fprintf(stderr, "tlspolicyctl: refused (quarantined as %s): %s\n", name, reason);
	return code;
}

int
ctl_receive(struct settings *s, int argc, char **argv)
{
	static struct incoming_rec rec;
	struct buf in, msg, json;
	char err[1024], why[2048], from[DOMAIN_MAX + 1], others[512], what[512], cutoff[16];
	const char *w;
	size_t hlen;
	struct store *st;
	time_t now = time(NULL), cut;
	struct tm tm;
	int rc, code;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: tlspolicyctl receive < message\n");
		return EX_USAGE;
	}
	if (privs_become(s->user, err, sizeof(err)) < 0) {
		fprintf(stderr, "tlspolicyctl: %s\n", err);
		return EX_TEMPFAIL;
	}
	/* report_domains, else the domains the MTA receives mail for */
	if (settings_report_domains(s) == 0) {
		settings_report_domains_text(s, why, sizeof(why));
		fprintf(stderr, "tlspolicyctl: %s: set report_domains to the domains whose TLSRPT "
		    "reports are to be kept (message left with the MTA)\n", why);
		return EX_TEMPFAIL;
	}
	buf_init(&in, RECEIVE_MAX);
	for (;;) {
		size_t room = buf_space(&in, 65536 < RECEIVE_MAX - in.len ? 65536 : RECEIVE_MAX - in.len);
		ssize_t n;

		if (in.len == RECEIVE_MAX) {
			code = refuse(s, in.data, in.len, EX_DATAERR, "message larger than 16 MiB "
			    "(only its start is kept)");
			buf_fini(&in);
			return code;
		}
		n = read(STDIN_FILENO, in.data + in.len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "tlspolicyctl: stdin: %s\n", strerror(errno));
			buf_fini(&in);
			return EX_TEMPFAIL;
		}
		if (n == 0)
			break;
		in.len += (size_t)n;
		in.data[in.len] = '\0';
	}
	/* an mbox "From " line from a local delivery agent is not a field */
	if (in.len > 5 && memcmp(in.data, "From ", 5) == 0) {
		const char *nl = memchr(in.data, '\n', in.len);

		if (nl != NULL)
			buf_consume(&in, (size_t)(nl - in.data) + 1);
	}
	buf_init(&msg, 2 * RECEIVE_MAX + 2);
	buf_init(&json, RPT_JSON_MAX);
	memset(&rec, 0, sizeof(rec));
	if (dkim_crlf(in.data ? in.data : "", in.len, &msg) < 0) {
		code = refuse(s, in.data, in.len, EX_DATAERR, "message too large");
		goto out;
	}
	mime_header_end(msg.data ? msg.data : "", msg.len, &hlen);
	if ((rc = mime_report(msg.data ? msg.data : "", msg.len, &json, what, sizeof(what), &w)) != 0) {
		code = refuse(s, in.data, in.len, EX_DATAERR, w);
		goto out;
	}
	if (rptparse_json(json.data ? json.data : "", json.len, &rec.r, why, sizeof(why)) < 0) {
		code = refuse(s, in.data, in.len, EX_DATAERR, why);
		goto out;
	}
	if (incoming_keep_domains(&rec.r, s->report_domains, others, sizeof(others)) == 0) {
		snprintf(why, sizeof(why), "the report is about %s, none of report_domains", others);
		code = refuse(s, in.data, in.len, EX_DATAERR, why);
		goto out;
	}
	if (from_domain(msg.data, hlen, from) < 0) {
		code = refuse(s, in.data, in.len, EX_NOPERM, "no From address with a domain: "
		    "the sender cannot be checked");
		goto out;
	}
	load_suffixes(s);
	rc = trust_dkim(s, msg.data, msg.len, from, rec.trust, sizeof(rec.trust), why, sizeof(why));
	if (rc != 0 && trust_ar(s, msg.data, hlen, from, rec.trust, sizeof(rec.trust)) == 0)
		rc = 0;
	if (rc < 0) {
		fprintf(stderr, "tlspolicyctl: DKIM not checked for now (the MTA retries): %s\n", why);
		code = EX_TEMPFAIL;
		goto out;
	}
	if (rc > 0) {
		char reason[2200];

		snprintf(reason, sizeof(reason), "not trusted: %s", why);
		code = refuse(s, in.data, in.len, EX_NOPERM, reason);
		goto out;
	}
	snprintf(rec.via, sizeof(rec.via), "mail");
	rec.received = (uint64_t)now;
	if ((st = store_borrow_open(s->state_directory, settings_control(s), STORE_LEND_WAIT_MS,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, "tlspolicyctl: store: %s (the MTA retries)\n", err);
		code = EX_TEMPFAIL;
		goto out;
	}
	rc = incoming_store(st, &rec, json.data, json.len);
	if (rc < 0) {
		fprintf(stderr, "tlspolicyctl: store: %s (the MTA retries)\n", store_strerror(st));
		code = EX_TEMPFAIL;
	} else {
		printf("%s report %s from %s (%s, %s, %zu polic%s)%s%s\n",
		    rc == INCOMING_DUPLICATE ? "duplicate" : "stored", rec.r.id, rec.r.org,
		    rec.r.day, rec.trust, rec.r.npolicies, rec.r.npolicies == 1 ? "y" : "ies",
		    rec.r.notes[0] ? "; notes: " : "", rec.r.notes);
		code = EX_OK;
		cut = now - (time_t)s->incoming_retention;
		gmtime_r(&cut, &tm);
		strftime(cutoff, sizeof(cutoff), "%Y-%m-%d", &tm);
		if (incoming_purge(st, cutoff) < 0)
			fprintf(stderr, "tlspolicyctl: purging old reports: %s\n", store_strerror(st));
	}
	store_close(st);
out:
	psl_free(suffixes);
	suffixes = NULL;
	buf_fini(&in);
	buf_fini(&msg);
	buf_fini(&json);
	return code;
}

/* the reports shown, and their sums */
struct shown {
	int json;
	json_object *list;
	uint64_t reports, sessions, failures;
	struct strmap *orgs;         /* organization -> non-NULL */
	struct strmap *types;        /* result type -> uint64_t * */
};

static void
free_count(void *v)
{
	free(v);
}

static void
show(void *arg, const struct incoming_rec *rec)
{
	struct shown *sh = arg;
	const struct rpt_report *r = &rec->r;
	json_object *pols = NULL;

	sh->reports++;
	strmap_put(sh->orgs, r->org, sh);
	if (sh->json) {
		json_object_array_add(sh->list, incomingjson_report(rec, &pols));
	} else {
		char when[32];
		time_t rt = (time_t)rec->received;
		struct tm tm;

		gmtime_r(&rt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s %s report-id=%s received=%s via=%s trusted-by=\"%s\"\n", r->day, r->org, r->id,
		    when, rec->via, rec->trust);
	}
	for (size_t i = 0; i < r->npolicies; i++) {
		const struct rpt_policy *p = &r->policies[i];

		sh->sessions += p->successes + p->failures;
		sh->failures += p->failures;
		if (sh->json)
			json_object_array_add(pols, incomingjson_policy(p));
		else
			printf("  %s %s%s%s successes=%" PRIu64 " failures=%" PRIu64 "\n", p->ptype,
			    p->domain, p->mx[0] ? " mx=" : "", p->mx, p->successes, p->failures);
		for (size_t j = 0; j < p->nresults; j++) {
			uint64_t *c = strmap_get(sh->types, p->results[j].type);

			if (c == NULL) {
				c = calloc(1, sizeof(*c));
				if (c == NULL)
					abort();
				strmap_put(sh->types, p->results[j].type, c);
			}
			*c += p->results[j].count;
			if (!sh->json)
				printf("    %s %" PRIu64 "\n", p->results[j].type, p->results[j].count);
		}
	}
	if (!sh->json && r->notes[0])
		printf("  notes: %s\n", r->notes);
}

struct typesum {
	json_object *o;
	struct buf *text;
};

static void
type_out(const char *key, void *value, void *arg)
{
	struct typesum *ts = arg;
	uint64_t n = *(uint64_t *)value;

	if (ts->o)
		json_object_object_add(ts->o, key, json_object_new_int64((int64_t)n));
	else
		buf_printf(ts->text, " %s=%" PRIu64, key, n);
}

int
ctl_reports(const struct settings *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "day", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *day = NULL;
	struct shown sh;
	struct store *st;
	char err[1024];
	size_t norgs = 0;
	int ch, rc = 0;

	optind = 1;
	memset(&sh, 0, sizeof(sh));
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			day = optarg;
			if (strlen(day) != 10 || day[4] != '-' || day[7] != '-') {
				fprintf(stderr, "tlspolicyctl: --day expects YYYY-MM-DD\n");
				return 2;
			}
			break;
		case 'j':
			sh.json = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: tlspolicyctl reports [--day YYYY-MM-DD] [--json]\n");
		return 2;
	}
	if (privs_become(s->user, err, sizeof(err)) < 0) {
		fprintf(stderr, "tlspolicyctl: %s\n", err);
		return 1;
	}
	if ((st = store_borrow_open(s->state_directory, settings_control(s), STORE_LEND_WAIT_MS,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, "tlspolicyctl: store: %s\n", err);
		return 1;
	}
	if (store_damage(st, STORE_DB_INCOMING) != NULL) {
		fprintf(stderr, "tlspolicyctl: store: %s\n", store_damage(st, STORE_DB_INCOMING));
		store_close(st);
		return 1;
	}
	sh.list = json_object_new_array();
	sh.orgs = strmap_new();
	sh.types = strmap_new();
	if (incoming_foreach(st, day, show, &sh) < 0) {
		fprintf(stderr, "tlspolicyctl: store: %s\n", store_strerror(st));
		rc = 1;
	}
	store_close(st);
	norgs = strmap_count(sh.orgs);
	if (sh.json) {
		json_object *top = json_object_new_object(), *sum = json_object_new_object();
		json_object *types = json_object_new_object();
		struct typesum ts = { types, NULL };

		strmap_foreach(sh.types, type_out, &ts);
		json_object_object_add(sum, "reports", json_object_new_int64((int64_t)sh.reports));
		json_object_object_add(sum, "organizations", json_object_new_int64((int64_t)norgs));
		json_object_object_add(sum, "total-session-count",
		    json_object_new_int64((int64_t)sh.sessions));
		json_object_object_add(sum, "total-failure-session-count",
		    json_object_new_int64((int64_t)sh.failures));
		json_object_object_add(sum, "failures-by-result-type", types);
		json_object_object_add(top, "reports", sh.list);
		json_object_object_add(top, "summary", sum);
		printf("%s\n", json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY
		    | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(top);
	} else {
		struct buf text;
		struct typesum ts = { NULL, &text };

		buf_init(&text, 1 << 20);
		strmap_foreach(sh.types, type_out, &ts);
		printf("summary: %" PRIu64 " report%s from %zu organization%s; %" PRIu64
		    " sessions, %" PRIu64 " failed (%.1f%%)%s%s\n", sh.reports, sh.reports == 1 ? "" : "s",
		    norgs, norgs == 1 ? "" : "s", sh.sessions, sh.failures,
		    sh.sessions ? 100.0 * (double)sh.failures / (double)sh.sessions : 0.0,
		    text.len ? "; failures by result type:" : "", text.len ? text.data : "");
		buf_fini(&text);
		json_object_put(sh.list);
	}
	strmap_free(sh.orgs, NULL);
	strmap_free(sh.types, free_count);
	return rc;
}
