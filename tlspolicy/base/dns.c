/*
 * dns - c-ares on the event loop, see dns.h.
 */
#include "config.h"

#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "buf.h"
#include "dns.h"
#include "dnswire.h"
#include "evloop.h"
#include "metrics.h"
#include "xalloc.h"

struct dns {
	struct evloop *loop;
	ares_channel channel;
	struct evloop_timer *timer;
	unsigned pending;
	uint16_t next_id;
};

struct dns_req {
	struct dns *dns;
	dns_cb *cb;
	void *arg;
};

static void dns_schedule(struct dns *dns);

/* on_io - a c-ares socket is ready */
static void
on_io(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct dns *dns = arg;

	(void)loop;
	ares_process_fd(dns->channel,
	    (events & (EVLOOP_READ | EVLOOP_ERROR)) ? fd : ARES_SOCKET_BAD,
	    (events & EVLOOP_WRITE) ? fd : ARES_SOCKET_BAD);
	dns_schedule(dns);
}

/* on_sock_state - c-ares opens, closes or changes interest in a socket */
static void
on_sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct dns *dns = arg;

	if (!readable && !writable)
		evloop_unwatch(dns->loop, fd);
	else
		evloop_watch(dns->loop, fd, (readable ? EVLOOP_READ : 0u)
		    | (writable ? EVLOOP_WRITE : 0u), on_io, dns);
}

static void
on_timer(struct evloop *loop, void *arg)
{
	struct dns *dns = arg;

	(void)loop;
	dns->timer = NULL;
	ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_schedule(dns);
}

/* dns_schedule - one loop timer for c-ares's next timeout */
static void
dns_schedule(struct dns *dns)
{
	struct timeval max = { 3600, 0 }, tv, *t;

	if (dns->timer) {
		evloop_timer_cancel(dns->loop, dns->timer);
		dns->timer = NULL;
	}
	if (dns->pending == 0)
		return;
	t = ares_timeout(dns->channel, &max, &tv);
	dns->timer = evloop_timer_add(dns->loop,
	    (int64_t)t->tv_sec * 1000 + t->tv_usec / 1000 + 1, on_timer, dns);
}

/* servers_csv - "IP[:PORT]" words to c-ares's comma-separated form */
static int
servers_csv(char *const *servers, size_t n, struct buf *out, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (out->len && buf_append(out, ",", 1) < 0)
			goto toolong;
		if (buf_append(out, servers[i], strlen(servers[i])) < 0)
			goto toolong;
	}
	return 0;
toolong:
	snprintf(err, errlen, "dns_resolver: list too long");
	return -1;
}

struct dns *
dns_new(struct evloop *loop, char *const *servers, size_t nservers, unsigned timeout_ms,
    unsigned tries, char *err, size_t errlen)
{
	struct dns *dns = xcalloc(1, sizeof(*dns));
	struct ares_options opt;
	struct buf csv;
	int rc;

	memset(&opt, 0, sizeof(opt));
	opt.flags = ARES_FLAG_NOCHECKRESP;   /* SERVFAIL is an answer to us */
	opt.timeout = (int)timeout_ms;
	opt.tries = (int)tries;
	opt.sock_state_cb = on_sock_state;
	opt.sock_state_cb_data = dns;
	dns->loop = loop;
	dns->next_id = (uint16_t)arc4random();
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS
	    || (rc = ares_init_options(&dns->channel, &opt, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS
	    | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		free(dns);
		return NULL;
	}
	buf_init(&csv, 4096);
	if (nservers > 0) {
		if (servers_csv(servers, nservers, &csv, err, errlen) < 0)
			goto fail;
		if ((rc = ares_set_servers_ports_csv(dns->channel, csv.data)) != ARES_SUCCESS) {
			snprintf(err, errlen, "dns_resolver: %s: \"%.200s\"", ares_strerror(rc), csv.data);
			goto fail;
		}
	}
	buf_fini(&csv);
	return dns;
fail:
	buf_fini(&csv);
	ares_destroy(dns->channel);
	free(dns);
	return NULL;
}

void
dns_free(struct dns *dns)
{
	if (dns == NULL)
		return;
	ares_destroy(dns->channel);   /* runs callbacks with ARES_EDESTRUCTION */
	if (dns->timer)
		evloop_timer_cancel(dns->loop, dns->timer);
	free(dns);
}

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_req *req = arg;
	struct dns *dns = req->dns;
	struct dns_msg *msg = NULL;
	const char *why = NULL;
	enum dns_status st = DNS_FAILED;

	(void)timeouts;
	dns->pending--;
	if (status == ARES_ETIMEOUT) {
		st = DNS_TIMEOUT;
		why = "DNS timeout";
		metrics_dns_failure(METRICS_DNS_TIMEOUT);
	} else if (status != ARES_SUCCESS || abuf == NULL) {
		why = ares_strerror(status);
		if (status != ARES_EDESTRUCTION)
			metrics_dns_failure(METRICS_DNS_ERROR);
	} else {
		msg = xmalloc(sizeof(*msg));
		if (dnswire_parse(abuf, (size_t)alen, msg, &why) == 0) {
			st = DNS_OK;
			metrics_dns_answer(msg->ad);
		} else
			metrics_dns_failure(METRICS_DNS_ERROR);
	}
	req->cb(req->arg, st, st == DNS_OK ? msg : NULL, why);
	free(msg);
	free(req);
}

void
dns_query(struct dns *dns, const char *name, uint16_t type, dns_cb *cb, void *arg)
{
	uint8_t q[512];
	int n = dnswire_query(name, type, dns->next_id++, q, sizeof(q));
	struct dns_req *req;

	if (n < 0) {
		cb(arg, DNS_FAILED, NULL, "invalid query name");
		return;
	}
	metrics_dns_query(type);
	req = xmalloc(sizeof(*req));
	req->dns = dns;
	req->cb = cb;
	req->arg = arg;
	dns->pending++;
	ares_send(dns->channel, q, n, on_answer, req);
	dns_schedule(dns);
}

unsigned
dns_pending(const struct dns *dns)
{
	return dns->pending;
}
