/*
 * endpoint - "unix:/path" and "inet:host:port" socket addresses, as
 * Postfix writes them.
 *
 * inet hosts are numeric (IPv4, or IPv6 in brackets) or "localhost"; names
 * are not resolved, so a listener can never depend on DNS.
 */
#ifndef TLSPOLICY_ENDPOINT_H
#define TLSPOLICY_ENDPOINT_H

#include <stddef.h>
#include <sys/socket.h>

struct endpoint {
	int family;                     /* AF_UNIX, AF_INET, AF_INET6 */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char text[160];                 /* as configured, for logs */
};

/* endpoint_parse - parse s; -1 with a static reason in *why */
int endpoint_parse(const char *s, struct endpoint *ep, const char **why);

/* endpoint_path - the socket path of an AF_UNIX endpoint (inside ep),
 * else NULL */
const char *endpoint_path(const struct endpoint *ep);

#endif
