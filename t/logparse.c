/*
 * logparse - print what tlspolicy's Postfix log parser makes of each line
 * of standard input, one line out per line in, for golden-file tests:
 *
 *   logparse NOW < log        (NOW: the Unix time that anchors yearless dates)
 *   logparse -s NOW < log     the session outcomes instead (sessions.h)
 *   logparse -H NOW < log     the incoming handshakes instead (handshakes.h)
 *   logparse -x NOW < log     Exim main-log lines (logparse_exim.h)
 *   logparse -X NOW < log     the session outcomes of Exim lines (eximsessions.h)
 *   logparse -E NOW < log     the incoming handshakes of Exim lines (eximhandshakes.h)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eximhandshakes.h"
#include "eximsessions.h"
#include "handshakes.h"
#include "logparse_exim.h"
#include "logparse_postfix.h"
#include "numparse.h"
#include "sessions.h"

static const char *const trusts[] = { "Anonymous", "Untrusted", "Trusted", "Verified" };

static void
outcome(void *arg, const struct session_outcome *o)
{
	struct tm tm;
	char when[32];

	(void)arg;
	gmtime_r(&o->when, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("session %s host=%s domain=%s mx=%s addr=%s %s", when, o->host, o->domain,
	    o->mx[0] ? o->mx : "-", o->addr[0] ? o->addr : "-", o->success ? "success" : "failure");
	if (o->success)
		printf(" %s%s%s", o->tls ? trusts[o->trust] : "plaintext", o->result_type[0] ? " would=" : "",
		    o->result_type);
	else
		printf(" type=%s%s%s", o->result_type, o->reason[0] ? " reason=" : "", o->reason);
	putchar('\n');
}

static void
handshake(void *arg, int success, enum metrics_hs_reason reason)
{
	const struct logparse_event *ev = arg;

	printf("handshake host=%s name=%s service=%s pid=%lu %s%s%s\n", ev->host,
	    ev->syslog_name, ev->service, ev->pid, success ? "success" : "failure",
	    success ? "" : " reason=", success ? "" : metrics_hs_reasons[reason]);
}

static void
exim_handshake(void *arg, int success, enum metrics_hs_reason reason)
{
	const struct exim_event *ev = arg;

	printf("handshake host=%s pid=%lu addr=%s", ev->host, ev->pid, ev->addr);
	if (ev->port)
		printf(" port=%u", ev->port);
	printf(" %s%s%s\n", success ? "success" : "failure", success ? "" : " reason=",
	    success ? "" : metrics_hs_reasons[reason]);
}

/* exim_handshakes - the incoming handshakes of Exim main-log lines */
static int
exim_handshakes(time_t now)
{
	static char line[LOGPARSE_LINE_MAX * 2 + 2];
	static struct exim_event ev;
	struct eximhandshakes *h = eximhandshakes_new(exim_handshake, &ev);

	while (fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		logparse_exim(line, len, now, &ev);
		eximhandshakes_feed(h, &ev);
	}
	eximhandshakes_free(h);
	return 0;
}

/* exim_sessions - the session outcomes of Exim main-log lines */
static int
exim_sessions(time_t now)
{
	static char line[LOGPARSE_LINE_MAX * 2 + 2];
	static struct exim_event ev;
	struct eximsessions *x = eximsessions_new(outcome, NULL);

	eximsessions_exclude_sender(x, "tlsrpt-noreply@out.test");
	while (fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		logparse_exim(line, len, now, &ev);
		eximsessions_feed(x, &ev);
	}
	printf("excluded %lu\n", eximsessions_excluded(x));
	eximsessions_free(x);
	return 0;
}

