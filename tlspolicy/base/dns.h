/*
 * dns - asynchronous DNS queries through c-ares, driven by evloop.
 *
 * Queries go to the configured resolvers only (dns_resolver; by default
 * the nameservers of /etc/resolv.conf) with EDNS0 and the DO and AD bits
 * set, and answers are parsed by dnswire.  The AD bit of an answer is
 * trusted because the resolvers are required to be local validating
 * resolvers; the documentation says so.  Nothing here blocks: c-ares's
 * sockets are watched by the event loop, its timeouts are loop timers.
 */
#ifndef TLSPOLICY_DNS_H
#define TLSPOLICY_DNS_H

#include <stddef.h>
#include <stdint.h>

struct evloop;
struct dns;
struct dns_msg;

enum dns_status {
	DNS_OK,         /* an answer (any rcode) was parsed: see msg->rcode */
	DNS_TIMEOUT,    /* no resolver answered in time */
	DNS_FAILED,     /* network error, malformed answer, or shut down */
};

/* callback: msg is valid only during the call and NULL unless DNS_OK */
typedef void dns_cb(void *arg, enum dns_status status, const struct dns_msg *msg,
    const char *why);

/*
 * dns_new - a resolver client on loop.  servers[0..nservers) are
 * "IP[:PORT]" ("[v6]:port" for IPv6; read during the call only), none for
 * /etc/resolv.conf.  timeout_ms per try, tries in all.  NULL with a reason
 * in err.  loop is kept and must outlive the client.
 */
struct dns *dns_new(struct evloop *loop, char *const *servers, size_t nservers,
    unsigned timeout_ms, unsigned tries, char *err, size_t errlen);
/* dns_free - cancel outstanding queries (their callbacks run with
 * DNS_FAILED) and free */
void dns_free(struct dns *dns);
/* dns_query - ask for name/type; cb runs exactly once: later from the
 * loop, or at once on an immediate failure (invalid name, no resolver).
 * name is read at once; arg is kept until cb has run */
void dns_query(struct dns *dns, const char *name, uint16_t type, dns_cb *cb, void *arg);
/* dns_pending - queries in flight */
unsigned dns_pending(const struct dns *dns);

#endif
