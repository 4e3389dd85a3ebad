/*
 * server - netstring request/reply connections, see server.h.
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

/* Netstring framing around a payload: up to 20 digits, ':' and ','. */
#define FRAMING 22
/* Stop reading from a client whose unread replies exceed this. */
#define OUT_HIGH_WATER ((size_t)64 << 10)
#define READ_CHUNK 16384
#define SWEEP_MSEC 1000

struct server_req {
	struct conn *conn;
	int pending;
	void (*cancel)(void *);
	void *cancel_arg;
};

struct conn {
	struct server *srv;
	struct server_req req;   /* the request being answered, if pending */
	int fd;
	struct buf in, out;
	int64_t last_active;
	int closing;             /* close once out is flushed */
	struct conn *prev, *next; /* in order of last activity, oldest first */
	char peer[64];
};

struct listener {
	int fd;
	char *text;
	struct listener *next;
};

struct server {
	struct evloop *loop;
	char *name;
	struct server_limits lim;
	server_handler *handler;
	void *arg;
	struct listener *listeners;
	struct conn *head, *tail;
	unsigned nconns;
	struct evloop_timer *sweep;
	struct buf reply;        /* scratch, reused for every reply */
};

static void conn_io(struct evloop *loop, int fd, unsigned events, void *arg);

static void
list_unlink(struct server *srv, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		srv->tail = c->prev;
	c->prev = c->next = NULL;
}

static void
list_append(struct server *srv, struct conn *c)
{
	c->prev = srv->tail;
	c->next = NULL;
	if (srv->tail)
		srv->tail->next = c;
	else
		srv->head = c;
	srv->tail = c;
}

/* conn_touch - note activity: move c to the young end of the list */
static void
conn_touch(struct conn *c)
{
	struct server *srv = c->srv;

	c->last_active = evloop_now(srv->loop);
	if (srv->tail != c) {
		list_unlink(srv, c);
		list_append(srv, c);
	}
}

/* conn_free - release a connection already taken off the list */
static void
conn_free(struct conn *c, const char *why)
{
	struct server *srv = c->srv;

	if (why)
		log_debug("%s: close %s: %s", srv->name, c->peer, why);
	if (c->req.pending && c->req.cancel)
		c->req.cancel(c->req.cancel_arg);
	evloop_unwatch(srv->loop, c->fd);
	close(c->fd);
	srv->nconns--;
	buf_fini(&c->in);
	buf_fini(&c->out);
	free(c);
}

static void
conn_close(struct conn *c, const char *why)
{
	list_unlink(c->srv, c);
	conn_free(c, why);
}

/* close_oldest - close the connection idle the longest (the list head) */
static void
close_oldest(struct server *srv, const char *why)
{
	struct conn *c = srv->head;

	/* The analyzer cannot see that closed connections leave the list. */
	srv->head = c->next; /* NOLINT(clang-analyzer-unix.Malloc) */
	if (srv->head)
		srv->head->prev = NULL;
	else
		srv->tail = NULL;
	conn_free(c, why);
}

/* conn_update - watch for what the connection now needs */
static void
conn_update(struct conn *c)
{
	unsigned ev = 0;

	if (!c->closing && !c->req.pending && c->out.len < OUT_HIGH_WATER)
		ev |= EVLOOP_READ;
	if (c->out.len > 0)
		ev |= EVLOOP_WRITE;
	if (evloop_watch(c->srv->loop, c->fd, ev, conn_io, c) < 0)
		log_warn("%s: epoll for %s", c->srv->name, c->peer);
}

/* conn_flush - write what we can; -1 if the connection died */
static int
conn_flush(struct conn *c)
{
	while (c->out.len > 0) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			conn_close(c, strerror(errno));
			return -1;
		}
		buf_consume(&c->out, (size_t)n);
	}
	if (c->closing) {
		conn_close(c, "closed after protocol error");
		return -1;
	}
	return 0;
}

/* conn_reply - frame one reply payload into the output buffer */
static void
conn_reply(struct conn *c, struct buf *reply)
{
	if (netstring_encode(&c->out, reply->data ? reply->data : "", reply->len) < 0) {
		log_warnx("%s: %s: reply buffer full, closing", c->srv->name, c->peer);
		c->closing = 1;
	}
}

