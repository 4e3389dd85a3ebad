/*
 * http - libmicrohttpd on the event loop, and /metrics; see http.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "buf.h"
#include "daemon.h"
#include "endpoint.h"
#include "evloop.h"
#include "http.h"
#include "incoming.h"
#include "httptlsrpt.h"
#include "ingest.h"
#include "listen.h"
#include "log.h"
#include "logsource.h"
#include "metrics.h"
#include "mtasts.h"
#include "server.h"
#include "settings.h"
#include "state.h"
#include "store.h"
#include "strmap.h"
#include "webstatus.h"
#include "xalloc.h"

#define PAGE_MAX ((size_t)8 << 20)    /* the largest page written */
#define STORE_GAUGES_SEC 30           /* store walks for gauges, at most this often */
#define REFUSED_LOG_SEC 60            /* a refused client logged at most this often */

struct http_listener {
	struct MHD_Daemon *mhd;
	int fd;                  /* listening socket, until MHD owns it */
	int epfd;                /* MHD's epoll descriptor, watched by the loop */
	char text[160];
};

struct http {
	struct daemon *d;
	struct http_listener *l;
	size_t n;
	struct evloop_timer *timer;
	unsigned conns;
	time_t refused_logged;
	/* gauges read from the store, cached */
	time_t gauges_at;
	int have_gauges;
	unsigned long deliveries[4];  /* by enum delivery_state */
	time_t last_attempt;
	/* sessions in the TLSRPT reports received about our domains for the
	 * last INCOMING_DAYS days: "ORGANIZATION\tRESULT" -> uint64_t * */
	struct strmap *incoming;
	struct request *waiting;     /* suspended connections (a list) */
};

/* a connection's request that spans calls of on_request: a POSTed report
 * being received (http_tlsrpt), or a page waiting for a lookup while its
 * connection is suspended */
struct request {
	struct http *h;
	struct MHD_Connection *c;
	struct buf body;
	int upload;
	int too_large;
	struct webstatus_wait *wait;   /* while suspended */
	struct MHD_Response *resp;     /* the page that waited, to queue */
	unsigned code;
	struct request *prev, *next;   /* in h->waiting, while suspended */
};

static void on_timer(struct evloop *loop, void *arg);

#define INCOMING_DAYS 3               /* today, yesterday, the day before */
#define INCOMING_SERIES_MAX 400       /* organization x result pairs shown */

/* loopback - 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 */
static int
loopback(int family, const unsigned char *a)
{
	static const unsigned char lo6[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET)
		return a[0] == 127;
	return memcmp(a, lo6, 16) == 0 || (memcmp(a, mapped, 12) == 0 && a[12] == 127);
}

/* sockaddr_ip - the family and address bytes of sa; 0 if not IP */
static int
sockaddr_ip(const struct sockaddr *sa, socklen_t len, const unsigned char **addr)
{
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		*addr = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		*addr = (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		return AF_INET6;
	}
	return 0;
}

int
http_check(const struct settings *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->http_listen.n; i++) {
		const struct endpoint *ep = &s->http_listen.v[i];
		const unsigned char *a;
		int fam = sockaddr_ip((const struct sockaddr *)&ep->addr, ep->addrlen, &a);

		if (fam == 0) {
			snprintf(err, errlen, "http_listen: %s: not an IP address", ep->text);
			return -1;
		}
		if (!loopback(fam, a) && s->http_allow.n == 0) {
			snprintf(err, errlen, "http_listen: %s is not a loopback address: list the "
			    "networks allowed to connect in http_allow, or listen on 127.0.0.1 or "
			    "[::1] behind a reverse proxy", ep->text);
			return -1;
		}
	}
	return 0;
}

