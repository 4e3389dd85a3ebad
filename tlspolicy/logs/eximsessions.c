/*
 * eximsessions - SMTP session outcomes from Exim log events, see
 * eximsessions.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "eximsessions.h"
#include "hostlatest.h"
#include "logparse_exim.h"
#include "logparse_postfix.h"
#include "record.h"
#include "strmap.h"
#include "sts.h"
#include "text.h"
#include "xalloc.h"

#define HOSTS_MAX 4       /* receiving addresses with cert/dane/verify lines, per message */
#define PENDING_MAX 4     /* host-level failures waiting for an address line, per message */
#define ATTEMPTS_MAX 4    /* failed attempts counted, per message */
#define EXCLUDED_MAX 256  /* the reporter's messages, a ring */
#define IDLE_MAX 3600     /* seconds of its host's log time a message's state is kept */
#define QUIET_MAX 600     /* the same for one with nothing waiting or counted
                             (certificate lines of deliveries) */
#define LATE_MAX 86400    /* seconds of the log's time it is kept at most */
#define SAME_ATTEMPT 60   /* without a pid: lines this close are one attempt */
#define STATE_VERSION 1
#define REASON_MAX 150    /* bytes of a log text kept as failure-reason-code */
#define NOMX_ROUTER "tlspolicy_enforce_nomx"

/* what the lines about one receiving address said */
struct xhost {
	char addr[48];
	int cert;                 /* a depth-0 certificate line was seen */
	int dates;                /* EXIM_NOTBEFORE | EXIM_NOTAFTER */
	time_t notbefore, notafter;
	int names_known, name_match;
	char dane[40];            /* the dane:fail result type */
	char verify[160];         /* OpenSSL's "SSL verify error" text */
};

/* a host-level failure waiting for the message's next address line */
struct xpending {
	time_t when;
	int tls;                  /* enum exim_tls */
	char mx[DOMAIN_MAX + 1], addr[48];
	char text[REASON_MAX + 1];
};

/* a failed attempt already counted */
struct xattempt {
	uint64_t hash;            /* of the address and the text */
	unsigned long pid;
	time_t when;
};

struct xmsg {
	time_t last_seen;
	size_t nhosts, npending, nattempts;
	struct xhost hosts[HOSTS_MAX];
	struct xpending pending[PENDING_MAX];
	struct xattempt attempts[ATTEMPTS_MAX];
};

struct eximsessions {
	session_emit *emit;
	void *arg;
	struct strmap *msgs;          /* "host msgid" -> struct xmsg */
	char exclude_sender[256];
	char excluded[EXCLUDED_MAX][96];   /* "host msgid", a ring */
	size_t nexcluded;
	time_t next_prune;
	unsigned long excluded_sessions;
};

struct eximsessions *
eximsessions_new(session_emit *emit, void *arg)
{
	struct eximsessions *x = xcalloc(1, sizeof(*x));

	x->emit = emit;
	x->arg = arg;
	x->msgs = strmap_new();
	return x;
}

void
eximsessions_free(struct eximsessions *x)
{
	if (x == NULL)
		return;
	strmap_free(x->msgs, free);
	free(x);
}

void
eximsessions_exclude_sender(struct eximsessions *x, const char *sender)
{
	text_copy(x->exclude_sender, sizeof(x->exclude_sender), sender ? sender : "");
}

unsigned long
eximsessions_excluded(const struct eximsessions *x)
{
	return x->excluded_sessions;
}

static void
msg_key(const struct exim_event *ev, char *key, size_t size)
{
	snprintf(key, size, "%s %s", ev->host, ev->msgid);
}

/* prune_arg - forget messages silent since before idle, and those with
 * nothing waiting or counted silent since before quiet; with latest
 * (host -> time_t * of its newest message), idle and quiet count back
 * from the newest line of the message's own host instead, and a message
 * silent since before late goes all the same */
struct prune_arg {
	time_t idle, quiet;
	struct hostlatest *latest;
	time_t late;
};

/* key_host_len - the length of the host part of a "host msgid" key */
static size_t
key_host_len(const char *key)
{
	const char *sp = strrchr(key, ' ');

	return sp ? (size_t)(sp - key) : 0;
}

static void
note_latest(const char *key, void *value, void *arg)
{
	const struct xmsg *m = value;

	hostlatest_note(((struct prune_arg *)arg)->latest, key, key_host_len(key), m->last_seen);
}

