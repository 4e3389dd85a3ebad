/*
 * https - non-blocking HTTPS GET and POST, see https.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "evloop.h"
#include "httpresp.h"
#include "https.h"
#include "xalloc.h"

#define REQUEST_MAX 1024

struct https_client {
	SSL_CTX *ctx;
};

enum fetch_state { ST_CONNECT, ST_HANDSHAKE, ST_WRITE, ST_READ };

struct https_fetch {
	struct https_client *client;
	struct evloop *loop;
	struct evloop_timer *deadline;
	struct evloop_timer *kick;
	int fd;
	SSL *ssl;
	enum fetch_state state;
	struct buf req, raw, body;
	size_t sent;
	https_cb *cb;
	void *arg;
};

struct https_client *
https_client_new(const char *ca_file, char *err, size_t errlen)
{
	struct https_client *c = xcalloc(1, sizeof(*c));

	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		free(c);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if ((ca_file[0] ? SSL_CTX_load_verify_locations(c->ctx, ca_file, NULL)
	    : SSL_CTX_set_default_verify_paths(c->ctx)) != 1) {
		snprintf(err, errlen, "cannot load CA certificates%s%s", ca_file[0] ? " from " : "",
		    ca_file);
		SSL_CTX_free(c->ctx);
		free(c);
		return NULL;
	}
	return c;
}

void
https_client_free(struct https_client *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

const char *
https_result_name(enum https_result res)
{
	switch (res) {
	case HTTPS_OK: return "ok";
	case HTTPS_CONNECT: return "connect failed";
	case HTTPS_CERT: return "certificate not valid";
	case HTTPS_TLS: return "TLS failed";
	case HTTPS_TIMEOUT: return "timeout";
	case HTTPS_PROTOCOL: return "invalid HTTP response";
	case HTTPS_TOOLARGE: return "response too large";
	}
	return "?";
}

static void
fetch_free(struct https_fetch *f)
{
	if (f->deadline)
		evloop_timer_cancel(f->loop, f->deadline);
	if (f->kick)
		evloop_timer_cancel(f->loop, f->kick);
	if (f->fd >= 0) {
		evloop_unwatch(f->loop, f->fd);
		close(f->fd);
	}
	SSL_free(f->ssl);
	buf_fini(&f->req);
	buf_fini(&f->raw);
	buf_fini(&f->body);
	free(f);
}

void
https_cancel(struct https_fetch *f)
{
	if (f)
		fetch_free(f);
}

/* finish - report once and free */
static void
finish(struct https_fetch *f, enum https_result res, const struct httpresp *r, const char *why)
{
	https_cb *cb = f->cb;
	void *arg = f->arg;

	if (res == HTTPS_OK) {
		/* the body buffer must outlive the callback: free afterwards */
		cb(arg, res, r, &f->body, why);
	} else {
		cb(arg, res, NULL, NULL, why);
	}
	fetch_free(f);
}

/* tls_failure - classify a failed handshake */
static void
tls_failure(struct https_fetch *f)
{
	long v = SSL_get_verify_result(f->ssl);
	char why[256];

	if (v != X509_V_OK) {
		snprintf(why, sizeof(why), "certificate: %s", X509_verify_cert_error_string(v));
		finish(f, HTTPS_CERT, NULL, why);
		return;
	}
	ERR_error_string_n(ERR_peek_last_error(), why, sizeof(why));
	ERR_clear_error();
	finish(f, HTTPS_TLS, NULL, why);
}

static void fetch_io(struct evloop *loop, int fd, unsigned events, void *arg);

static void
want(struct https_fetch *f, unsigned ev)
{
	evloop_watch(f->loop, f->fd, ev, fetch_io, f);
}

