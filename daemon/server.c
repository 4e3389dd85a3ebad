/*
 * server - netstring request/reply connections, see server.h.
 *
 * Buffers: a read goes into the server's scratch buffer when the
 * connection has no input waiting, and the replies to what it completes
 * go into the server's scratch output when the connection has no output
 * waiting.  Only bytes left over (a partial request; replies the socket
 * did not take) are copied into the connection's own buffers, which are
 * freed again once empty.  A client that sends one request and reads its
 * reply, as Postfix does, never makes the server allocate.
 *
 * Lists: every connection is on the activity list, oldest activity
 * first; a connection being read with an incomplete request is also on
 * the request list, oldest first byte first.  Times only grow, so
 * appending keeps both lists sorted and the sweep looks at their heads
 * only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "evloop.h"
#include "log.h"
#include "netstring.h"
#include "server.h"
#include "xalloc.h"

#define FRAMING NETSTRING_FRAMING_MAX
/* Stop answering and reading a client whose unsent replies reach this.
 * Postfix sends one request at a time; only a client that pipelines and
 * does not read gets here. */
#define OUT_HIGH_WATER ((size_t)4 << 10)
/* Most bytes read at once, so most unanswered input of such a client. */
#define READ_CHUNK 4096
#define SWEEP_MSEC 1000

enum { BY_ACTIVITY, BY_REQUEST, NLISTS };

struct server_req {
	struct conn *conn;
	int pending;
	void (*cancel)(void *);
	void *cancel_arg;
};

struct link {
	struct conn *prev, *next;
};

struct conn {
	struct server *srv;
	struct server_req req;   /* the request being answered, if pending */
	int fd;
	struct buf in, out;      /* allocated only while they hold bytes */
	size_t held;             /* in.cap + out.cap, as counted in srv->held */
	int64_t last_active;     /* accept, complete request, reply written out */
	int64_t req_start;       /* first byte of the incomplete request */
	int partial;             /* input ends in an incomplete request */
	int timed;               /* on the request list: partial and reading */
	int closing;             /* close once out is flushed */
	const char *close_why;   /* for the debug log of that close */
	int eof;                 /* line framing: the client shut down writing */
	unsigned once;           /* server_req_once() bits */
	struct link link[NLISTS];
	char peer[64];
};

struct listener {
	int fd;
	char *text;
	struct listener *next;
};

struct list {
	struct conn *head, *tail;
};

struct server {
	struct evloop *loop;
	char *name;
	struct server_limits lim;
	server_handler *handler;
	void *arg;
	struct listener *listeners;
	struct list list[NLISTS];
	unsigned nconns;
	size_t held;             /* buffer bytes of all connections */
	struct evloop_timer *sweep;
	struct evloop_timer *shed;
	struct buf reply;        /* scratch, reused for every reply payload */
	struct buf wr;           /* scratch output of a connection with none waiting */
	int wr_busy;
	char *rd;                /* scratch input, READ_CHUNK bytes */
};

static void conn_io(struct evloop *loop, int fd, unsigned events, void *arg);
static void server_shed(struct evloop *loop, void *arg);

static void
list_unlink(struct server *srv, int which, struct conn *c)
{
	struct list *l = &srv->list[which];
	struct link *k = &c->link[which];

	if (k->prev)
		k->prev->link[which].next = k->next;
	else
		l->head = k->next;
	if (k->next)
		k->next->link[which].prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = NULL;
}

static void
list_append(struct server *srv, int which, struct conn *c)
{
	struct list *l = &srv->list[which];
	struct link *k = &c->link[which];

	k->prev = l->tail;
	k->next = NULL;
	if (l->tail)
		l->tail->link[which].next = c;
	else
		l->head = c;
	l->tail = c;
}

/* conn_touch - note activity: move c to the young end of the list */
static void
conn_touch(struct conn *c)
{
	struct server *srv = c->srv;

	c->last_active = evloop_now(srv->loop);
	if (srv->list[BY_ACTIVITY].tail != c) {
		list_unlink(srv, BY_ACTIVITY, c);
		list_append(srv, BY_ACTIVITY, c);
	}
}

/* conn_timed - the request deadline runs (on) or not */
static void
conn_timed(struct conn *c, int on)
{
	if (on && !c->timed) {
		c->timed = 1;
		c->req_start = evloop_now(c->srv->loop);
		list_append(c->srv, BY_REQUEST, c);
	} else if (!on && c->timed) {
		c->timed = 0;
		list_unlink(c->srv, BY_REQUEST, c);
	}
}

/* conn_partial - input ends in an incomplete request (on), or not */
static void
conn_partial(struct conn *c, int on)
{
	c->partial = on;
	if (!on)
		conn_timed(c, 0);
}