/* on_accept - loopback clients, and those in http_allow */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct http *h = cls;
	const unsigned char *a;
	int fam = sockaddr_ip(sa, len, &a);
	char text[INET6_ADDRSTRLEN] = "?";
	time_t now;

	if (fam && (loopback(fam, a) || settings_cidr_match(&h->d->cfg.http_allow, fam, a)))
		return MHD_YES;
	/* an IPv4 client on a dual-stack socket, against the IPv4 networks */
	if (fam == AF_INET6 && a[10] == 0xff && a[11] == 0xff && memcmp(a, "\0\0\0\0\0\0\0\0\0\0", 10) == 0
	    && settings_cidr_match(&h->d->cfg.http_allow, AF_INET, a + 12))
		return MHD_YES;
	now = time(NULL);
	if (now - h->refused_logged >= REFUSED_LOG_SEC) {
		if (fam)
			inet_ntop(fam, a, text, sizeof(text));
		log_info("http: refused client %s: not in http_allow (logged once a minute)", text);
		h->refused_logged = now;
	}
	return MHD_NO;
}

static void
on_notify(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;

	(void)c;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		h->conns++;
	else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && h->conns > 0)
		h->conns--;
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("http: %s", msg);
}

/* response - a response with data[0..len) (copied) and our headers */
static struct MHD_Response *
response(unsigned code, const char *ctype, const char *data, size_t len)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(len, (void *)(data ? data : ""), MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* the status page has no scripts and no external assets */
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	return r;
}

