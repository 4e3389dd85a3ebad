/*
 * httptlsrpt - TLSRPT reports received by HTTPS POST (RFC 8460 section
 * 5.3) on the HTTP listener, at /tlsrpt, when http_tlsrpt = yes.
 *
 * The body (application/tlsrpt+gzip or application/tlsrpt+json, at most
 * HTTPTLSRPT_BODY_MAX bytes, inflated to at most RPT_JSON_MAX) goes
 * through the same steps as a report received by mail (incoming.h):
 * rptparse, the report_domains filter, then incoming_store() with via
 * "https", in the daemon's own store on its loop.  Nothing authenticates
 * an HTTP client: the report is stored as trusted by nothing but the
 * listener's reach (loopback, http_allow, or the reverse proxy that
 * terminates TLS in front of it), and shown so.
 */
#ifndef TLSPOLICYD_HTTPTLSRPT_H
#define TLSPOLICYD_HTTPTLSRPT_H

#include <stddef.h>

#define HTTPTLSRPT_BODY_MAX ((size_t)4 << 20)

struct buf;
struct daemon;

/* httptlsrpt_post - one POSTed report body[0..len) with its Content-Type
 * (NULL if none); the HTTP status to answer, with a one-line text in out */
unsigned httptlsrpt_post(struct daemon *d, const char *body, size_t len, const char *ctype,
    struct buf *out);

#endif
