/* Unit tests for reporter/bounce: the failed recipients of a DSN. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bounce.h"
#include "buf.h"
#include "tap.h"

/* collect - the addresses reported, space-separated */
static void
collect(void *arg, const char *address)
{
	struct buf *b = arg;

	buf_printf(b, "%s%s", b->len ? " " : "", address);
}

static const struct {
	const char *name;
	const char *in;
	size_t len;           /* 0: strlen(in) */
	const char *want;
} cases[] = {
	{ "Postfix DSN status part",
	  "Reporting-MTA: dns; mx.sender.example\n\n"
	  "Final-Recipient: rfc822; tls-reports@recipient.example\n"
	  "Original-Recipient: rfc822;tls-reports@recipient.example\n"
	  "Action: failed\nStatus: 5.1.1\n", 0, "tls-reports@recipient.example" },
	{ "CRLF lines, any case, blanks",
	  "final-recipient:rfc822;\t a@x.example\r\nACTION:\tFailed\r\n", 0, "a@x.example" },
	{ "delayed and delivered are not bounces",
	  "Final-Recipient: rfc822; a@x.example\nAction: delayed\n"
	  "Final-Recipient: rfc822; b@x.example\nAction: delivered\n", 0, "" },
	{ "two recipients, one failed",
	  "Final-Recipient: rfc822; a@x.example\nAction: failed\n"
	  "Final-Recipient: rfc822; b@x.example\nAction: relayed\n"
	  "Final-Recipient: rfc822; c@x.example\nAction: failed\n", 0, "a@x.example c@x.example" },
	{ "an Action without a Final-Recipient counts nothing",
	  "Action: failed\nFinal-Recipient: rfc822; a@x.example\n", 0, "" },
	{ "one Final-Recipient counts once",
	  "Final-Recipient: rfc822; a@x.example\nAction: failed\nAction: failed\n", 0, "a@x.example" },
	{ "no type; no address",
	  "Final-Recipient: a@x.example\nAction: failed\n"
	  "Final-Recipient: rfc822;\nAction: failed\n", 0, "" },
	{ "control bytes, spaces and 8-bit bytes become ?",
	  "Final-Recipient: rfc822; a b\x01\x7f\xff@x.example\nAction: failed\n", 0, "a?b???@x.example" },
	{ "NUL ends the address",
	  "Final-Recipient: rfc822; a@x.example\0evil\nAction: failed\n", 57, "a@x.example" },
	{ "last line without a newline",
	  "Final-Recipient: rfc822; a@x.example\nAction: failed", 0, "a@x.example" },
	{ "field names need their colon",
	  "Final-Recipient rfc822; a@x.example\nAction failed\n", 0, "" },
};

static void
test_lengths(void)
{
	struct buf in, got;
	char want[BOUNCE_ADDRESS_MAX + 1];

	/* the longest address kept, and one byte more */
	buf_init(&in, 4096);
	buf_init(&got, 4096);
	memset(want, 'a', BOUNCE_ADDRESS_MAX - 1);
	want[BOUNCE_ADDRESS_MAX - 1] = '\0';
	buf_printf(&in, "Final-Recipient: rfc822; %s\nAction: failed\n", want);
	is_int(bounce_parse(in.data, in.len, collect, &got), 1, "an address of %d bytes", BOUNCE_ADDRESS_MAX - 1);
	is_str(got.data ? got.data : "", want, "comes back whole");
	buf_reset(&in);
	buf_reset(&got);
	want[BOUNCE_ADDRESS_MAX - 1] = 'a';
	want[BOUNCE_ADDRESS_MAX] = '\0';
	buf_printf(&in, "Final-Recipient: rfc822; %s\nAction: failed\n", want);
	is_int(bounce_parse(in.data, in.len, collect, &got), 0, "an address of %d bytes is ignored",
	    BOUNCE_ADDRESS_MAX);
	is_int(bounce_parse("", 0, collect, &got), 0, "an empty message");
	buf_fini(&in);
	buf_fini(&got);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf got;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		unsigned n, want_n = 0;

		buf_init(&got, 4096);
		n = bounce_parse(cases[i].in, len, collect, &got);
		for (const char *c = cases[i].want; *c; c++)
			want_n += c == cases[i].want || *c == ' ';
		is_str(got.data ? got.data : "", cases[i].want, "%s", cases[i].name);
		is_int(n, want_n, "%s: count", cases[i].name);
		buf_fini(&got);
	}
	test_lengths();
	return tap_done();
}
