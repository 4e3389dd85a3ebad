/*
 * logparse - print what tlspolicy's Postfix log parser makes of each line
 * of standard input, one line out per line in, for golden-file tests:
 *
 *   logparse NOW < log        (NOW: the Unix time that anchors yearless dates)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logparse_postfix.h"

static const char *const trusts[] = { "Anonymous", "Untrusted", "Trusted", "Verified" };

int
main(int argc, char **argv)
{
	static char line[LOGPARSE_LINE_MAX * 2 + 2];
	struct logparse_event ev;
	time_t now = argc > 1 ? (time_t)strtoll(argv[1], NULL, 10) : time(NULL);

	while (fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);
		enum logparse_kind k;
		struct tm tm;
		char when[32];

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		k = logparse_postfix(line, len, now, &ev);
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
	return 0;
}
