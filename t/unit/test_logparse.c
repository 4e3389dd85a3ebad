/* Unit tests for tlspolicy/logparse_postfix: limits and hostile bytes
 * (the formats themselves are covered by the golden files). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logparse_postfix.h"
#include "tap.h"

int
main(void)
{
	static const char head[] = "Mar 10 09:14:02 mta1 postfix/smtp[1]: 4B7E21C0F5A: "
	    "to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, dsn=2.0.0, status=sent (";
	struct logparse_event ev;
	char *line = malloc(LOGPARSE_LINE_MAX + 2);
	size_t h = sizeof(head) - 1;

	/* a status line of exactly the limit, and one byte more */
	memcpy(line, head, h);
	memset(line + h, 'x', LOGPARSE_LINE_MAX - h - 1);
	line[LOGPARSE_LINE_MAX - 1] = ')';
	is_int(logparse_postfix(line, LOGPARSE_LINE_MAX, 1741600000, &ev), LOGPARSE_STATUS,
	    "line of LOGPARSE_LINE_MAX bytes parsed");
	is_int(strlen(ev.text), sizeof(ev.text) - 1, "long text cut at its field size");
	line[LOGPARSE_LINE_MAX - 1] = 'x';
	line[LOGPARSE_LINE_MAX] = ')';
	is_int(logparse_postfix(line, LOGPARSE_LINE_MAX + 1, 1741600000, &ev), LOGPARSE_SKIP,
	    "line of LOGPARSE_LINE_MAX + 1 bytes skipped whole");
	/* a NUL inside */
	memcpy(line, head, h);
	line[30] = '\0';
	is_int(logparse_postfix(line, h, 1741600000, &ev), LOGPARSE_SKIP, "NUL byte: skipped");
	/* control bytes in the text come out printable */
	{
		const char *l = "Mar 10 09:14:02 mta1 postfix/smtp[1]: 4B7E21C0F5A: Cannot\x01\x1b[31m start";
		is_int(logparse_postfix(l, strlen(l), 1741600000, &ev), LOGPARSE_QUEUE_REASON, "reason line");
		is_str(ev.text, "Cannot??[31m start", "control bytes replaced");
	}
	/* field limits: a peer name over 253 bytes is refused */
	{
		char l[600];
		size_t n = (size_t)snprintf(l, sizeof(l), "Mar 10 09:14:02 mta1 postfix/smtp[1]: Verified TLS connection established to ");
		memset(l + n, 'a', 300);
		memcpy(l + n + 300, "[192.0.2.1]:25: TLSv1.3 with x", 31);
		is_int(logparse_postfix(l, strlen(l), 1741600000, &ev), LOGPARSE_SKIP, "overlong peer name");
	}
	free(line);
	return tap_done();
}
