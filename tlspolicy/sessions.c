/*
 * sessions - SMTP session outcomes from log events, see sessions.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logparse_postfix.h"
#include "sessions.h"
#include "strmap.h"
#include "xalloc.h"

#define WAITING_MAX 8   /* failed attempts waiting for their queue ID's status */

struct proc {
	/* the attempt in progress */
	int have_tls;
	int trust, reused;
	char peer[DOMAIN_MAX + 1], addr[48];
	char verify[200];
	int verify_num;
	char ssl_error[200];
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
	struct strmap *procs;
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
	if (num == 62 || strstr(text, "hostname mismatch") || strstr(text, "Hostname mismatch"))
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
	char key[160];
	struct proc *p;

	snprintf(key, sizeof(key), "%s %s %lu", ev->host, ev->syslog_name, ev->pid);
	if ((p = strmap_get(s->procs, key)) == NULL) {
		p = xcalloc(1, sizeof(*p));
		strmap_put(s->procs, key, p);
	}
	return p;
}

static void
attempt_reset(struct proc *p)
{
	p->have_tls = 0;
	p->peer[0] = p->addr[0] = p->verify[0] = p->ssl_error[0] = '\0';
	p->verify_num = -1;
}

/* host_from_text - "... host NAME[ADDR]..." in a reason names the MX */
static void
host_from_text(const char *text, struct session_outcome *o)
{
	const char *h = strstr(text, " host "), *lb, *rb;

	if (h == NULL || (lb = strchr(h + 6, '[')) == NULL || (rb = strchr(lb, ']')) == NULL
	    || (size_t)(lb - h - 6) >= sizeof(o->mx) || (size_t)(rb - lb - 1) >= sizeof(o->addr))
		return;
	memcpy(o->mx, h + 6, (size_t)(lb - h - 6));
	o->mx[lb - h - 6] = '\0';
	memcpy(o->addr, lb + 1, (size_t)(rb - lb - 1));
	o->addr[rb - lb - 1] = '\0';
}

/* judge - the outcome of the attempt in progress, given the text that
 * ended it (status text or queue reason) */
static void
judge(const struct proc *p, const struct logparse_event *ev, const char *text,
    struct session_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->when = ev->when;
	snprintf(o->host, sizeof(o->host), "%s", ev->host);
	snprintf(o->mx, sizeof(o->mx), "%s", ev->peer[0] ? ev->peer : p->peer);
	snprintf(o->addr, sizeof(o->addr), "%s", ev->addr[0] ? ev->addr : p->addr);
	if (o->mx[0] == '\0')
		host_from_text(text, o);
	o->tls = p->have_tls;
	o->trust = p->trust;
	if (strncmp(text, "TLS is required, but was not offered", 36) == 0
	    || (strncmp(text, "TLS is required, but host ", 26) == 0 && strstr(text, "refused to start TLS"))) {
		snprintf(o->result_type, sizeof(o->result_type), "starttls-not-supported");
	} else if (strncmp(text, "Cannot start TLS: handshake failure", 35) == 0) {
		snprintf(o->result_type, sizeof(o->result_type), "validation-failure");
		/* "SSL_connect error to ...: -1" says nothing; errno texts do */
		snprintf(o->reason, sizeof(o->reason), "%.150s",
		    p->ssl_error[0] && p->ssl_error[0] != '-' && (p->ssl_error[0] < '0' || p->ssl_error[0] > '9')
		    ? p->ssl_error : "tls-handshake-failure");
	} else if (strncmp(text, "Server certificate not verified", 31) == 0
	    || strncmp(text, "Server certificate not trusted", 30) == 0) {
		snprintf(o->result_type, sizeof(o->result_type), "%s",
		    p->verify[0] ? sessions_verify_type(p->verify_num, p->verify)
		    : "certificate-not-trusted");
		snprintf(o->reason, sizeof(o->reason), "%.150s", p->verify);
	} else if (strstr(text, "TLSA lookup error for ")) {
		snprintf(o->result_type, sizeof(o->result_type), "dnssec-invalid");
	} else if (strcmp(text, "TLSA records unusable") == 0) {
		snprintf(o->result_type, sizeof(o->result_type), "tlsa-invalid");
		snprintf(o->reason, sizeof(o->reason), "all-TLSA-records-unusable");
	} else if (strcmp(text, "non DNSSEC destination") == 0
	    || strcmp(text, "no TLSA records found") == 0) {
		snprintf(o->result_type, sizeof(o->result_type), "dane-required");
	} else {
		o->success = 1;
	}
}

static void
on_status(struct sessions *s, struct proc *p, const struct logparse_event *ev)
{
	struct session_outcome o;
	size_t j = 0;

	/* attempts of this queue ID that failed earlier: now we know the domain */
	for (size_t i = 0; i < p->nwaiting; i++) {
		if (strcmp(p->waiting_qid[i], ev->queue_id) == 0) {
			snprintf(p->waiting[i].domain, sizeof(p->waiting[i].domain), "%s", ev->domain);
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
	snprintf(o.domain, sizeof(o.domain), "%s", ev->domain);
	s->emit(s->arg, &o);
	snprintf(p->last_qid, sizeof(p->last_qid), "%s", ev->queue_id);
	snprintf(p->last_addr, sizeof(p->last_addr), "%s", ev->addr);
done:
	attempt_reset(p);
}

/* note_peer - the MX of an attempt, from its first line that names it */
static void
note_peer(struct proc *p, const struct logparse_event *ev)
{
	if (p->peer[0] == '\0') {
		snprintf(p->peer, sizeof(p->peer), "%s", ev->peer);
		snprintf(p->addr, sizeof(p->addr), "%s", ev->addr);
	}
}

void
sessions_feed(struct sessions *s, const struct logparse_event *ev)
{
	struct proc *p;
	struct session_outcome o;

	switch (ev->kind) {
	case LOGPARSE_TLS:
		p = proc_of(s, ev);
		p->have_tls = 1;
		p->trust = (int)ev->trust;
		p->reused = ev->reused;
		snprintf(p->peer, sizeof(p->peer), "%s", ev->peer);
		snprintf(p->addr, sizeof(p->addr), "%s", ev->addr);
		break;
	case LOGPARSE_VERIFY:
		p = proc_of(s, ev);
		note_peer(p, ev);
		p->verify_num = ev->verify_num;
		snprintf(p->verify, sizeof(p->verify), "%.190s", ev->text);
		break;
	case LOGPARSE_SSL_ERROR:
		p = proc_of(s, ev);
		note_peer(p, ev);
		snprintf(p->ssl_error, sizeof(p->ssl_error), "%.190s", ev->text);
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