/* conn_account - count the connection's buffers in the server's total */
static void
conn_account(struct conn *c)
{
	struct server *srv = c->srv;
	size_t now = c->in.cap + c->out.cap;

	srv->held = srv->held - c->held + now;
	c->held = now;
	if (srv->lim.buffer_max > 0 && srv->held > srv->lim.buffer_max && srv->shed == NULL)
		srv->shed = evloop_timer_add(srv->loop, 0, server_shed, srv);
}

/* conn_close - take c off the lists and release it (the analyzer cannot
 * see that a closed connection is no list's head any more) */
static void
conn_close(struct conn *c, const char *why)
{
	struct server *srv = c->srv;

	if (why)
		log_debug("%s: close %s: %s", srv->name, c->peer, why);
	list_unlink(srv, BY_ACTIVITY, c);
	conn_timed(c, 0);
	if (c->req.pending && c->req.cancel)
		c->req.cancel(c->req.cancel_arg);
	evloop_unwatch(srv->loop, c->fd);
	close(c->fd);
	srv->nconns--;
	srv->held -= c->held;
	buf_fini(&c->in);
	buf_fini(&c->out);
	free(c);
}

/* conn_update - watch for what the connection now needs */
static void
conn_update(struct conn *c)
{
	unsigned ev = 0;

	/* no reading while complete requests wait in c->in: writing lets
	 * them be answered, and c->in stays within one request and a read */
	if (!c->closing && !c->eof && !c->req.pending && c->out.len < OUT_HIGH_WATER
	    && (c->in.len == 0 || c->partial))
		ev |= EVLOOP_READ;
	if (c->out.len > 0)
		ev |= EVLOOP_WRITE;
	/* the deadline runs while the rest of a request is awaited; a
	 * client that must first read its replies gets a new one after */
	conn_timed(c, c->partial && (ev & EVLOOP_READ));
	if (evloop_watch(c->srv->loop, c->fd, ev, conn_io, c) < 0)
		log_warn("%s: epoll for %s", c->srv->name, c->peer);
}

/* conn_reply - frame one reply payload into out; with line framing the
 * connection closes once it is written */
static void
conn_reply(struct conn *c, struct buf *out, const struct buf *reply)
{
	const char *data = reply->data ? reply->data : "";
	int rc;

	if (c->srv->lim.framing == SERVER_LINE) {
		rc = buf_append(out, data, reply->len);
		if (rc == 0)
			rc = buf_append(out, "\n", 1);
		c->closing = 1;
		c->close_why = "answered";
	} else
		rc = netstring_encode(out, data, reply->len);
	if (rc < 0) {
		log_warnx("%s: %s: reply buffer full, closing", c->srv->name, c->peer);
		c->closing = 1;
		c->close_why = "reply buffer full";
	}
}

/* conn_too_large - answer an oversized request and close */
static void
conn_too_large(struct conn *c, struct buf *out)
{
	struct buf *reply = &c->srv->reply;

	buf_reset(reply);
	buf_puts(reply, c->srv->lim.too_large ? c->srv->lim.too_large : "PERM request too large");
	conn_reply(c, out, reply);
	c->closing = 1;
	c->close_why = "request too large";
}

/*
 * line_decode - the line request at the front of data[0..len): NETSTRING_OK
 * with the payload (no CR LF) and the bytes used; NETSTRING_MORE while
 * neither a newline nor the end of input came; NETSTRING_ERR_SIZE when
 * the line is longer than max
 */
static enum netstring_status
line_decode(const char *data, size_t len, size_t max, int eof, const char **payload,
    size_t *plen, size_t *used)
{
	const char *nl = memchr(data, '\n', len);
	size_t n = nl ? (size_t)(nl - data) : len;

	if (n > 0 && data[n - 1] == '\r')
		n--;
	if (n > max)
		return NETSTRING_ERR_SIZE;
	if (nl == NULL && !eof)
		return len > max + 1 ? NETSTRING_ERR_SIZE : NETSTRING_MORE;
	*payload = data;
	*plen = n;
	*used = nl ? (size_t)(nl - data) + 1 : len;
	return NETSTRING_OK;
}

/* conn_process - answer the complete requests at the front of
 * data[0..len) into out; returns the bytes used */