/* respond - queue a response with data[0..len) (copied) */
static enum MHD_Result
respond(struct MHD_Connection *c, unsigned code, const char *ctype, const char *data,
    size_t len)
{
	struct MHD_Response *r = response(code, ctype, data, len);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

static void
unlink_waiting(struct request *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else if (q->h->waiting == q)
		q->h->waiting = q->next;
	if (q->next)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct request *q = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (q != NULL) {
		webstatus_cancel(q->wait);
		unlink_waiting(q);
		if (q->resp)
			MHD_destroy_response(q->resp);
		buf_fini(&q->body);
		free(q);
		*con_cls = NULL;
	}
}

static struct request *
request_new(struct http *h, struct MHD_Connection *c)
{
	struct request *q = xcalloc(1, sizeof(*q));

	q->h = h;
	q->c = c;
	buf_init(&q->body, HTTPTLSRPT_BODY_MAX);
	return q;
}

/* on_waited - the page a suspended connection waited for: resume it, and
 * run libmicrohttpd from the loop (not from here) to send it */
static void
on_waited(void *ctx, unsigned code, const char *ctype, const struct buf *page)
{
	struct request *q = ctx;
	struct http *h = q->h;

	q->wait = NULL;
	q->code = code;
	q->resp = response(code, ctype, page->data, page->len);
	unlink_waiting(q);
	MHD_resume_connection(q->c);
	if (h->timer)
		evloop_timer_cancel(h->d->loop, h->timer);
	h->timer = evloop_timer_add(h->d->loop, 0, on_timer, h);
}

/* query_arg - a query argument of the request */
static const char *
query_arg(void *ctx, const char *name)
{
	struct request *q = ctx;

	return MHD_lookup_connection_value(q->c, MHD_GET_ARGUMENT_KIND, name);
}

/* post_tlsrpt - POST /tlsrpt: the body is gathered (bounded) over the
 * calls libmicrohttpd makes, then handed to httptlsrpt_post() */
static enum MHD_Result
post_tlsrpt(struct http *h, struct MHD_Connection *c, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct request *u = *con_cls;
	struct buf msg;
	unsigned code;
	enum MHD_Result rc;

	if (u == NULL) {
		u = request_new(h, c);
		u->upload = 1;
		*con_cls = u;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (!u->too_large && buf_append(&u->body, upload_data, *upload_data_size) < 0)
			u->too_large = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	buf_init(&msg, 4096);
	if (u->too_large) {
		buf_printf(&msg, "report larger than %zu bytes\n", (size_t)HTTPTLSRPT_BODY_MAX);
		code = MHD_HTTP_CONTENT_TOO_LARGE;
		log_info("http: a POSTed TLSRPT report refused: larger than %zu bytes",
		    (size_t)HTTPTLSRPT_BODY_MAX);
	} else {
		code = httptlsrpt_post(h->d, u->body.data, u->body.len,
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE), &msg);
	}
	rc = respond(c, code, "text/plain; charset=utf-8", msg.data, msg.len);
	buf_fini(&msg);
	return rc;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	static const char not_allowed[] = "method not allowed: read-only (GET and HEAD)\n";
	struct http *h = cls;
	struct request *q = *con_cls;
	const char *ctype = "text/plain; charset=utf-8";
	struct webstatus_req req;
	struct buf page;
	unsigned code;
	enum MHD_Result rc;

	(void)version;
	if (q != NULL && q->resp != NULL) {
		/* resumed: the page it waited for */
		rc = MHD_queue_response(c, q->code, q->resp);
		MHD_destroy_response(q->resp);
		q->resp = NULL;
		return rc;
	}
	if (h->d->cfg.http_tlsrpt && strcmp(method, MHD_HTTP_METHOD_POST) == 0 && strcmp(url, "/tlsrpt") == 0)
		return post_tlsrpt(h, c, upload_data, upload_data_size, con_cls);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, ctype, not_allowed,
		    sizeof(not_allowed) - 1);
	if (*upload_data_size != 0) {
		/* a body sent with a GET: ignored */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (q != NULL && q->upload == 0 && q->wait == NULL)
		return MHD_NO;         /* resumed without a page (stopping) */
	buf_init(&page, PAGE_MAX);
	if (strcmp(url, "/metrics") == 0) {
		ctype = "text/plain; version=0.0.4; charset=utf-8";
		code = http_metrics(h->d, &page) < 0 ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_OK;
	} else {
		if (q == NULL)
			*con_cls = q = request_new(h, c);
		memset(&req, 0, sizeof(req));
		req.url = url;
		req.arg = query_arg;
		req.done = on_waited;
		req.ctx = q;
		code = webstatus_page(h->d, &req, &page, &ctype);
		if (code == WEBSTATUS_PENDING) {
			/* answered when the lookup ends (lookup_timeout at most) */
			buf_fini(&page);
			q->wait = req.wait;
			q->next = h->waiting;
			if (q->next)
				q->next->prev = q;
			h->waiting = q;
			MHD_suspend_connection(c);
			return MHD_YES;
		}
	}
	if (code == MHD_HTTP_INTERNAL_SERVER_ERROR && page.len == 0)
		buf_puts(&page, "page too large\n");
	rc = respond(c, code, ctype, page.data, page.len);
	buf_fini(&page);
	return rc;
}

/* http_run - let libmicrohttpd do what is ready, then wake up again when
 * its next connection timeout is due */

static void
http_run(struct http *h)
{
	MHD_UNSIGNED_LONG_LONG t;
	int64_t next = -1;

	for (size_t i = 0; i < h->n; i++) {
		MHD_run(h->l[i].mhd);
		if (MHD_get_timeout(h->l[i].mhd, &t) == MHD_YES && (next < 0 || (int64_t)t < next))
			next = t > INT64_C(3600000) ? INT64_C(3600000) : (int64_t)t;
	}
	if (h->timer)
		evloop_timer_cancel(h->d->loop, h->timer);
	h->timer = next >= 0 ? evloop_timer_add(h->d->loop, next, on_timer, h) : NULL;
}

static void
on_timer(struct evloop *loop, void *arg)
{
	struct http *h = arg;

	(void)loop;
	h->timer = NULL;
	http_run(h);
}

static void
on_ready(struct evloop *loop, int fd, unsigned events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	http_run(arg);
}

struct http *
http_bind(struct daemon *d)
{
	struct http *h;
	char err[512];

	if (d->cfg.http_listen.n == 0)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->d = d;
	h->l = xreallocarray(NULL, d->cfg.http_listen.n, sizeof(*h->l));
	for (size_t i = 0; i < d->cfg.http_listen.n; i++) {
		const struct endpoint *ep = &d->cfg.http_listen.v[i];
		struct http_listener *l = &h->l[h->n++];

		memset(l, 0, sizeof(*l));
		l->epfd = -1;
		snprintf(l->text, sizeof(l->text), "%s", ep->text);
		if ((l->fd = listen_open(ep, 0, (gid_t)-1, NULL, err, sizeof(err))) < 0)
			log_fatalx("http_listen: %s", err);
	}
	return h;
}

void
http_start(struct http *h)
{
	struct daemon *d;

	if (h == NULL)
		return;
	d = h->d;
	for (size_t i = 0; i < h->n; i++) {
		struct http_listener *l = &h->l[i];
		const union MHD_DaemonInfo *info;

		l->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, 0, on_accept, h,
		    on_request, h,
		    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)l->fd,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned)d->cfg.http_max_connections,
		    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)d->cfg.http_max_connections_per_ip,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)d->cfg.http_timeout,
		    MHD_OPTION_NOTIFY_CONNECTION, on_notify, h,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
		    MHD_OPTION_END);
		if (l->mhd == NULL)
			log_fatalx("http_listen: %s: libmicrohttpd did not start", l->text);
		l->fd = -1;    /* MHD's now */
		info = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD);
		if (info == NULL)
			log_fatalx("http_listen: %s: no epoll descriptor", l->text);
		l->epfd = info->epoll_fd;
		if (evloop_watch(d->loop, l->epfd, EVLOOP_READ, on_ready, h) < 0)
			log_fatal("http_listen: %s: epoll", l->text);
		log_info("listening on %s for HTTP (/metrics, /, /api/v1/)", l->text);
	}
	/* the connections' timeouts from the start */
	http_run(h);
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (h->timer)
		evloop_timer_cancel(h->d->loop, h->timer);
	/* no lookup answers a connection any more; libmicrohttpd stops only
	 * with every connection resumed, and then closes them */
	while (h->waiting) {
		struct request *q = h->waiting;

		webstatus_cancel(q->wait);
		q->wait = NULL;
		unlink_waiting(q);
		MHD_resume_connection(q->c);
	}
	for (size_t i = 0; i < h->n; i++) {
		if (h->l[i].epfd >= 0)
			evloop_unwatch(h->d->loop, h->l[i].epfd);
		if (h->l[i].mhd)
			MHD_stop_daemon(h->l[i].mhd);   /* closes the listening socket */
		else if (h->l[i].fd >= 0)
			close(h->l[i].fd);
	}
	free(h->l);
	strmap_free(h->incoming, free);
	free(h);
}