/* conn_process - answer every complete request in the input buffer */
static void
conn_process(struct conn *c)
{
	struct server *srv = c->srv;
	struct buf *reply = &srv->reply;
	size_t pos = 0;

	while (!c->closing && !c->req.pending && pos < c->in.len && c->out.len < OUT_HIGH_WATER) {
		const char *payload;
		size_t plen, used;
		enum netstring_status st = netstring_decode(c->in.data + pos, c->in.len - pos,
		    srv->lim.request_max, &payload, &plen, &used);

		if (st == NETSTRING_MORE)
			break;
		if (st != NETSTRING_OK) {
			log_warnx("%s: %s: %s, closing connection", srv->name, c->peer,
			    netstring_strerror(st));
			if (st == NETSTRING_ERR_SIZE) {
				buf_reset(reply);
				buf_puts(reply, "PERM request too large");
				conn_reply(c, reply);
			}
			c->closing = 1;
			break;
		}
		buf_reset(reply);
		pos += used;
		c->req.cancel = NULL;
		if (srv->handler(srv->arg, payload, plen, reply, c->peer, &c->req) == SERVER_PENDING) {
			c->req.pending = 1;
			break;
		}
		conn_reply(c, reply);
	}
	buf_consume(&c->in, pos);
}

static void
conn_io(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct conn *c = arg;

	(void)loop;
	(void)fd;
	if (events & (EVLOOP_READ | EVLOOP_ERROR)) {
		size_t want = c->in.max - c->in.len, room;
		ssize_t n;

		if (want > READ_CHUNK)
			want = READ_CHUNK;
		if (want == 0 || (room = buf_space(&c->in, want)) == 0) {
			/* Cannot happen with a valid length check; be safe. */
			conn_close(c, "input buffer full");
			return;
		}
		n = recv(c->fd, c->in.data + c->in.len, room, 0);
		if (n == 0) {
			conn_close(c, c->in.len ? "client closed mid-request" : NULL);
			return;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			conn_close(c, strerror(errno));
			return;
		}
		if (n > 0) {
			c->in.len += (size_t)n;
			c->in.data[c->in.len] = '\0';
			conn_touch(c);
		}
	}
	if (events & EVLOOP_WRITE)
		conn_touch(c);
	conn_process(c);
	if (conn_flush(c) < 0)
		return;
	/* Requests left unanswered while the client was not reading. */
	if (c->in.len > 0 && c->out.len == 0 && !c->closing && !c->req.pending) {
		conn_process(c);
		if (conn_flush(c) < 0)
			return;
	}
	conn_update(c);
}

void
server_req_on_cancel(struct server_req *sr, void (*cancel)(void *), void *arg)
{
	sr->cancel = cancel;
	sr->cancel_arg = arg;
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
	conn_reply(c, reply);
	conn_touch(c);
	/* answer what the client sent meanwhile, then write */
	conn_process(c);
	if (conn_flush(c) < 0)
		return;
	conn_update(c);
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
				if (srv->head)
					close_oldest(srv, "descriptor shortage");
				return;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
			    && errno != ECONNABORTED)
				log_warn("%s: accept", srv->name);
			return;
		}
		if (srv->nconns >= srv->lim.max_conns && srv->head) {
			log_info("%s: %u connections, closing the one idle longest", srv->name,
			    srv->nconns);
			close_oldest(srv, "connection limit");
		}
		c = xcalloc(1, sizeof(*c));
		c->srv = srv;
		c->fd = fd;
		c->req.conn = c;
		buf_init(&c->in, srv->lim.request_max + FRAMING);
		buf_init(&c->out, 2 * OUT_HIGH_WATER + srv->lim.reply_max + FRAMING);
		c->last_active = evloop_now(srv->loop);
		describe_peer(fd, c->peer, sizeof(c->peer));
		list_append(srv, c);
		srv->nconns++;
		if (evloop_watch(srv->loop, fd, EVLOOP_READ, conn_io, c) < 0) {
			log_warn("%s: epoll", srv->name);
			conn_close(c, NULL);
		}
	}
}

/* server_sweep - close connections idle longer than the timeout */
static void
server_sweep(struct evloop *loop, void *arg)
{
	struct server *srv = arg;
	int64_t limit = evloop_now(loop) - (int64_t)srv->lim.idle_timeout * 1000;
	unsigned n = srv->nconns;

	/* a client waiting for its answer is not idle: lookup_timeout
	 * bounds that wait */
	while (n-- > 0 && srv->head && srv->head->last_active <= limit) {
		if (srv->head->req.pending)
			conn_touch(srv->head);
		else
			close_oldest(srv, "idle timeout");
	}
	srv->sweep = evloop_timer_add(loop, SWEEP_MSEC, server_sweep, srv);
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
	while (srv->head)
		close_oldest(srv, NULL);
	while (srv->listeners) {
		struct listener *l = srv->listeners;

		srv->listeners = l->next;
		evloop_unwatch(srv->loop, l->fd);
		close(l->fd);
		free(l->text);
		free(l);
	}
	evloop_timer_cancel(srv->loop, srv->sweep);
	buf_fini(&srv->reply);
	free(srv->name);
	free(srv);
}

unsigned
server_connections(const struct server *srv)
{
	return srv->nconns;
}