static int
prune(const char *key, void *value, void *arg)
{
	struct xmsg *m = value;
	const struct prune_arg *a = arg;
	time_t idle = a->idle, quiet = a->quiet;

	if (a->latest != NULL) {
		time_t t;

		if (hostlatest_get(a->latest, key, key_host_len(key), &t)) {
			idle = t - IDLE_MAX;
			quiet = t - QUIET_MAX;
		}
		if (m->last_seen < a->late)
			idle = quiet = m->last_seen + 1;
	}
	if (m->last_seen >= idle && (m->npending > 0 || m->nattempts > 0 || m->last_seen >= quiet))
		return 0;
	free(m);
	return 1;
}

/* msg_of - the state of ev's message; NULL if there is none and create
 * is 0 */
static struct xmsg *
msg_of(struct eximsessions *x, const struct exim_event *ev, int create)
{
	char key[sizeof(x->excluded[0])];
	struct xmsg *m;

	msg_key(ev, key, sizeof(key));
	if ((m = strmap_get(x->msgs, key)) == NULL) {
		if (!create)
			return NULL;
		if (strmap_count(x->msgs) >= EXIMSESSIONS_MSGS_MAX) {
			/* full: forget the messages with nothing waiting or
			 * counted, then what is older than a few minutes, or all */
			struct prune_arg a = { ev->when - IDLE_MAX, ev->when - 60, NULL, 0 };

			strmap_foreach_remove(x->msgs, prune, &a);
			a.idle = ev->when - 300;
			a.quiet = ev->when;
			if (strmap_count(x->msgs) >= EXIMSESSIONS_MSGS_MAX)
				strmap_foreach_remove(x->msgs, prune, &a);
			if (strmap_count(x->msgs) >= EXIMSESSIONS_MSGS_MAX) {
				strmap_free(x->msgs, free);
				x->msgs = strmap_new();
			}
		}
		m = xcalloc(1, sizeof(*m));
		strmap_put(x->msgs, key, m);
	}
	m->last_seen = ev->when;
	return m;
}

static struct xhost *
host_find(struct xmsg *m, const char *addr)
{
	if (m == NULL || addr[0] == '\0')
		return NULL;
	for (size_t i = 0; i < m->nhosts; i++)
		if (strcmp(m->hosts[i].addr, addr) == 0)
			return &m->hosts[i];
	return NULL;
}

/* host_of - the entry of addr, made (the oldest dropped when full) */
static struct xhost *
host_of(struct xmsg *m, const char *addr)
{
	struct xhost *h = host_find(m, addr);

	if (h != NULL)
		return h;
	if (m->nhosts == HOSTS_MAX) {
		memmove(&m->hosts[0], &m->hosts[1], (HOSTS_MAX - 1) * sizeof(m->hosts[0]));
		m->nhosts--;
	}
	h = &m->hosts[m->nhosts++];
	memset(h, 0, sizeof(*h));
	text_copy(h->addr, sizeof(h->addr), addr);
	return h;
}

static int
is_excluded(const struct eximsessions *x, const struct exim_event *ev)
{
	char key[sizeof(x->excluded[0])];
	size_t n = x->nexcluded < EXCLUDED_MAX ? x->nexcluded : EXCLUDED_MAX;

	if (n == 0)
		return 0;
	msg_key(ev, key, sizeof(key));
	for (size_t i = 0; i < n; i++)
		if (strcmp(x->excluded[i], key) == 0)
			return 1;
	return 0;
}

static void
count(struct eximsessions *x, const struct exim_event *ev, const struct session_outcome *o)
{
	if (o->domain[0] == '\0')
		return;   /* unknown domain: not reportable */
	if (is_excluded(x, ev))
		x->excluded_sessions++;
	else
		x->emit(x->arg, o);
}

/* cert_type - a certificate failure's type at time when; fallback when
 * no line says more */
static const char *
cert_type(const struct xhost *h, time_t when, const char *fallback)
{
	if (h != NULL && h->cert) {
		if (((h->dates & EXIM_NOTAFTER) && h->notafter < when)
		    || ((h->dates & EXIM_NOTBEFORE) && h->notbefore > when))
			return "certificate-expired";
		if (h->names_known && !h->name_match)
			return "certificate-host-mismatch";
		return "certificate-not-trusted";
	}
	if (h != NULL && h->verify[0])
		return sessions_verify_type(-1, h->verify);
	return fallback;
}

