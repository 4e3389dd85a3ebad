/*
 * http - the read-only HTTP side of tlspolicyd (http_listen): /metrics in
 * the Prometheus text format, a status page and a JSON API (webstatus.h),
 * served by libmicrohttpd.
 *
 * Threads: none.  libmicrohttpd runs in its "external epoll" mode on the
 * daemon's own event loop: its epoll descriptor is one more watched
 * descriptor, and MHD_run() is called when it is readable or when
 * MHD_get_timeout() says a connection timeout is due.  So the handlers
 * read the counters, the caches and the store on the loop that owns
 * them, with no locks, snapshots or copies, and the store ownership
 * rules (storeown.h) hold as they are.  The price is that the time a
 * handler takes is time the loop does not answer lookups: every page is
 * bounded (rows shown, bytes written) and the expensive parts (the walk
 * of all retained days) are cached.  Idle or slow clients cost nothing:
 * libmicrohttpd's epoll mode handles only connections that are ready, and
 * the limits (http_max_connections, http_max_connections_per_ip,
 * http_timeout) bound how many a client may hold and for how long.
 * A page that waits for a lookup (/api/v1/policy of a domain not cached)
 * suspends its connection (MHD_suspend_connection) and the loop goes on;
 * when the lookup ends, lookup_timeout at the latest, the page is made
 * and the connection resumed.
 *
 * Only GET and HEAD are served (405 otherwise) and change nothing, but
 * for POST /tlsrpt with http_tlsrpt on: a TLSRPT report about our
 * domains, stored (httptlsrpt.h).
 * Clients other than loopback ones must be in http_allow, and a listener
 * on a non-loopback address is refused without http_allow
 * (http_check()).
 */
#ifndef TLSPOLICYD_HTTP_H
#define TLSPOLICYD_HTTP_H

#include <stddef.h>

struct buf;
struct daemon;
struct http;
struct listen_owner;
struct settings;

/* http_check - 0 if the http_ settings are usable, else -1 with why */
int http_check(const struct settings *s, char *err, size_t errlen);
/* http_bind - bind the http_listen sockets (before privileges are
 * dropped); NULL without http_listen.  Exits on failure, as the other
 * listeners do. */
struct http *http_bind(struct daemon *d);
/* http_start - serve on d's loop (after daemon(), when the loop runs
 * next); NULL is fine */
void http_start(struct http *h);
/* http_free - stop and close; NULL is fine */
void http_free(struct http *h);
/* http_connections - HTTP connections open now */
unsigned http_connections(const struct http *h);

/* http_metrics - the whole /metrics page into out; -1 if it did not fit */
int http_metrics(struct daemon *d, struct buf *out);

#endif