unsigned
http_connections(const struct http *h)
{
	return h ? h->conns : 0;
}

/* --- /metrics ------------------------------------------------------------ */

/* dir_size - bytes of the regular files in dir (the store's databases
 * and logs) */
static unsigned long long
dir_size(const char *dir)
{
	unsigned long long total = 0;
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int dfd;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	dfd = dirfd(dp);
	while ((de = readdir(dp)) != NULL)
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			total += (unsigned long long)st.st_size;
	closedir(dp);
	return total;
}

/* store_gauges - report deliveries by state from the store, at most every
 * STORE_GAUGES_SEC seconds (kept while the store is lent) */
/* tally - add n sessions of organization org with result r */
static void
tally(struct strmap *m, const char *org, const char *r, uint64_t n)
{
	char key[RPT_TEXT_MAX + 64];
	uint64_t *v;

	snprintf(key, sizeof(key), "%s\t%s", org, r);
	if ((v = strmap_get(m, key)) == NULL) {
		if (strmap_count(m) >= INCOMING_SERIES_MAX) {
			/* a bounded label set: the rest under one name */
			snprintf(key, sizeof(key), "other\t%s", r);
			if ((v = strmap_get(m, key)) == NULL && strmap_count(m) >= INCOMING_SERIES_MAX + 64)
				return;
		}
		if (v == NULL) {
			v = xcalloc(1, sizeof(*v));
			strmap_put(m, key, v);
		}
	}
	*v += n;
}

static void
incoming_one(void *arg, const struct incoming_rec *rec)
{
	struct strmap *m = arg;

	for (size_t i = 0; i < rec->r.npolicies; i++) {
		const struct rpt_policy *p = &rec->r.policies[i];

		tally(m, rec->r.org, "success", p->successes);
		for (size_t j = 0; j < p->nresults; j++)
			tally(m, rec->r.org, p->results[j].type, p->results[j].count);
	}
}