/* reason - the failure text without Exim's "TLS session: " */
static void
reason(struct session_outcome *o, const char *text)
{
	size_t n;

	if (strncmp(text, "TLS session: ", 13) == 0)
		text += 13;
	text_copy(o->reason, REASON_MAX + 1, text);
	/* GnuTLS's texts end in a blank ("The certificate differs. ") */
	for (n = strlen(o->reason); n > 0 && o->reason[n - 1] == ' '; n--)
		o->reason[n - 1] = '\0';
}

/* classify - the result type of a failure of kind tls with text */
static void
classify(struct xmsg *m, int tls, const char *text, const char *addr, time_t when,
    struct session_outcome *o)
{
	const struct xhost *h = host_find(m, addr);
	const char *type = "validation-failure";

	switch ((enum exim_tls)tls) {
	case EXIM_TLS_NOT_OFFERED:
		type = "starttls-not-supported";
		break;
	case EXIM_TLS_DANE_MISMATCH:
		/* as for Postfix's "no matching DANE TLSA records" (num=65):
		 * the records are usable, the certificate matches none */
		reason(o, text);
		break;
	case EXIM_TLS_TLSA_DEFER:
	case EXIM_TLS_TLSA_FAIL:
		type = "dnssec-invalid";
		break;
	case EXIM_TLS_DANE_ERROR:
		type = "dane-required";
		break;
	case EXIM_TLS_CERT_INVALID:
		type = cert_type(h, when, "certificate-not-trusted");
		reason(o, text);
		break;
	case EXIM_TLS_CERT_NOREASON:
		type = cert_type(h, when, "certificate-host-mismatch");
		reason(o, text);
		break;
	case EXIM_TLS_CERT_OTHER:
		type = cert_type(h, when, "validation-failure");
		reason(o, text);
		break;
	case EXIM_TLS_HANDSHAKE:
		/* OpenSSL: "certificate verify failed", the reason logged before */
		if (h != NULL && h->verify[0])
			type = sessions_verify_type(-1, h->verify);
		reason(o, text);
		break;
	default:   /* STARTTLS refused, revoked */
		reason(o, text);
		break;
	}
	/* the dane:fail event's type wins, but its generic validation-failure
	 * (any DANE handshake failure) does not hide a type the text gives */
	if (h != NULL && h->dane[0]
	    && (strcmp(h->dane, "validation-failure") != 0 || strcmp(type, "validation-failure") == 0))
		type = h->dane;
	text_copy(o->result_type, sizeof(o->result_type), type);
}

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h * 0x100000001b3ULL;
}

/* same_attempt - was this failure line's attempt counted already?  If
 * not, it is noted as counted */
static int
same_attempt(struct xmsg *m, const struct exim_event *ev)
{
	uint64_t h = fnv(fnv(0xcbf29ce484222325ULL, ev->addr), ev->text);
	struct xattempt *a;

	for (size_t i = 0; i < m->nattempts; i++) {
		a = &m->attempts[i];
		if (a->hash != h || a->pid != ev->pid)
			continue;
		if (ev->pid == 0 && (ev->when < a->when || ev->when - a->when > SAME_ATTEMPT))
			continue;
		a->when = ev->when;
		return 1;
	}
	if (m->nattempts == ATTEMPTS_MAX) {
		memmove(&m->attempts[0], &m->attempts[1], (ATTEMPTS_MAX - 1) * sizeof(m->attempts[0]));
		m->nattempts--;
	}
	a = &m->attempts[m->nattempts++];
	a->hash = h;
	a->pid = ev->pid;
	a->when = ev->when;
	return 0;
}

static void
outcome_init(const struct exim_event *ev, struct session_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->when = ev->when;
	text_copy(o->host, sizeof(o->host), ev->host);
	text_copy(o->domain, sizeof(o->domain), ev->domain);
	text_copy(o->mx, sizeof(o->mx), ev->mx);
	text_copy(o->addr, sizeof(o->addr), ev->addr);
}

/* on_waiting - a host-level failure line with a TLS problem */
static void
on_waiting(struct eximsessions *x, const struct exim_event *ev)
{
	struct xmsg *m = msg_of(x, ev, 1);
	struct xpending *p;

	for (size_t i = 0; i < m->npending; i++)
		if (ev->addr[0] && strcmp(m->pending[i].addr, ev->addr) == 0)
			return;   /* another line of the same attempt */
	if (m->npending == PENDING_MAX)
		return;
	p = &m->pending[m->npending++];
	p->when = ev->when;
	p->tls = (int)(ev->tls_error == EXIM_TLS_NONE ? EXIM_TLS_HANDSHAKE : ev->tls_error);
	text_copy(p->mx, sizeof(p->mx), ev->mx);
	text_copy(p->addr, sizeof(p->addr), ev->addr);
	text_copy(p->text, sizeof(p->text), ev->text);
}

