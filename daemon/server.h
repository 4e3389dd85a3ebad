/*
 * server - netstring request/reply service on listening sockets.
 *
 * Accepts clients on listening sockets handed to it, keeps each
 * connection persistent and non-blocking on the event loop, decodes one
 * netstring request at a time with a hard size limit, and writes each
 * reply in request order.  Protects itself, in memory and in time:
 *
 * - a connection limit: when full, the connection idle the longest is
 *   closed to admit the new one (Postfix reconnects transparently);
 * - an idle timeout: activity is a complete request or a reply written
 *   out in full, not single bytes, so a client cannot keep a connection
 *   by trickling;
 * - a request deadline: a request not complete request_timeout seconds
 *   after its first byte closes the connection (while the connection is
 *   not read because its client does not read its replies, the clock
 *   stops, and starts again from zero);
 * - bounded buffers: an idle connection holds no buffer at all; a client
 *   whose unsent replies reach a few KiB (it pipelines and does not read)
 *   stops being read, so it holds at most one read of input and those
 *   replies;
 * - a budget for the buffered input and output of all connections
 *   together: over it, the connections holding the most are closed first,
 *   with one log line, until the total is three quarters of the budget;
 * - a close on framing errors.
 *
 * Two framings: netstrings on persistent connections (Postfix
 * socketmap), or lines, one request per connection: the request ends at
 * the first "\n" or where the client shuts down its writing side, a
 * trailing CR is dropped, the reply is written as one line and the
 * connection is closed (Exim's ${readsocket}).  Bytes after the first
 * line are ignored.
 *
 * What a request means is the handler's business.
 */
#ifndef TLSPOLICYD_SERVER_H
#define TLSPOLICYD_SERVER_H

#include <stddef.h>

struct evloop;
struct buf;
struct server;

struct server_req;

/*
 * handler: append the reply payload (not yet framed) for req[0..len) to
 * reply and return SERVER_DONE; or return SERVER_PENDING and answer later
 * with server_req_reply(sr, ...).  Until then the connection reads no
 * further request, so replies stay in request order.  req is valid during
 * the call only.  peer describes the client for logs.
 */
enum server_result { SERVER_DONE, SERVER_PENDING };
typedef enum server_result server_handler(void *arg, const char *req, size_t len,
    struct buf *reply, const char *peer, struct server_req *sr);

/* server_req_reply - answer a pending request (payload not yet framed) */
void server_req_reply(struct server_req *sr, const char *payload, size_t len);
/* server_req_on_cancel - call cancel(arg) if the client goes away while
 * its request is pending; the request must not be answered after that.
 * sr belongs to the server: valid until answered or cancelled; arg is
 * kept as long */
void server_req_on_cancel(struct server_req *sr, void (*cancel)(void *), void *arg);
/* server_req_reply_max - the reply limit (server_limits.reply_max) of the
 * request's service: a reply built for server_req_reply() fits in it */
size_t server_req_reply_max(const struct server_req *sr);
/* server_req_once - 1 the first time bit (one of 32) is asked for on the
 * request's connection, 0 after that: to log a client's fault once */
int server_req_once(struct server_req *sr, unsigned bit);

enum server_framing { SERVER_NETSTRING, SERVER_LINE };

struct server_limits {
	enum server_framing framing;
	const char *too_large;   /* reply to an oversized request; NULL =
	                            "PERM request too large" */
	size_t request_max;      /* payload bytes */
	size_t reply_max;        /* payload bytes */
	size_t buffer_max;       /* bytes buffered by all connections; 0 = no limit */
	unsigned max_conns;
	unsigned idle_timeout;   /* seconds */
	unsigned request_timeout; /* seconds from a request's first byte to its last */
};

/* server_new - a service named name (copied, for logs) with limits
 * (copied); loop and arg are borrowed and kept: they must outlive it */
struct server *server_new(struct evloop *loop, const char *name,
    const struct server_limits *limits, server_handler *handler, void *arg);
/* server_add_listener - serve clients of listening socket fd (owned now);
 * text (copied) names it in logs */
int server_add_listener(struct server *srv, int fd, const char *text);
/* server_free - close listeners and all connections */
void server_free(struct server *srv);
unsigned server_connections(const struct server *srv);
/* server_buffered - bytes of buffers all connections hold now */
size_t server_buffered(const struct server *srv);

#endif
