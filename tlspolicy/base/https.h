/*
 * https - a non-blocking HTTPS client on the event loop (OpenSSL).
 *
 * For MTA-STS policy fetches (GET) and TLSRPT report uploads (POST): TLS
 * 1.2 or later, SNI and PKIX verification of the host name
 * (X509_VERIFY_PARAM_set1_host, no partial wildcards) against the
 * configured CA file or the system store, one connection per request, a
 * deadline covering connect, handshake and transfer, and hard limits on
 * the response.  Redirects are not followed: the caller sees
 * the 3xx code.  The caller resolves the host and passes an address, so
 * DNS stays on the caller's resolver.
 */
#ifndef TLSPOLICY_HTTPS_H
#define TLSPOLICY_HTTPS_H

#include <stddef.h>
#include <sys/socket.h>

struct buf;
struct evloop;
struct httpresp;
struct https_client;
struct https_fetch;

enum https_result {
	HTTPS_OK,          /* a complete response (check its code) */
	HTTPS_CONNECT,     /* TCP connection failed */
	HTTPS_CERT,        /* certificate did not verify (WebPKI failure) */
	HTTPS_TLS,         /* other TLS failure */
	HTTPS_TIMEOUT,     /* deadline passed */
	HTTPS_PROTOCOL,    /* not a valid HTTP response */
	HTTPS_TOOLARGE,    /* response over its limit */
};

/* callback: r and body valid during the call only; NULL unless HTTPS_OK */
typedef void https_cb(void *arg, enum https_result res, const struct httpresp *r,
    const struct buf *body, const char *why);

/* https_client_new - ca_file (read at once; "" means the system default
 * store).  The client must outlive its fetches */
struct https_client *https_client_new(const char *ca_file, char *err, size_t errlen);
void https_client_free(struct https_client *c);

/*
 * https_get - GET https://host/path from addr.  cb runs exactly once, from
 * the loop (never inside https_get).  Returns a handle for https_cancel(),
 * valid until cb runs.  addr, host and path are copied; loop and arg are
 * kept until cb runs or the fetch is cancelled.
 */
struct https_fetch *https_get(struct https_client *c, struct evloop *loop,
    const struct sockaddr *addr, socklen_t addrlen, const char *host, const char *path,
    unsigned timeout_ms, size_t body_max, https_cb *cb, void *arg);
/* https_request - the same with a POST of data[0..len) (copied) as
 * content_type when content_type is not NULL */
struct https_fetch *https_request(struct https_client *c, struct evloop *loop,
    const struct sockaddr *addr, socklen_t addrlen, const char *host, const char *path,
    const char *content_type, const void *data, size_t len, unsigned timeout_ms,
    size_t body_max, https_cb *cb, void *arg);
/* https_cancel - abandon a fetch; its callback will not run */
void https_cancel(struct https_fetch *f);

const char *https_result_name(enum https_result res);

#endif