/* on_address - "=>", "->", ">>", "==", "**" */
static void
on_address(struct eximsessions *x, const struct exim_event *ev)
{
	struct xmsg *m = msg_of(x, ev, 0);
	struct session_outcome o;
	const struct xpending *merged = NULL;
	struct xpending keep;
	int tls_line = ev->kind != EXIM_DELIVERED && ev->tls_error != EXIM_TLS_NONE;
	int suppress = 0;

	if (m != NULL && m->npending > 0) {
		/* the waiting lines of the message: now the domain is known */
		for (size_t i = 0; i < m->npending; i++) {
			const struct xpending *p = &m->pending[i];
			int same = p->addr[0] && strcmp(p->addr, ev->addr) == 0;

			if (tls_line && (same || (ev->addr[0] == '\0' && p->tls == (int)ev->tls_error))) {
				if (merged == NULL) {
					keep = *p;
					merged = &keep;
				}
				continue;
			}
			if (ev->kind == EXIM_DELIVERED && !ev->more && same && ev->cipher[0] == '\0')
				suppress = 1;   /* the clear-text retry of that session */
			memset(&o, 0, sizeof(o));
			o.when = p->when;
			text_copy(o.host, sizeof(o.host), ev->host);
			text_copy(o.domain, sizeof(o.domain), ev->domain);
			text_copy(o.mx, sizeof(o.mx), p->mx);
			text_copy(o.addr, sizeof(o.addr), p->addr);
			classify(m, p->tls, p->text, p->addr, p->when, &o);
			count(x, ev, &o);
		}
		m->npending = 0;
		m->last_seen = ev->when;
	}
	if (ev->kind == EXIM_DELIVERED) {
		if (ev->more || ev->continued || suppress)
			return;
		outcome_init(ev, &o);
		o.success = 1;
		o.tls = ev->cipher[0] != '\0';
		if (o.tls) {
			o.trust = ev->cv == EXIM_CV_YES || ev->cv == EXIM_CV_DANE ? LOGPARSE_VERIFIED
			    : ev->cv == EXIM_CV_NO ? LOGPARSE_UNTRUSTED : LOGPARSE_TRUSTED;
			if (ev->cv == EXIM_CV_NO)
				text_copy(o.result_type, sizeof(o.result_type),
				    cert_type(host_find(m, ev->addr), ev->when, "certificate-not-trusted"));
		}
		count(x, ev, &o);
		return;
	}
	if (strcmp(ev->router, NOMX_ROUTER) == 0) {
		if (strstr(ev->text, "retry time not reached") != NULL)
			return;   /* not routed again: no attempt */
		if (same_attempt(msg_of(x, ev, 1), ev))
			return;
		outcome_init(ev, &o);
		o.mx[0] = o.addr[0] = '\0';
		text_copy(o.result_type, sizeof(o.result_type), "certificate-host-mismatch");
		text_copy(o.reason, sizeof(o.reason), "mx-not-in-policy");
		count(x, ev, &o);
		return;
	}
	if (!tls_line)
		return;   /* no TLS problem named: not a TLS session */
	m = msg_of(x, ev, 1);
	if (same_attempt(m, ev))
		return;   /* another recipient of a counted attempt */
	outcome_init(ev, &o);
	if (merged != NULL && o.addr[0] == '\0') {
		text_copy(o.mx, sizeof(o.mx), merged->mx);
		text_copy(o.addr, sizeof(o.addr), merged->addr);
	}
	classify(m, (int)ev->tls_error, ev->text, o.addr, ev->when, &o);
	count(x, ev, &o);
}

/* on_cert - a certificate line of contrib/exim's tls:cert event */
static void
on_cert(struct eximsessions *x, const struct exim_event *ev)
{
	struct xhost *h;

	if (ev->depth != 0 || ev->addr[0] == '\0')
		return;
	h = host_of(msg_of(x, ev, 1), ev->addr);
	h->cert = 1;
	h->dates = ev->dates & (EXIM_NOTBEFORE | EXIM_NOTAFTER);
	h->notbefore = ev->notbefore;
	h->notafter = ev->notafter;
	h->names_known = ev->names_known && ev->mx[0] != '\0';
	h->name_match = 0;
	for (size_t i = 0; h->names_known && i < ev->nnames && i < EXIM_NAMES_MAX; i++)
		if (sts_mx_match(ev->names[i], ev->mx))
			h->name_match = 1;
}