static size_t
conn_process(struct conn *c, const char *data, size_t len, struct buf *out)
{
	struct server *srv = c->srv;
	struct buf *reply = &srv->reply;
	size_t pos = 0;

	while (!c->closing && !c->req.pending && pos < len && out->len < OUT_HIGH_WATER) {
		const char *payload = NULL;
		size_t plen = 0, used = 0;
		enum netstring_status st = srv->lim.framing == SERVER_LINE
		    ? line_decode(data + pos, len - pos, srv->lim.request_max, c->eof, &payload,
		    &plen, &used)
		    : netstring_decode(data + pos, len - pos, srv->lim.request_max, &payload,
		    &plen, &used);

		if (st == NETSTRING_MORE) {
			conn_partial(c, 1);
			break;
		}
		if (st != NETSTRING_OK) {
			log_warnx("%s: %s: %s, closing connection", srv->name, c->peer,
			    srv->lim.framing == SERVER_LINE ? "request line too long"
			    : netstring_strerror(st));
			c->closing = 1;
			c->close_why = "protocol error";
			if (st == NETSTRING_ERR_SIZE)
				conn_too_large(c, out);
			break;
		}
		pos += used;
		conn_partial(c, 0);
		conn_touch(c);
		buf_reset(reply);
		c->req.cancel = NULL;
		if (srv->handler(srv->arg, payload, plen, reply, c->peer, &c->req) == SERVER_PENDING) {
			c->req.pending = 1;
			break;
		}
		conn_reply(c, out, reply);
	}
	return pos;
}

/* conn_process_in - answer what waits in the connection's input buffer */
static size_t
conn_process_in(struct conn *c, struct buf *out)
{
	size_t used;

	if (c->in.len == 0)
		return 0;
	used = conn_process(c, c->in.data, c->in.len, out);
	buf_consume(&c->in, used);
	if (c->in.len == 0)
		buf_fini(&c->in);
	return used;
}

/* conn_read - read once and answer what is complete into out; -1 if the
 * connection is gone */
static int
conn_read(struct conn *c, struct buf *out)
{
	struct server *srv = c->srv;
	size_t want = c->in.max - c->in.len, room, used;
	char *dst;
	ssize_t n;

	if (want > READ_CHUNK)
		want = READ_CHUNK;
	if (c->in.len == 0) {
		dst = srv->rd;
		room = want;
	} else {
		room = want ? buf_space(&c->in, want) : 0;
		dst = c->in.data + c->in.len;
	}
	if (room == 0) {
		/* Cannot happen with a valid length check; be safe. */
		conn_close(c, "input buffer full");
		return -1;
	}
	n = recv(c->fd, dst, room, 0);
	if (n == 0 && srv->lim.framing == SERVER_LINE && c->in.len > 0) {
		/* the request ends where the client stopped writing */
		c->eof = 1;
		conn_process_in(c, out);
		return 0;
	}
	if (n == 0) {
		conn_close(c, c->in.len || c->partial ? "client closed mid-request" : NULL);
		return -1;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		conn_close(c, strerror(errno));
		return -1;
	}
	if (dst == srv->rd) {
		used = conn_process(c, dst, (size_t)n, out);
		/* n <= in.max: the rest fits */
		if (used < (size_t)n && buf_append(&c->in, dst + used, (size_t)n - used) < 0) {
			conn_close(c, "input buffer full");
			return -1;
		}
	} else {
		c->in.len += (size_t)n;
		c->in.data[c->in.len] = '\0';
		conn_process_in(c, out);
	}
	return 0;
}

/* conn_send - write out (the connection's own output or the scratch) and
 * keep in the connection what the socket does not take; -1 if the
 * connection is gone */
