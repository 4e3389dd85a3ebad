/*
 * sessions - SMTP session outcomes from log events, see sessions.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "hostlatest.h"
#include "logparse_postfix.h"
#include "record.h"
#include "sessions.h"
#include "strmap.h"
#include "text.h"
#include "tlsrpt.h"
#include "xalloc.h"

#define WAITING_MAX 8     /* failed attempts waiting for their queue ID's status */
#define EXCLUDED_MAX 256  /* queue IDs of the reporter's own messages */
#define IDLE_MAX 3600     /* seconds of its host's log time a process's state is kept */
#define LATE_MAX 86400    /* seconds of the log's time it is kept at most */
#define STATE_VERSION 1
#define REASON_MAX 150    /* bytes of a log text kept as failure-reason-code */

struct proc {
	/* the attempt in progress */
	int have_tls;
	int trust, reused;
	char peer[DOMAIN_MAX + 1], addr[48];
	char verify[200];
	int verify_num;
	char ssl_error[200];
	char tlsrpt_addr[48];          /* Postfix >= 3.10's own verdict, if logged */
	char tlsrpt_type[40], tlsrpt_reason[160];
	time_t last_seen;
	/* the last counted session: more recipients of it are not sessions */
	char last_qid[32], last_addr[48];
	/* attempts that failed before the final MX, by queue ID */
	size_t nwaiting;
	char waiting_qid[WAITING_MAX][32];
	struct session_outcome waiting[WAITING_MAX];
};

struct sessions {
	session_emit *emit;
	void *arg;
	struct strmap *procs;         /* "host syslog_name pid" -> struct proc */
	char exclude_sender[256];     /* the reporter's envelope sender, "" = none */
	/* "host qid" of the reporter's messages, a ring */
	char excluded[EXCLUDED_MAX][96];
	size_t nexcluded;
	time_t next_prune;
	unsigned long excluded_sessions;
};

struct sessions *
sessions_new(session_emit *emit, void *arg)
{
	struct sessions *s = xcalloc(1, sizeof(*s));

	s->emit = emit;
	s->arg = arg;
	s->procs = strmap_new();
	return s;
}

void
sessions_free(struct sessions *s)
{
	if (s == NULL)
		return;
	strmap_free(s->procs, free);
	free(s);
}

const char *
sessions_verify_type(int num, const char *text)
{
	if (num == 62 || strstr(text, "hostname mismatch") || strstr(text, "Hostname mismatch")
	    || strstr(text, "certificate name mismatch"))
		return "certificate-host-mismatch";
	if (num == 10 || num == 14 || strstr(text, "certificate has expired"))
		return "certificate-expired";
	if (num == 18 || num == 19 || num == 20 || num == 27 || strstr(text, "self-signed certificate")
	    || strstr(text, "untrusted issuer") || strstr(text, "not trusted by local or TLSA policy"))
		return "certificate-not-trusted";
	return "validation-failure";
}