void
eximsessions_feed(struct eximsessions *x, const struct exim_event *ev)
{
	/* forget messages silent for an hour of their host's log time (in a
	 * log merged from many hosts one host's lines may arrive hours late:
	 * the others' time must not end its messages), and any silent for a
	 * day of the log's; driven by the log itself, so a replay after a
	 * restart prunes at the same lines */
	if (ev->when >= x->next_prune) {
		struct prune_arg a = { 0, 0, hostlatest_new(), ev->when - LATE_MAX };

		strmap_foreach(x->msgs, note_latest, &a);
		/* this line is its host's newest */
		hostlatest_note(a.latest, ev->host, strlen(ev->host), ev->when);
		strmap_foreach_remove(x->msgs, prune, &a);
		hostlatest_free(a.latest);
		x->next_prune = ev->when + 600;
	}
	if (ev->msgid[0] == '\0')
		return;
	switch (ev->kind) {
	case EXIM_RECEIVED:
		if (x->exclude_sender[0] && strcasecmp(ev->rcpt, x->exclude_sender) == 0) {
			msg_key(ev, x->excluded[x->nexcluded % EXCLUDED_MAX], sizeof(x->excluded[0]));
			x->nexcluded++;
		}
		break;
	case EXIM_CERT:
		on_cert(x, ev);
		break;
	case EXIM_DANE:
		if (ev->addr[0])
			text_copy(host_of(msg_of(x, ev, 1), ev->addr)->dane, sizeof(((struct xhost *)0)->dane),
			    ev->text);
		break;
	case EXIM_VERIFY:
		if (ev->addr[0])
			text_copy(host_of(msg_of(x, ev, 1), ev->addr)->verify,
			    sizeof(((struct xhost *)0)->verify), ev->text);
		break;
	case EXIM_HOST_ERROR:
	case EXIM_DANE_FAILED:
		if (ev->tls_error != EXIM_TLS_NONE)
			on_waiting(x, ev);
		break;
	case EXIM_UNENCRYPTED:
		on_waiting(x, ev);
		break;
	case EXIM_DELIVERED:
	case EXIM_DEFERRED:
	case EXIM_FAILED:
		on_address(x, ev);
		break;
	default:
		break;
	}
}

/*
 * State, in the record encoding of record.h.
 */
static void
put_msg(const char *key, void *value, void *arg)
{
	struct record_wr *w = arg;
	const struct xmsg *m = value;

	record_put_str(w, key);
	record_put_u64(w, (uint64_t)(int64_t)m->last_seen);
	record_put_u64(w, m->nhosts);
	for (size_t i = 0; i < m->nhosts; i++) {
		const struct xhost *h = &m->hosts[i];

		record_put_str(w, h->addr);
		record_put_u64(w, (uint64_t)h->cert | (uint64_t)h->dates << 1 | (uint64_t)h->names_known << 3
		    | (uint64_t)h->name_match << 4);
		record_put_u64(w, (uint64_t)(int64_t)h->notbefore);
		record_put_u64(w, (uint64_t)(int64_t)h->notafter);
		record_put_str(w, h->dane);
		record_put_str(w, h->verify);
	}
	record_put_u64(w, m->npending);
	for (size_t i = 0; i < m->npending; i++) {
		const struct xpending *p = &m->pending[i];

		record_put_u64(w, (uint64_t)(int64_t)p->when);
		record_put_u64(w, (uint64_t)p->tls);
		record_put_str(w, p->mx);
		record_put_str(w, p->addr);
		record_put_str(w, p->text);
	}
	record_put_u64(w, m->nattempts);
	for (size_t i = 0; i < m->nattempts; i++) {
		record_put_u64(w, m->attempts[i].hash);
		record_put_u64(w, m->attempts[i].pid);
		record_put_u64(w, (uint64_t)(int64_t)m->attempts[i].when);
	}
}

