/*
 * message - the e-mail of one TLSRPT report (RFC 8460 section 5.3): a
 * multipart/report; report-type="tlsrpt" message with a text part and the
 * gzip'd JSON as application/tlsrpt+gzip in base64, under the RFC's
 * file name, with the TLS-Report-Domain, TLS-Report-Submitter, Subject,
 * Message-ID, Date, Auto-Submitted and TLS-Required: No headers.  Every
 * header value is built from checked domain names and addresses, so no
 * input can add a header.
 */
#ifndef TLSPOLICY_MESSAGE_H
#define TLSPOLICY_MESSAGE_H

#include <stddef.h>
#include <time.h>

struct buf;

struct message_info {
	const char *from;          /* header From: (the envelope sender) */
	const char *to;            /* the rua address */
	const char *domain;        /* policy domain */
	const char *submitter;     /* domain of contact-info */
	const char *report_id;     /* id-left@id-right */
	time_t start, end;         /* the report's period, Unix seconds */
	time_t now;
};

/* message_gzip - gzip data[0..len) into out; 0 or -1 */
int message_gzip(const void *data, size_t len, struct buf *out);

/* message_filename - "submitter!domain!start!end.json.gz" */
void message_filename(const struct message_info *mi, char *out, size_t outlen);

/* message_build - the whole message with gz (the gzip'd JSON) attached */
int message_build(const struct message_info *mi, const struct buf *gz, struct buf *out);

#endif
