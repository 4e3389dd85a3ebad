/*
 * logparse - print what tlspolicy's Postfix log parser makes of each line
 * of standard input, one line out per line in, for golden-file tests:
 *
 *   logparse NOW < log        (NOW: the Unix time that anchors yearless dates)
 *   logparse -s NOW < log     the session outcomes instead (sessions.h)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		printf(" %s", o->tls ? trusts[o->trust] : "plaintext");
	else
		printf(" type=%s%s%s", o->result_type, o->reason[0] ? " reason=" : "", o->reason);
	putchar('\n');
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

	if (argc > 1 + sess) {
		if (numparse_uint(argv[1 + sess], strlen(argv[1 + sess]), INT64_MAX, &at) < 0) {
			fprintf(stderr, "usage: logparse [-s] [UNIX_SECONDS]\n");
			return 2;
		}
		now = (time_t)at;
	}
	ss = sess ? sessions_new(outcome, NULL) : NULL;

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
		if (k == LOGPARSE_TLS)
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
		if (ev.text[0])
			printf(" text=\"%s\"", ev.text);
		putchar('\n');
	}
	sessions_free(ss);
	return 0;
}