int
eximsessions_save(const struct eximsessions *x, struct buf *out)
{
	size_t n = x->nexcluded < EXCLUDED_MAX ? x->nexcluded : EXCLUDED_MAX;
	struct record_wr w;

	buf_reset(out);
	record_wr_init(&w, out);
	record_put_u64(&w, STATE_VERSION);
	record_put_u64(&w, (uint64_t)(int64_t)x->next_prune);
	record_put_u64(&w, x->excluded_sessions);
	record_put_u64(&w, x->nexcluded);
	for (size_t i = 0; i < n; i++)
		record_put_str(&w, x->excluded[i]);
	record_put_u64(&w, strmap_count(x->msgs));
	strmap_foreach(x->msgs, put_msg, &w);
	return w.bad ? -1 : 0;
}

/* get_msg - one message's state; NULL (r->bad set) if it is not one */
static struct xmsg *
get_msg(struct record_rd *r)
{
	struct xmsg *m = xcalloc(1, sizeof(*m));
	uint64_t n;

	m->last_seen = (time_t)(int64_t)record_get_u64(r);
	if ((n = record_get_u64(r)) > HOSTS_MAX)
		r->bad = 1;
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct xhost *h = &m->hosts[i];
		uint64_t flags;

		record_get_str(r, h->addr, sizeof(h->addr));
		flags = record_get_u64(r);
		h->cert = (int)(flags & 1);
		h->dates = (int)(flags >> 1 & 3);
		h->names_known = (int)(flags >> 3 & 1);
		h->name_match = (int)(flags >> 4 & 1);
		h->notbefore = (time_t)(int64_t)record_get_u64(r);
		h->notafter = (time_t)(int64_t)record_get_u64(r);
		record_get_str(r, h->dane, sizeof(h->dane));
		record_get_str(r, h->verify, sizeof(h->verify));
		m->nhosts = i + 1;
	}
	if (!r->bad && (n = record_get_u64(r)) > PENDING_MAX)
		r->bad = 1;
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct xpending *p = &m->pending[i];
		uint64_t tls;

		p->when = (time_t)(int64_t)record_get_u64(r);
		tls = record_get_u64(r);
		if (tls > EXIM_TLS_HANDSHAKE)
			r->bad = 1;
		p->tls = (int)tls;
		record_get_str(r, p->mx, sizeof(p->mx));
		record_get_str(r, p->addr, sizeof(p->addr));
		record_get_str(r, p->text, sizeof(p->text));
		m->npending = i + 1;
	}
	if (!r->bad && (n = record_get_u64(r)) > ATTEMPTS_MAX)
		r->bad = 1;
	for (size_t i = 0; i < n && !r->bad; i++) {
		m->attempts[i].hash = record_get_u64(r);
		m->attempts[i].pid = (unsigned long)record_get_u64(r);
		m->attempts[i].when = (time_t)(int64_t)record_get_u64(r);
		m->nattempts = i + 1;
	}
	if (r->bad) {
		free(m);
		return NULL;
	}
	return m;
}

int
eximsessions_load(struct eximsessions *x, const void *data, size_t len)
{
	struct record_rd r;
	uint64_t nmsgs, nexcl;
	size_t n;

	record_rd_init(&r, data, len);
	if (record_get_u64(&r) != STATE_VERSION)
		return -1;
	strmap_free(x->msgs, free);
	x->msgs = strmap_new();
	x->next_prune = (time_t)(int64_t)record_get_u64(&r);
	x->excluded_sessions = (unsigned long)record_get_u64(&r);
	nexcl = record_get_u64(&r);
	x->nexcluded = (size_t)nexcl;
	n = nexcl < EXCLUDED_MAX ? (size_t)nexcl : EXCLUDED_MAX;
	for (size_t i = 0; i < n && !r.bad; i++)
		record_get_str(&r, x->excluded[i], sizeof(x->excluded[0]));
	nmsgs = record_get_u64(&r);
	if (nmsgs > EXIMSESSIONS_MSGS_MAX)
		r.bad = 1;
	for (uint64_t i = 0; i < nmsgs && !r.bad; i++) {
		char key[sizeof(x->excluded[0])];
		struct xmsg *m;

		record_get_str(&r, key, sizeof(key));
		if (r.bad || (m = get_msg(&r)) == NULL)
			break;
		if (strmap_get(x->msgs, key) != NULL) {
			r.bad = 1;   /* a message twice: not a state this code wrote */
			free(m);
			break;
		}
		strmap_put(x->msgs, key, m);
	}
	if (record_rd_done(&r) < 0) {
		strmap_free(x->msgs, free);
		x->msgs = strmap_new();
		x->nexcluded = 0;
		x->excluded_sessions = 0;
		x->next_prune = 0;
		return -1;
	}
	return 0;
}
