/*
 * mime - the RFC 5322 / MIME structure of an incoming TLSRPT message, and
 * the report it carries.
 *
 * Pure and bounded: no I/O, no logging.  Input is a whole message in
 * memory with CRLF or bare LF line ends.  The walker visits each leaf part
 * of the MIME tree (at most MIME_DEPTH_MAX levels of multipart, at most
 * MIME_PARTS_MAX parts), with its content type and file name as declared
 * and its body undecoded.  mime_report() picks the part that holds the
 * report: application/tlsrpt+gzip or application/tlsrpt+json (RFC 8460
 * section 5.3), else the mistakes real senders make: the report sent as
 * application/gzip, application/x-gzip, application/octet-stream,
 * application/json or text/plain, recognised by a file name ending in
 * ".json.gz", ".gz" or ".json", or by the gzip magic bytes, also a
 * message that is nothing but the report.  The body is decoded (base64,
 * quoted-printable, 7bit/8bit/binary) and, when it is gzip, inflated with
 * zlib to at most the caller's maximum: more is refused as a
 * decompression bomb, not cut.
 *
 * mime_header_next() iterates over the raw header fields of a header
 * block (names and folded values as they are), for the DKIM verifier.
 */
#ifndef TLSPOLICY_MIME_H
#define TLSPOLICY_MIME_H

#include <stddef.h>

struct buf;

#define MIME_DEPTH_MAX 8
#define MIME_PARTS_MAX 64
#define MIME_CTYPE_MAX 128
#define MIME_NAME_MAX 256

struct mime_part {
	char ctype[MIME_CTYPE_MAX];   /* "type/subtype", lower case; "text/plain" if none */
	char name[MIME_NAME_MAX];     /* filename= or name= parameter, or "" */
	char encoding[32];            /* Content-Transfer-Encoding, lower case, or "" */
	int whole;                    /* the message itself, not a part of a multipart */
	const char *body;             /* undecoded, inside the message */
	size_t len;
};

/* mime_part_cb - one leaf part; nonzero stops the walk */
typedef int mime_part_cb(void *arg, const struct mime_part *p);

/* mime_walk - call cb for each leaf part of msg[0..len); 0, 1 when cb
 * stopped it, or -1 with *why (static text) on a structure past the
 * limits */
int mime_walk(const char *msg, size_t len, mime_part_cb *cb, void *arg, const char **why);

/* mime_header_end - the offset of the body of msg[0..len) (after the
 * empty line), and the length of the header block in *hlen (without the
 * empty line); len (and *hlen = len) when there is no body */
size_t mime_header_end(const char *msg, size_t len, size_t *hlen);

/* mime_header_next - the next header field of hdr[0..hlen) at *pos: its
 * name in *name (*namelen bytes) and the whole field (name, colon, value with its
 * folding, without the final line end) in *field (*fieldlen bytes).  1, or 0 at
 * the end.  Lines that are not fields (no colon) are skipped. */
int mime_header_next(const char *hdr, size_t hlen, size_t *pos, const char **name,
    size_t *namelen, const char **field, size_t *fieldlen);

/* mime_header_get - the unfolded value of the first field named name
 * (case-insensitive) into out[outlen], surrounding blanks removed; 1 if
 * found (cut to fit), else 0 */
int mime_header_get(const char *hdr, size_t hlen, const char *name, char *out, size_t outlen);

/* mime_param - parameter pname of a structured header value such as a
 * Content-Type (quoted strings undone) into out[outlen]; 1 if found */
int mime_param(const char *value, const char *pname, char *out, size_t outlen);

/* mime_decode - body[0..len) with transfer encoding enc (lower case;
 * "" = none) appended to out; -1 with *why if out is full */
int mime_decode(const char *body, size_t len, const char *enc, struct buf *out, const char **why);

/* mime_gunzip - inflate gzip data in[0..len) into out (reset first);
 * -1 with *why if it is not gzip, is damaged, or would inflate past
 * out's maximum (a bomb is refused, never cut) */
int mime_gunzip(const void *in, size_t len, struct buf *out, const char **why);

/* mime_is_gzip - in starts with the gzip magic bytes */
int mime_is_gzip(const void *in, size_t len);

/* mime_report - the report JSON of msg[0..len) into json (reset first;
 * its maximum caps the decompressed size).  0; 1 with *why when the
 * message holds no report; -1 with *why when the report part cannot be
 * decoded (damaged, a bomb).  The chosen part's description into what
 * (may be NULL). */
int mime_report(const char *msg, size_t len, struct buf *json, char *what, size_t whatlen,
    const char **why);

#endif