/* incoming_gauges - the sessions of the reports received about our
 * domains for the last INCOMING_DAYS days, by organization and result */
static void
incoming_gauges(struct http *h, time_t now)
{
	struct strmap *m = strmap_new();

	for (int i = 0; i < INCOMING_DAYS; i++) {
		time_t t = now - (time_t)i * 86400;
		struct tm tm;
		char day[16];

		gmtime_r(&t, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		if (incoming_foreach(h->d->store, day, incoming_one, m) < 0)
			break;
	}
	strmap_free(h->incoming, free);
	h->incoming = m;
}

static void
store_gauges(struct http *h)
{
	struct store *st = h->d->store;
	struct store_cursor *cur;
	struct buf k, v;
	time_t now = time(NULL);
	unsigned long n[4] = { 0, 0, 0, 0 };
	time_t last = 0;
	struct delivery dv;

	if (h->have_gauges && now - h->gauges_at < STORE_GAUGES_SEC)
		return;
	if (!store_is_open(st) || (cur = store_cursor_open(st, STORE_DB_REPORT)) == NULL)
		return;
	buf_init(&k, 4096);
	buf_init(&v, 4096);
	store_cursor_seek(cur, "sent\t", 5);
	while (store_cursor_next(cur, &k, &v) == 0) {
		if (k.len < 5 || memcmp(k.data, "sent\t", 5) != 0)
			break;
		state_parse(v.data ? v.data : "", &dv);
		if ((unsigned)dv.state < 4)
			n[dv.state]++;
		if (dv.last > last)
			last = dv.last;
	}
	store_cursor_close(cur);
	buf_fini(&k);
	buf_fini(&v);
	incoming_gauges(h, now);
	memcpy(h->deliveries, n, sizeof(n));
	h->last_attempt = last;
	h->gauges_at = now;
	h->have_gauges = 1;
}

struct metrics_sink {
	struct buf *out;
	int bad;
};

static void
incoming_sample(const char *key, void *value, void *arg)
{
	struct metrics_sink *k = arg;
	const char *tab = strchr(key, '\t');
	char org[RPT_TEXT_MAX];
	const char *l[4];
	size_t n;

	if (tab == NULL || k->bad)
		return;
	n = (size_t)(tab - key) < sizeof(org) ? (size_t)(tab - key) : sizeof(org) - 1;
	memcpy(org, key, n);
	org[n] = '\0';
	l[0] = "organization";
	l[1] = org;
	l[2] = "result";
	l[3] = tab + 1;
	if (metrics_write_sample(k->out, "tlspolicyd_incoming_sessions", l, 2, (double)*(uint64_t *)value) < 0)
		k->bad = 1;
}

#define FAMILY(name, type, help) \
	do { if (metrics_write_family(out, (name), (type), (help)) < 0) return -1; } while (0)
#define SAMPLE(name, labels, n, v) \
	do { if (metrics_write_sample(out, (name), (labels), (n), (double)(v)) < 0) return -1; } while (0)

int
http_metrics(struct daemon *d, struct buf *out)
{
	static const char *const modes[3] = { "none", "testing", "enforce" };
	static const char *const states[4] = { "new", "sent", "pending", "gaveup" };
	const char *l[2] = { NULL, NULL };
	struct ingest_stats is;
	const char *path;
	unsigned long by_mode[3] = { 0, 0, 0 }, without = 0;

	if (metrics_write(out, &metrics) < 0)
		return -1;
	FAMILY("tlspolicyd_build_info", "gauge", "Always 1; the version in a label.");
	l[0] = "version";
	l[1] = PACKAGE_VERSION;
	SAMPLE("tlspolicyd_build_info", l, 1, 1);
	FAMILY("process_start_time_seconds", "gauge", "Start time of the process since the epoch.");
	SAMPLE("process_start_time_seconds", l, 0, d->started);
	FAMILY("tlspolicyd_sts_policies", "gauge", "MTA-STS policies cached, by mode.");
	if (d->mtasts)
		mtasts_count(d->mtasts, by_mode, &without);
	l[0] = "mode";
	for (int i = 2; i >= 0; i--) {
		l[1] = modes[i];
		SAMPLE("tlspolicyd_sts_policies", l, 1, by_mode[i]);
	}
	FAMILY("tlspolicyd_sts_domains_without_policy", "gauge",
	    "Domains in the MTA-STS cache without a policy (none published, or not fetched yet).");
	SAMPLE("tlspolicyd_sts_domains_without_policy", l, 0, without);
	FAMILY("tlspolicyd_log_lines_total", "counter", "Log lines read, by log file.");
	l[0] = "source";
	for (size_t i = 0; logsources_get(d->logs, i, &path, &is) == 0; i++) {
		l[1] = path;
		SAMPLE("tlspolicyd_log_lines_total", l, 1, is.lines);
	}
	FAMILY("tlspolicyd_log_lines_skipped_total", "counter",
	    "Log lines read and not used (other programs, garbage, too long), by log file.");
	for (size_t i = 0; logsources_get(d->logs, i, &path, &is) == 0; i++) {
		l[1] = path;
		SAMPLE("tlspolicyd_log_lines_skipped_total", l, 1, is.skipped);
	}
	FAMILY("tlspolicyd_log_gaps_total", "counter",
	    "Times lines of a followed log were lost (its rotated file not found, truncated "
	    "without a copy), by log file.");
	for (size_t i = 0; logsources_get(d->logs, i, &path, &is) == 0; i++) {
		l[1] = path;
		SAMPLE("tlspolicyd_log_gaps_total", l, 1, logsources_gaps(d->logs, i));
	}
	FAMILY("tlspolicyd_connections", "gauge", "Client connections open, by service.");
	l[0] = "service";
	l[1] = "socketmap";
	SAMPLE("tlspolicyd_connections", l, 1, d->sockmap ? server_connections(d->sockmap) : 0);
	l[1] = "exim";
	SAMPLE("tlspolicyd_connections", l, 1, d->exim ? server_connections(d->exim) : 0);
	l[1] = "http";
	SAMPLE("tlspolicyd_connections", l, 1, http_connections(d->http));
	FAMILY("tlspolicyd_store_open", "gauge",
	    "1 while the daemon holds the store open, 0 while it is lent or failed.");
	SAMPLE("tlspolicyd_store_open", l, 0, store_is_open(d->store) ? 1 : 0);
	FAMILY("tlspolicyd_store_size_bytes", "gauge",
	    "Bytes of the files in the state directory (databases and their logs).");
	SAMPLE("tlspolicyd_store_size_bytes", l, 0, dir_size(d->cfg.state_directory));
	if (d->http)
		store_gauges(d->http);
	FAMILY("tlspolicyd_report_deliveries", "gauge",
	    "TLSRPT report deliveries of the retained days, by state (sent; pending: failed, "
	    "retrying; gaveup: failed for good).");
	l[0] = "state";
	for (int i = 1; i < 4; i++) {
		l[1] = states[i];
		SAMPLE("tlspolicyd_report_deliveries", l, 1, d->http ? d->http->deliveries[i] : 0);
	}
	FAMILY("tlspolicyd_report_last_attempt_timestamp_seconds", "gauge",
	    "Time of the last report delivery attempt since the epoch (0: none).");
	SAMPLE("tlspolicyd_report_last_attempt_timestamp_seconds", l, 0,
	    d->http ? d->http->last_attempt : 0);
	FAMILY("tlspolicyd_incoming_sessions", "gauge",
	    "Sessions in the TLSRPT reports received about our domains whose date-range starts "
	    "today or on the two days before, by reporting organization and result (success or "
	    "the RFC 8460 result type).");
	if (d->http && d->http->incoming) {
		struct metrics_sink k = { out, 0 };

		strmap_foreach(d->http->incoming, incoming_sample, &k);
		if (k.bad)
			return -1;
	}
	return 0;
}