static int
conn_send(struct conn *c, struct buf *out)
{
	size_t off = 0;

	while (off < out->len) {
		ssize_t n = send(c->fd, out->data + off, out->len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			conn_close(c, strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	if (out == &c->out) {
		buf_consume(&c->out, off);
		if (c->out.len == 0)
			buf_fini(&c->out);
	} else if (off < out->len && buf_append(&c->out, out->data + off, out->len - off) < 0) {
		/* the scratch holds no more than the connection's maximum */
		conn_close(c, "output buffer full");
		return -1;
	}
	if (off > 0 && c->out.len == 0)
		conn_touch(c);
	if (c->closing && c->out.len == 0) {
		conn_close(c, c->close_why ? c->close_why : "closed after protocol error");
		return -1;
	}
	return 0;
}

/*
 * conn_run - frame first (a pending request's reply) if given, read if
 * readable, answer, write; repeat while everything was written and
 * complete requests wait; then watch for what comes next.
 */
static void
conn_run(struct conn *c, int readable, const struct buf *first)
{
	struct server *srv = c->srv;

	for (;;) {
		struct buf *out = &c->out;
		int gone;

		if (c->out.len == 0 && !srv->wr_busy) {
			out = &srv->wr;
			buf_reset(out);
			srv->wr_busy = 1;
		}
		if (first) {
			conn_reply(c, out, first);
			first = NULL;
		}
		if (readable)
			gone = conn_read(c, out) < 0;
		else {
			conn_process_in(c, out);
			gone = 0;
		}
		readable = 0;
		if (out == &srv->wr)
			srv->wr_busy = 0;
		if (gone || conn_send(c, out) < 0)
			return;
		/* Complete requests wait and all is written: answer them now,
		 * as no event would come for them.  A fresh output answers at
		 * least one, so this ends. */
		if (c->in.len == 0 || c->partial || c->out.len > 0 || c->closing || c->req.pending)
			break;
	}
	conn_update(c);
	conn_account(c);
}

static void
conn_io(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct conn *c = arg;

	(void)loop;
	(void)fd;
	conn_run(c, (events & (EVLOOP_READ | EVLOOP_ERROR)) != 0, NULL);
}

void
server_req_on_cancel(struct server_req *sr, void (*cancel)(void *), void *arg)
{
	sr->cancel = cancel;
	sr->cancel_arg = arg;
}

int
server_req_once(struct server_req *sr, unsigned bit)
{
	unsigned m = 1u << (bit & 31);

	if (sr->conn->once & m)
		return 0;
	sr->conn->once |= m;
	return 1;
}

void
server_req_reply(struct server_req *sr, const char *payload, size_t len)
{
	struct conn *c = sr->conn;
	struct buf *reply = &c->srv->reply;

	sr->pending = 0;
	sr->cancel = NULL;
	buf_reset(reply);
	if (buf_append(reply, payload, len) < 0)
		buf_puts(reply, "TEMP reply too long");
	conn_touch(c);
	/* then answer what the client sent meanwhile */
	conn_run(c, 0, reply);
}

size_t
server_req_reply_max(const struct server_req *sr)
{
	return sr->conn->srv->lim.reply_max;
}

static void
describe_peer(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	struct ucred cred;
	socklen_t cl = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.pid > 0) {
		snprintf(out, outlen, "client pid=%ld uid=%ld", (long)cred.pid, (long)cred.uid);
		return;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_INET) {
		const unsigned char *a = (const unsigned char *)&((struct sockaddr_in *)&ss)->sin_addr;
		snprintf(out, outlen, "client %u.%u.%u.%u:%u", a[0], a[1], a[2], a[3],
		    (unsigned)ntohs(((struct sockaddr_in *)&ss)->sin_port));
		return;
	}
	snprintf(out, outlen, "client fd=%d", fd);
}

static void
server_accept(struct evloop *loop, int lfd, unsigned events, void *arg)
{
	struct server *srv = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Free a descriptor; the listener stays readable, so
				 * the waiting client is accepted on the next round. */
				log_warn("%s: accept", srv->name);
				if (srv->list[BY_ACTIVITY].head)
					/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see conn_close */
					conn_close(srv->list[BY_ACTIVITY].head, "descriptor shortage");
				return;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
			    && errno != ECONNABORTED)
				log_warn("%s: accept", srv->name);
			return;
		}
		if (srv->nconns >= srv->lim.max_conns && srv->list[BY_ACTIVITY].head) {
			log_info("%s: %u connections, closing the one idle longest", srv->name,
			    srv->nconns);
			/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see conn_close */
			conn_close(srv->list[BY_ACTIVITY].head, "connection limit");
		}
		c = xcalloc(1, sizeof(*c));
		c->srv = srv;
		c->fd = fd;
		c->req.conn = c;
		/* no allocation yet: see conn_run */
		buf_init(&c->in, srv->lim.request_max + FRAMING);
		buf_init(&c->out, OUT_HIGH_WATER + srv->lim.reply_max + FRAMING);
		c->last_active = evloop_now(srv->loop);
		describe_peer(fd, c->peer, sizeof(c->peer));
		list_append(srv, BY_ACTIVITY, c);
		srv->nconns++;
		if (evloop_watch(srv->loop, fd, EVLOOP_READ, conn_io, c) < 0) {
			log_warn("%s: epoll", srv->name);
			conn_close(c, NULL);
		}
	}
}