/* ssl_wait - after an SSL call returned rc: wait as OpenSSL asks, or -1 */
static int
ssl_wait(struct https_fetch *f, int rc)
{
	switch (SSL_get_error(f->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		want(f, EVLOOP_READ);
		return 0;
	case SSL_ERROR_WANT_WRITE:
		want(f, EVLOOP_WRITE);
		return 0;
	default:
		return -1;
	}
}

/* step - advance the state machine as far as it goes without waiting */
static void
step(struct https_fetch *f)
{
	int rc;

	switch (f->state) {
	case ST_CONNECT: {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
			char why[128];

			snprintf(why, sizeof(why), "connect: %s", strerror(soerr ? soerr : errno));
			finish(f, HTTPS_CONNECT, NULL, why);
			return;
		}
		f->state = ST_HANDSHAKE;
	}
		/* FALLTHROUGH */
	case ST_HANDSHAKE:
		ERR_clear_error();
		rc = SSL_connect(f->ssl);
		if (rc != 1) {
			if (ssl_wait(f, rc) < 0)
				tls_failure(f);
			return;
		}
		f->state = ST_WRITE;
		/* FALLTHROUGH */
	case ST_WRITE:
		while (f->sent < f->req.len) {
			ERR_clear_error();
			rc = SSL_write(f->ssl, f->req.data + f->sent, (int)(f->req.len - f->sent));
			if (rc <= 0) {
				if (ssl_wait(f, rc) < 0)
					finish(f, HTTPS_TLS, NULL, "TLS write failed");
				return;
			}
			f->sent += (size_t)rc;
		}
		f->state = ST_READ;
		/* FALLTHROUGH */
	case ST_READ:
		for (;;) {
			struct httpresp r;
			const char *why = NULL;
			enum httpresp_status st;
			size_t room = buf_space(&f->raw, 4096);
			int eof = 0;

			if (room == 0) {
				finish(f, HTTPS_TOOLARGE, NULL, "response too large");
				return;
			}
			ERR_clear_error();
			rc = SSL_read(f->ssl, f->raw.data + f->raw.len, (int)(room > 4096 ? 4096 : room));
			if (rc > 0) {
				f->raw.len += (size_t)rc;
			} else {
				int e = SSL_get_error(f->ssl, rc);

				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
					want(f, e == SSL_ERROR_WANT_READ ? EVLOOP_READ : EVLOOP_WRITE);
					return;
				}
				/* a close, clean or not, ends a response without length */
				eof = 1;
			}
			st = httpresp_parse(f->raw.data, f->raw.len, eof, &r, &f->body, &why);
			if (st == HTTPRESP_OK) {
				finish(f, HTTPS_OK, &r, NULL);
				return;
			}
			if (st == HTTPRESP_TOOLARGE) {
				finish(f, HTTPS_TOOLARGE, NULL, why);
				return;
			}
			if (st == HTTPRESP_MALFORMED || eof) {
				finish(f, HTTPS_PROTOCOL, NULL, why);
				return;
			}
		}
	}
}

static void
fetch_io(struct evloop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	step(arg);
}

static void
on_deadline(struct evloop *loop, void *arg)
{
	struct https_fetch *f = arg;

	(void)loop;
	f->deadline = NULL;
	finish(f, HTTPS_TIMEOUT, NULL, "deadline passed");
}

/* on_kick - report a failure found inside https_get, from the loop */
static void
on_kick(struct evloop *loop, void *arg)
{
	struct https_fetch *f = arg;

	(void)loop;
	f->kick = NULL;
	finish(f, HTTPS_CONNECT, NULL, "cannot start the connection");
}

struct https_fetch *
https_get(struct https_client *c, struct evloop *loop, const struct sockaddr *addr,
    socklen_t addrlen, const char *host, const char *path, unsigned timeout_ms,
    size_t body_max, https_cb *cb, void *arg)
{
	return https_request(c, loop, addr, addrlen, host, path, NULL, NULL, 0, timeout_ms,
	    body_max, cb, arg);
}

struct https_fetch *
https_request(struct https_client *c, struct evloop *loop, const struct sockaddr *addr,
    socklen_t addrlen, const char *host, const char *path, const char *content_type,
    const void *data, size_t len, unsigned timeout_ms, size_t body_max, https_cb *cb, void *arg)
{
	struct https_fetch *f = xcalloc(1, sizeof(*f));
	X509_VERIFY_PARAM *vp;

	f->client = c;
	f->loop = loop;
	f->cb = cb;
	f->arg = arg;
	f->fd = -1;
	buf_init(&f->req, REQUEST_MAX + len);
	/* raw: head + body, with room for chunk framing */
	buf_init(&f->raw, HTTPRESP_HEAD_MAX + 2 * body_max + 1024);
	buf_init(&f->body, body_max);
	f->deadline = evloop_timer_add(loop, timeout_ms, on_deadline, f);
	if ((content_type == NULL
	    ? buf_printf(&f->req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tlspolicyd/%s\r\n"
	    "Accept: text/plain\r\nConnection: close\r\n\r\n", path, host, PACKAGE_VERSION)
	    : buf_printf(&f->req, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tlspolicyd/%s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", path, host,
	    PACKAGE_VERSION, content_type, len)) < 0
	    || (len > 0 && buf_append(&f->req, data, len) < 0)
	    || (f->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0
	    || (connect(f->fd, addr, addrlen) < 0 && errno != EINPROGRESS)
	    || (f->ssl = SSL_new(c->ctx)) == NULL
	    || SSL_set_fd(f->ssl, f->fd) != 1
	    || SSL_set_tlsext_host_name(f->ssl, host) != 1
	    || (vp = SSL_get0_param(f->ssl)) == NULL
	    || X509_VERIFY_PARAM_set1_host(vp, host, 0) != 1) {
		f->kick = evloop_timer_add(loop, 0, on_kick, f);
		return f;
	}
	/* wildcards only as a whole left-most label (RFC 8461 section 3.3) */
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	SSL_set_connect_state(f->ssl);
	f->state = ST_CONNECT;
	want(f, EVLOOP_WRITE);
	return f;
}