static struct proc *
proc_of(struct sessions *s, const struct logparse_event *ev)
{
	char key[sizeof(ev->host) + sizeof(ev->syslog_name) + 24], digits[24];
	size_t hl = strlen(ev->host), nl = strlen(ev->syslog_name), dl = 0;
	unsigned long pid = ev->pid;
	struct proc *p;

	/* "host name pid", built by hand: this runs for every line of interest */
	do {
		digits[dl++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid);
	memcpy(key, ev->host, hl);
	key[hl] = ' ';
	memcpy(key + hl + 1, ev->syslog_name, nl);
	key[hl + 1 + nl] = ' ';
	for (size_t i = 0; i < dl; i++)
		key[hl + 2 + nl + i] = digits[dl - 1 - i];
	key[hl + 2 + nl + dl] = '\0';
	if ((p = strmap_get(s->procs, key)) == NULL) {
		p = xcalloc(1, sizeof(*p));
		p->verify_num = -1;
		strmap_put(s->procs, key, p);
	}
	p->last_seen = ev->when;
	return p;
}

static void
attempt_reset(struct proc *p)
{
	p->have_tls = 0;
	p->peer[0] = p->addr[0] = p->verify[0] = p->ssl_error[0] = '\0';
	p->tlsrpt_addr[0] = p->tlsrpt_type[0] = p->tlsrpt_reason[0] = '\0';
	p->verify_num = -1;
}

/* host_from_text - "... host NAME[ADDR]..." in a reason names the MX;
 * checked as the parser checks NAME[ADDR] (logparse_postfix.h) */
static void
host_from_text(const char *text, struct session_outcome *o)
{
	const char *h = strstr(text, " host "), *lb, *rb;

	if (h == NULL || (lb = strchr(h + 6, '[')) == NULL || (rb = strchr(lb, ']')) == NULL
	    || (size_t)(lb - h - 6) >= sizeof(o->mx) || (size_t)(rb - lb - 1) >= sizeof(o->addr))
		return;
	logparse_host(h + 6, (size_t)(lb - h - 6), o->mx);
	logparse_addr(lb + 1, (size_t)(rb - lb - 1), o->addr, sizeof(o->addr));
}

/* judge - the outcome of the attempt in progress, given the text that
 * ended it (status text or queue reason) */
static void
judge(const struct proc *p, const struct logparse_event *ev, const char *text,
    struct session_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->when = ev->when;
	text_copy(o->host, sizeof(o->host), ev->host);
	text_copy(o->mx, sizeof(o->mx), ev->peer[0] ? ev->peer : p->peer);
	text_copy(o->addr, sizeof(o->addr), ev->addr[0] ? ev->addr : p->addr);
	if (o->mx[0] == '\0')
		host_from_text(text, o);
	o->tls = p->have_tls;
	o->trust = p->trust;
	if (strncmp(text, "TLS is required, but was not offered", 36) == 0
	    || (strncmp(text, "TLS is required, but host ", 26) == 0 && strstr(text, "refused to start TLS"))) {
		text_copy(o->result_type, sizeof(o->result_type), "starttls-not-supported");
	} else if (strncmp(text, "Cannot start TLS: handshake failure", 35) == 0) {
		text_copy(o->result_type, sizeof(o->result_type), "validation-failure");
		/* "SSL_connect error to ...: -1" says nothing; errno texts do */
		text_copy(o->reason, REASON_MAX + 1,
		    p->ssl_error[0] && p->ssl_error[0] != '-' && (p->ssl_error[0] < '0' || p->ssl_error[0] > '9')
		    ? p->ssl_error : "tls-handshake-failure");
	} else if (strncmp(text, "Server certificate not verified", 31) == 0
	    || strncmp(text, "Server certificate not trusted", 30) == 0) {
		snprintf(o->result_type, sizeof(o->result_type), "%s",
		    p->verify[0] ? sessions_verify_type(p->verify_num, p->verify)
		    : "certificate-not-trusted");
		text_copy(o->reason, REASON_MAX + 1, p->verify);
	} else if (strstr(text, "TLSA lookup error for ")) {
		text_copy(o->result_type, sizeof(o->result_type), "dnssec-invalid");
	} else if (strcmp(text, "TLSA records unusable") == 0) {
		text_copy(o->result_type, sizeof(o->result_type), "tlsa-invalid");
		text_copy(o->reason, sizeof(o->reason), "all-TLSA-records-unusable");
	} else if (strcmp(text, "non DNSSEC destination") == 0
	    || strcmp(text, "no TLSA records found") == 0) {
		text_copy(o->result_type, sizeof(o->result_type), "dane-required");
	} else {
		o->success = 1;
	}
	if (p->tlsrpt_addr[0] && strcmp(p->tlsrpt_addr, o->addr) == 0) {
		/* Postfix's own verdict wins over what the lines above suggest */
		o->success = p->tlsrpt_type[0] == '\0';
		text_copy(o->result_type, sizeof(o->result_type), p->tlsrpt_type);
		text_copy(o->reason, sizeof(o->reason), p->tlsrpt_reason);
	}
}

/* excluded - is this the reporter's own message? */
static int
excluded(const struct sessions *s, const struct logparse_event *ev)
{
	char key[sizeof(s->excluded[0])];
	size_t n = s->nexcluded < EXCLUDED_MAX ? s->nexcluded : EXCLUDED_MAX;

	if (n == 0)
		return 0;
	snprintf(key, sizeof(key), "%s %s", ev->host, ev->queue_id);
	for (size_t i = 0; i < n; i++)
		if (strcmp(s->excluded[i], key) == 0)
			return 1;
	return 0;
}

static void
on_status(struct sessions *s, struct proc *p, const struct logparse_event *ev)
{
	struct session_outcome o;
	size_t j = 0;
	int skip = excluded(s, ev);

	/* attempts of this queue ID that failed earlier: now we know the domain */
	for (size_t i = 0; i < p->nwaiting; i++) {
		if (strcmp(p->waiting_qid[i], ev->queue_id) == 0) {
			text_copy(p->waiting[i].domain, sizeof(p->waiting[i].domain), ev->domain);
			if (!skip)
				s->emit(s->arg, &p->waiting[i]);
			continue;
		}
		if (j != i) {
			memcpy(p->waiting_qid[j], p->waiting_qid[i], sizeof(p->waiting_qid[0]));
			p->waiting[j] = p->waiting[i];
		}
		j++;
	}
	p->nwaiting = j;
	if (ev->domain[0] == '\0' || strcmp(ev->text, "client TLS configuration problem") == 0)
		goto done;   /* unknown domain, or a local fault: not reportable */
	if (!ev->relay_none && strcmp(p->last_qid, ev->queue_id) == 0
	    && strcmp(p->last_addr, ev->addr) == 0)
		return;      /* another recipient of the session already counted */
	if (ev->reused)
		goto done;   /* conn_use >= 2: no new session */
	if (ev->relay_none && strcmp(p->last_qid, ev->queue_id) == 0)
		return;      /* policy failure already counted for this delivery */
	judge(p, ev, ev->text, &o);
	if (ev->relay_none && o.success)
		goto done;   /* no session at all, for reasons outside TLS */
	text_copy(o.domain, sizeof(o.domain), ev->domain);
	if (skip)
		s->excluded_sessions++;
	else
		s->emit(s->arg, &o);
	text_copy(p->last_qid, sizeof(p->last_qid), ev->queue_id);
	text_copy(p->last_addr, sizeof(p->last_addr), ev->addr);
done:
	attempt_reset(p);
}

/* note_peer - the MX of an attempt, from its first line that names it */
static void
note_peer(struct proc *p, const struct logparse_event *ev)
{
	if (p->peer[0] == '\0') {
		text_copy(p->peer, sizeof(p->peer), ev->peer);
		text_copy(p->addr, sizeof(p->addr), ev->addr);
	}
}

/*
 * Pruning compares a process with the latest line of its own host: in a
 * log merged from many hosts (central syslog), one host's lines may
 * arrive hours late, after its forwarder queued them, or with a clock
 * far from the others'; the others' time must not end its sessions.  A
 * host silent for LATE_MAX of the log's time is forgotten all the same.
 */
struct prune {
	struct hostlatest *latest;    /* of each host's newest process */
	time_t now;
};

/* host_len - the length of the host part of a "host name pid" key */
static size_t
host_len(const char *key)
{
	const char *sp = strchr(key, ' ');

	return sp ? (size_t)(sp - key) : strlen(key);
}

static void
note_latest(const char *key, void *value, void *arg)
{
	const struct proc *p = value;

	hostlatest_note(((struct prune *)arg)->latest, key, host_len(key), p->last_seen);
}

static int
idle(const char *key, void *value, void *arg)
{
	struct proc *p = value;
	struct prune *a = arg;
	time_t latest;

	if ((!hostlatest_get(a->latest, key, host_len(key), &latest)
	    || p->last_seen + IDLE_MAX >= latest) && p->last_seen + LATE_MAX >= a->now)
		return 0;
	free(p);
	return 1;
}

/* tlsrpt - keep Postfix's own verdict "T[, failure_reason=R]" for the
 * attempt: T with '_' as '-' when it is an RFC 8460 result type, else
 * validation-failure with T (and R) as the reason */
static void
tlsrpt(struct proc *p, const struct logparse_event *ev)
{
	const char *r = strstr(ev->text, ", failure_reason=");
	size_t n = r ? (size_t)(r - ev->text) : strlen(ev->text);
	char type[sizeof(p->tlsrpt_type)];

	text_copy(p->tlsrpt_addr, sizeof(p->tlsrpt_addr), ev->addr);
	p->tlsrpt_type[0] = p->tlsrpt_reason[0] = '\0';
	if (strcmp(ev->status, "failure") != 0)
		return;
	type[0] = '\0';
	if (n < sizeof(type)) {
		memcpy(type, ev->text, n);
		type[n] = '\0';
		for (char *c = type; *c; c++)
			if (*c == '_')
				*c = '-';
	}
	if (tlsrpt_result_type(type)) {
		text_copy(p->tlsrpt_type, sizeof(p->tlsrpt_type), type);
		if (r)
			text_copy(p->tlsrpt_reason, REASON_MAX + 1, r + 17);
	} else {
		text_copy(p->tlsrpt_type, sizeof(p->tlsrpt_type), "validation-failure");
		/* the logged text: "T" or "T, failure_reason=R" */
		text_copy(p->tlsrpt_reason, REASON_MAX + 1, n ? ev->text : "unknown-failure-type");
	}
}

void
sessions_feed(struct sessions *s, const struct logparse_event *ev)
{
	struct proc *p;
	struct session_outcome o;

	/* forget processes silent for an hour of log time; driven by the log
	 * itself, so a replay after a restart prunes at the same lines */
	if (ev->when >= s->next_prune) {
		struct prune a;

		a.latest = hostlatest_new();
		a.now = ev->when;
		strmap_foreach(s->procs, note_latest, &a);
		strmap_foreach_remove(s->procs, idle, &a);
		hostlatest_free(a.latest);
		s->next_prune = ev->when + 600;
	}
	switch (ev->kind) {
	case LOGPARSE_FROM:
		if (s->exclude_sender[0] && strcasecmp(ev->rcpt, s->exclude_sender) == 0) {
			snprintf(s->excluded[s->nexcluded % EXCLUDED_MAX], sizeof(s->excluded[0]), "%s %s",
			    ev->host, ev->queue_id);
			s->nexcluded++;
		}
		break;
	case LOGPARSE_TLSRPT:
		tlsrpt(proc_of(s, ev), ev);
		break;
	case LOGPARSE_POLICY:
		note_peer(proc_of(s, ev), ev);   /* the MX of a failure before connecting */
		break;
	case LOGPARSE_TLS:
		p = proc_of(s, ev);
		p->have_tls = 1;
		p->trust = (int)ev->trust;
		p->reused = ev->reused;
		text_copy(p->peer, sizeof(p->peer), ev->peer);
		text_copy(p->addr, sizeof(p->addr), ev->addr);
		break;
	case LOGPARSE_VERIFY:
		p = proc_of(s, ev);
		note_peer(p, ev);
		p->verify_num = ev->verify_num;
		text_copy(p->verify, sizeof(p->verify), ev->text);
		break;
	case LOGPARSE_SSL_ERROR:
		p = proc_of(s, ev);
		note_peer(p, ev);
		text_copy(p->ssl_error, sizeof(p->ssl_error), ev->text);
		break;
	case LOGPARSE_QUEUE_REASON:
		p = proc_of(s, ev);
		if (strncmp(ev->text, "TLS is required", 15) == 0 || strncmp(ev->text, "Cannot start TLS", 16) == 0
		    || strncmp(ev->text, "Server certificate not", 22) == 0) {
			judge(p, ev, ev->text, &o);
			if (!o.success && p->nwaiting < WAITING_MAX) {
				snprintf(p->waiting_qid[p->nwaiting], sizeof(p->waiting_qid[0]), "%s", ev->queue_id);
				p->waiting[p->nwaiting++] = o;
			}
		}
		attempt_reset(p);
		break;
	case LOGPARSE_STATUS:
		on_status(s, proc_of(s, ev), ev);
		break;
	default:
		break;
	}
}

void
sessions_exclude_sender(struct sessions *s, const char *sender)
{
	text_copy(s->exclude_sender, sizeof(s->exclude_sender), sender ? sender : "");
}

unsigned long
sessions_excluded(const struct sessions *s)
{
	return s->excluded_sessions;
}

/*
 * State: what a restart needs to carry on exactly where the last commit
 * left off, in the record encoding of record.h.
 */
static void
put_outcome(struct record_wr *b, const struct session_outcome *o)
{
	record_put_u64(b, (uint64_t)o->when);
	record_put_u64(b, (uint64_t)o->success | (uint64_t)o->tls << 1 | (uint64_t)o->trust << 2);
	record_put_str(b, o->host);
	record_put_str(b, o->domain);
	record_put_str(b, o->mx);
	record_put_str(b, o->addr);
	record_put_str(b, o->result_type);
	record_put_str(b, o->reason);
}

static void
get_outcome(struct record_rd *r, struct session_outcome *o)
{
	uint64_t flags;

	o->when = (time_t)record_get_u64(r);
	flags = record_get_u64(r);
	o->success = (int)(flags & 1);
	o->tls = (int)(flags >> 1 & 1);
	o->trust = (int)(flags >> 2 & 7);
	record_get_str(r, o->host, sizeof(o->host));
	record_get_str(r, o->domain, sizeof(o->domain));
	record_get_str(r, o->mx, sizeof(o->mx));
	record_get_str(r, o->addr, sizeof(o->addr));
	record_get_str(r, o->result_type, sizeof(o->result_type));
	record_get_str(r, o->reason, sizeof(o->reason));
}

static void
put_proc(const char *key, void *value, void *arg)
{
	struct record_wr *b = arg;
	const struct proc *p = value;

	record_put_str(b, key);
	record_put_u64(b, (uint64_t)p->have_tls | (uint64_t)p->reused << 1 | (uint64_t)p->trust << 2);
	record_put_u64(b, (uint64_t)(int64_t)p->verify_num);
	record_put_u64(b, (uint64_t)p->last_seen);
	record_put_str(b, p->peer);
	record_put_str(b, p->addr);
	record_put_str(b, p->verify);
	record_put_str(b, p->ssl_error);
	record_put_str(b, p->tlsrpt_addr);
	record_put_str(b, p->tlsrpt_type);
	record_put_str(b, p->tlsrpt_reason);
	record_put_str(b, p->last_qid);
	record_put_str(b, p->last_addr);
	record_put_u64(b, p->nwaiting);
	for (size_t i = 0; i < p->nwaiting; i++) {
		record_put_str(b, p->waiting_qid[i]);
		put_outcome(b, &p->waiting[i]);
	}
}

int
sessions_save(const struct sessions *s, struct buf *out)
{
	size_t n = s->nexcluded < EXCLUDED_MAX ? s->nexcluded : EXCLUDED_MAX;
	struct record_wr w;

	buf_reset(out);
	record_wr_init(&w, out);
	record_put_u64(&w, STATE_VERSION);
	record_put_u64(&w, (uint64_t)s->next_prune);
	record_put_u64(&w, s->excluded_sessions);
	record_put_u64(&w, s->nexcluded);
	for (size_t i = 0; i < n; i++)
		record_put_str(&w, s->excluded[i]);
	record_put_u64(&w, strmap_count(s->procs));
	strmap_foreach(s->procs, put_proc, &w);
	return w.bad ? -1 : 0;
}

int
sessions_load(struct sessions *s, const void *data, size_t len)
{
	struct record_rd r;
	uint64_t nprocs, nexcl;
	size_t n;

	record_rd_init(&r, data, len);

	if (record_get_u64(&r) != STATE_VERSION)
		return -1;
	strmap_free(s->procs, free);
	s->procs = strmap_new();
	s->next_prune = (time_t)record_get_u64(&r);
	s->excluded_sessions = record_get_u64(&r);
	nexcl = record_get_u64(&r);
	s->nexcluded = (size_t)nexcl;
	n = nexcl < EXCLUDED_MAX ? (size_t)nexcl : EXCLUDED_MAX;
	for (size_t i = 0; i < n && !r.bad; i++)
		record_get_str(&r, s->excluded[i], sizeof(s->excluded[0]));
	nprocs = record_get_u64(&r);
	for (uint64_t i = 0; i < nprocs && !r.bad; i++) {
		struct proc *p = xcalloc(1, sizeof(*p));
		char key[160];
		uint64_t flags, nw;

		record_get_str(&r, key, sizeof(key));
		flags = record_get_u64(&r);
		p->have_tls = (int)(flags & 1);
		p->reused = (int)(flags >> 1 & 1);
		p->trust = (int)(flags >> 2 & 7);
		p->verify_num = (int)(int64_t)record_get_u64(&r);
		p->last_seen = (time_t)record_get_u64(&r);
		record_get_str(&r, p->peer, sizeof(p->peer));
		record_get_str(&r, p->addr, sizeof(p->addr));
		record_get_str(&r, p->verify, sizeof(p->verify));
		record_get_str(&r, p->ssl_error, sizeof(p->ssl_error));
		record_get_str(&r, p->tlsrpt_addr, sizeof(p->tlsrpt_addr));
		record_get_str(&r, p->tlsrpt_type, sizeof(p->tlsrpt_type));
		record_get_str(&r, p->tlsrpt_reason, sizeof(p->tlsrpt_reason));
		record_get_str(&r, p->last_qid, sizeof(p->last_qid));
		record_get_str(&r, p->last_addr, sizeof(p->last_addr));
		nw = record_get_u64(&r);
		if (nw > WAITING_MAX)
			r.bad = 1;
		for (size_t i2 = 0; i2 < nw && !r.bad; i2++) {
			record_get_str(&r, p->waiting_qid[i2], sizeof(p->waiting_qid[0]));
			get_outcome(&r, &p->waiting[i2]);
		}
		p->nwaiting = r.bad ? 0 : (size_t)nw;
		if (!r.bad && strmap_get(s->procs, key) != NULL)
			r.bad = 1;   /* a process twice: not a state this code wrote */
		if (r.bad)
			free(p);
		else
			strmap_put(s->procs, key, p);
	}
	if (record_rd_done(&r) < 0) {
		/* start clean rather than from a half-read state */
		strmap_free(s->procs, free);
		s->procs = strmap_new();
		s->nexcluded = 0;
		return -1;
	}
	return 0;
}