/* server_sweep - close connections whose request is late, or idle too long */
static void
server_sweep(struct evloop *loop, void *arg)
{
	struct server *srv = arg;
	int64_t now = evloop_now(loop);
	int64_t idle = now - (int64_t)srv->lim.idle_timeout * 1000;
	int64_t late = now - (int64_t)srv->lim.request_timeout * 1000;
	unsigned n, nlate = 0;
	struct conn *c;

	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see conn_close */
	while ((c = srv->list[BY_REQUEST].head) != NULL && c->req_start <= late) {
		if (nlate++ == 0)
			log_info("%s: %s: request not complete %u s after its first byte, closing",
			    srv->name, c->peer, srv->lim.request_timeout);
		conn_close(c, "request deadline");
	}
	if (nlate > 1)
		log_info("%s: and %u more connections with a late request closed", srv->name,
		    nlate - 1);
	/* a client waiting for its answer is not idle: lookup_timeout
	 * bounds that wait */
	n = srv->nconns;
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see conn_close */
	while (n-- > 0 && (c = srv->list[BY_ACTIVITY].head) != NULL && c->last_active <= idle) {
		if (c->req.pending)
			conn_touch(c);
		else
			conn_close(c, "idle timeout");
	}
	srv->sweep = evloop_timer_add(loop, SWEEP_MSEC, server_sweep, srv);
}

struct holder {
	size_t held;
	struct conn *conn;
};

static int
by_held_desc(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;

	return x->held < y->held ? 1 : x->held > y->held ? -1 : 0;
}

/*
 * server_shed - over the budget: close the connections holding the most
 * buffered data until the total is three quarters of the budget
 */
static void
server_shed(struct evloop *loop, void *arg)
{
	struct server *srv = arg;
	size_t target = srv->lim.buffer_max - srv->lim.buffer_max / 4, before = srv->held;
	size_t nc = 0, closed = 0, largest = 0;
	struct holder *v;
	struct conn *c;
	char first[sizeof(c->peer)];

	(void)loop;
	srv->shed = NULL;
	if (srv->held <= srv->lim.buffer_max)
		return;
	v = xreallocarray(NULL, srv->nconns, sizeof(*v));
	for (c = srv->list[BY_ACTIVITY].head; c; c = c->link[BY_ACTIVITY].next)
		if (c->held > 0 && nc < srv->nconns) {
			v[nc].held = c->held;
			v[nc++].conn = c;
		}
	qsort(v, nc, sizeof(*v), by_held_desc);
	for (size_t i = 0; i < nc && srv->held > target; i++) {
		if (i == 0) {
			largest = v[i].held;
			memcpy(first, v[i].conn->peer, sizeof(first));
		}
		conn_close(v[i].conn, "buffer budget exhausted");
		closed++;
	}
	free(v);
	log_warnx("%s: connections buffer %zu KiB, over the limit of %zu KiB: closed the %zu "
	    "holding the most (%zu KiB; largest %zu KiB, %s)", srv->name, before >> 10,
	    srv->lim.buffer_max >> 10, closed, (before - srv->held) >> 10, largest >> 10,
	    closed ? first : "-");
}

struct server *
server_new(struct evloop *loop, const char *name, const struct server_limits *limits,
    server_handler *handler, void *arg)
{
	struct server *srv = xcalloc(1, sizeof(*srv));

	srv->loop = loop;
	srv->name = xstrdup(name);
	srv->lim = *limits;
	srv->handler = handler;
	srv->arg = arg;
	buf_init(&srv->reply, limits->reply_max);
	buf_init(&srv->wr, OUT_HIGH_WATER + limits->reply_max + FRAMING);
	srv->rd = xreallocarray(NULL, READ_CHUNK, 1);
	srv->sweep = evloop_timer_add(loop, SWEEP_MSEC, server_sweep, srv);
	return srv;
}

int
server_add_listener(struct server *srv, int fd, const char *text)
{
	struct listener *l = xcalloc(1, sizeof(*l));

	l->fd = fd;
	l->text = xstrdup(text);
	l->next = srv->listeners;
	srv->listeners = l;
	return evloop_watch(srv->loop, fd, EVLOOP_READ, server_accept, srv);
}

void
server_free(struct server *srv)
{
	if (srv == NULL)
		return;
	while (srv->list[BY_ACTIVITY].head)
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see conn_close */
		conn_close(srv->list[BY_ACTIVITY].head, NULL);
	while (srv->listeners) {
		struct listener *l = srv->listeners;

		srv->listeners = l->next;
		evloop_unwatch(srv->loop, l->fd);
		close(l->fd);
		free(l->text);
		free(l);
	}
	evloop_timer_cancel(srv->loop, srv->sweep);
	if (srv->shed)
		evloop_timer_cancel(srv->loop, srv->shed);
	buf_fini(&srv->reply);
	buf_fini(&srv->wr);
	free(srv->rd);
	free(srv->name);
	free(srv);
}

unsigned
server_connections(const struct server *srv)
{
	return srv->nconns;
}

size_t
server_buffered(const struct server *srv)
{
	return srv->held;
}
