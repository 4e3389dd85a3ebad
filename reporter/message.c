/*
 * message - TLSRPT report e-mails, see message.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "message.h"

int
message_gzip(const void *data, size_t len, struct buf *out)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip header and trailer */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	do {
		size_t room = buf_space(out, 65536);

		if (room == 0) {
			deflateEnd(&z);
			return -1;
		}
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)room;
		rc = deflate(&z, Z_FINISH);
		out->len += room - z.avail_out;
	} while (rc == Z_OK || rc == Z_BUF_ERROR);
	deflateEnd(&z);
	if (out->data)
		out->data[out->len] = '\0';
	return rc == Z_STREAM_END ? 0 : -1;
}

void
message_filename(const struct message_info *mi, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s!%s!%lld!%lld.json.gz", mi->submitter, mi->domain,
	    (long long)mi->start, (long long)mi->end);
}

/* base64 - 76-column lines, CRLF-free (the MTA adds what it needs) */
static int
base64(const unsigned char *p, size_t n, struct buf *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0)
		    | (i + 2 < n ? p[i + 2] : 0);

		line[col++] = tab[v >> 18 & 63];
		line[col++] = tab[v >> 12 & 63];
		line[col++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		line[col++] = i + 2 < n ? tab[v & 63] : '=';
		if (col == 76 || i + 3 >= n) {
			line[col++] = '\n';
			if (buf_append(out, line, col) < 0)
				return -1;
			col = 0;
		}
	}
	return 0;
}

int
message_build(const struct message_info *mi, const struct buf *gz, struct buf *out)
{
	char date[64], boundary[64], file[1024];
	struct tm tm;

	gmtime_r(&mi->now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(boundary, sizeof(boundary), "----=_tlsrpt_%lld_%lld", (long long)mi->now,
	    (long long)mi->start);
	message_filename(mi, file, sizeof(file));
	if (buf_printf(out,
	    "From: %s\n"
	    "To: %s\n"
	    "Date: %s\n"
	    "Subject: Report Domain: %s Submitter: %s\n"
	    " Report-ID: <%s>\n"
	    "Message-ID: <%s>\n"
	    "TLS-Report-Domain: %s\n"
	    "TLS-Report-Submitter: %s\n"
	    "TLS-Required: No\n"
	    "Auto-Submitted: auto-generated\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=\"tlsrpt\";\n"
	    " boundary=\"%s\"\n"
	    "\n"
	    "This is a MIME-formatted message.\n"
	    "\n"
	    "--%s\n"
	    "Content-Type: text/plain; charset=\"us-ascii\"\n"
	    "Content-Transfer-Encoding: 7bit\n"
	    "\n"
	    "This is an aggregate TLS report (RFC 8460) from %s\n"
	    "for mail to %s, %s.\n"
	    "\n"
	    "--%s\n"
	    "Content-Type: application/tlsrpt+gzip\n"
	    "Content-Transfer-Encoding: base64\n"
	    "Content-Disposition: attachment;\n"
	    " filename=\"%s\"\n"
	    "\n",
	    mi->from, mi->to, date, mi->domain, mi->submitter, mi->report_id, mi->report_id,
	    mi->domain, mi->submitter, boundary, boundary, mi->submitter, mi->domain, date,
	    boundary, file) < 0)
		return -1;
	if (base64((const unsigned char *)gz->data, gz->len, out) < 0)
		return -1;
	return buf_printf(out, "\n--%s--\n", boundary);
}