/* exim - one line out per Exim main-log line in */
static int
exim(time_t now)
{
	static const char *const cvs[] = { "-", "no", "yes", "dane" };
	static char line[LOGPARSE_LINE_MAX * 2 + 2];
	struct exim_event ev;

	while (fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);
		enum exim_kind k;
		struct tm tm;
		char when[32];

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		k = logparse_exim(line, len, now, &ev);
		if (k == EXIM_SKIP || k == EXIM_OTHER) {
			printf("%s\n", logparse_exim_kind_name(k));
			continue;
		}
		gmtime_r(&ev.when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		printf("%s %s.%03uZ", logparse_exim_kind_name(k), when, ev.msec);
		if (ev.host[0])
			printf(" host=%s", ev.host);
		printf(" pid=%lu msgid=%s", ev.pid, ev.msgid);
		if (ev.more)
			printf(" more");
		if (ev.rcpt[0])
			printf(" rcpt=<%s>", ev.rcpt);
		if (ev.domain[0])
			printf(" domain=%s", ev.domain);
		if (ev.mx[0])
			printf(" mx=%s", ev.mx);
		if (ev.addr[0])
			printf(" addr=%s", ev.addr);
		if (ev.port)
			printf(" port=%u", ev.port);
		if (ev.dnssec)
			printf(" dnssec");
		if (ev.continued)
			printf(" continued");
		if (ev.cipher[0])
			printf(" tls=%s%s", ev.cipher, ev.resumed ? " resumed" : "");
		if (ev.cv != EXIM_CV_UNKNOWN)
			printf(" cv=%s", cvs[ev.cv]);
		if (ev.sni[0])
			printf(" sni=%s", ev.sni);
		if (ev.peerdn[0])
			printf(" dn=\"%s\"", ev.peerdn);
		if (ev.router[0])
			printf(" router=%s", ev.router);
		if (ev.transport[0])
			printf(" transport=%s", ev.transport);
		if (ev.defer_errno != EXIM_ERRNO_NONE)
			printf(" errno=%d", ev.defer_errno);
		if (ev.tls_error != EXIM_TLS_NONE)
			printf(" tlserr=%s", logparse_exim_tls_name(ev.tls_error));
		if (ev.text[0])
			printf(" text=\"%s\"", ev.text);
		if (k == EXIM_CERT) {
			printf(" depth=%d", ev.depth);
			if (ev.dates & EXIM_NOTBEFORE)
				printf(" notbefore=%lld", (long long)ev.notbefore);
			if (ev.dates & EXIM_NOTAFTER)
				printf(" notafter=%lld", (long long)ev.notafter);
			if (ev.names_known) {
				printf(" names=");
				for (size_t i = 0; i < ev.nnames; i++)
					printf("%s%s", i ? "," : "", ev.names[i]);
			}
		}
		putchar('\n');
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char line[LOGPARSE_LINE_MAX * 2 + 2];
	struct logparse_event ev;
	int sess = argc > 1 && strcmp(argv[1], "-s") == 0;
	time_t now = time(NULL);
	struct sessions *ss;
	uint64_t at;
	int exim_mode = argc > 1 && strcmp(argv[1], "-x") == 0;
	int exim_sess = argc > 1 && strcmp(argv[1], "-X") == 0;
	int hs_mode = argc > 1 && strcmp(argv[1], "-H") == 0;
	int exim_hs = argc > 1 && strcmp(argv[1], "-E") == 0;
	int ti = 1 + (sess || exim_mode || exim_sess || hs_mode || exim_hs);
	struct handshakes *hs;

	if (argc > ti) {
		if (numparse_uint(argv[ti], strlen(argv[ti]), INT64_MAX, &at) < 0) {
			fprintf(stderr, "usage: logparse [-s|-x|-X|-H|-E] [UNIX_SECONDS]\n");
			return 2;
		}
		now = (time_t)at;
	}
	if (exim_mode)
		return exim(now);
	if (exim_sess)
		return exim_sessions(now);
	if (exim_hs)
		return exim_handshakes(now);
	ss = sess ? sessions_new(outcome, NULL) : NULL;
	hs = hs_mode ? handshakes_new(handshake, &ev) : NULL;

	while (fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);
		enum logparse_kind k;
		struct tm tm;
		char when[32];

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		k = logparse_postfix(line, len, now, &ev);
		if (ss) {
			sessions_feed(ss, &ev);
			continue;
		}
		if (hs) {
			handshakes_feed(hs, &ev);
			continue;
		}
		if (k == LOGPARSE_SKIP) {
			printf("skip\n");
			continue;
		}
		gmtime_r(&ev.when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s %s host=%s name=%s service=%s pid=%lu", logparse_kind_name(k), when,
		    ev.host, ev.syslog_name, ev.service, ev.pid);
		if (ev.queue_id[0])
			printf(" qid=%s", ev.queue_id);
		if (ev.relay_none)
			printf(" relay=none");
		else if (ev.addr[0])
			printf(" peer=%s[%s]:%u", ev.peer, ev.addr, ev.port);
		else if (ev.peer[0])
			printf(" peer=%s", ev.peer);
		if (k == LOGPARSE_TLS || k == LOGPARSE_IN_TLS)
			printf(" trust=%s%s proto=%s", trusts[ev.trust], ev.reused ? " reused" : "",
			    ev.protocol);
		if (k == LOGPARSE_STATUS && ev.reused)
			printf(" conn_reused");
		if (ev.rcpt[0])
			printf(" addr=<%s>", ev.rcpt);
		if (ev.domain[0])
			printf(" domain=%s", ev.domain);
		if (ev.dsn[0])
			printf(" dsn=%s", ev.dsn);
		if (ev.status[0])
			printf(" status=%s", ev.status);
		if (ev.verify_num >= 0)
			printf(" num=%d", ev.verify_num);
		if (k == LOGPARSE_IN_DISCONNECT)
			printf(" starttls=%u/%u", ev.starttls_ok, ev.starttls_tries);
		if (ev.text[0])
			printf(" text=\"%s\"", ev.text);
		putchar('\n');
	}
	sessions_free(ss);
	handshakes_free(hs);
	return 0;
}
