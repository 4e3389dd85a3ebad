/*
 * endpoint - socket address parsing, see endpoint.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "endpoint.h"
#include "numparse.h"

int
endpoint_parse(const char *s, struct endpoint *ep, const char **why)
{
	size_t len = strlen(s);

	memset(ep, 0, sizeof(*ep));
	if (len >= sizeof(ep->text)) {
		*why = "address too long";
		return -1;
	}
	memcpy(ep->text, s, len + 1);
	if (strncmp(s, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ep->addr;
		const char *path = s + 5;
		size_t plen = len - 5;

		if (path[0] != '/') {
			*why = "unix socket path must be absolute";
			return -1;
		}
		if (plen >= sizeof(sun->sun_path)) {
			*why = "unix socket path too long";
			return -1;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, path, plen + 1);
		ep->family = AF_UNIX;
		ep->addrlen = (socklen_t)sizeof(*sun);
		return 0;
	}
	if (strncmp(s, "inet:", 5) == 0) {
		const char *host = s + 5, *colon = strrchr(host, ':');
		char h[INET6_ADDRSTRLEN + 2];
		size_t hlen;
		uint64_t port;

		if (colon == NULL || numparse_uint(colon + 1, strlen(colon + 1), 65535, &port) < 0
		    || port == 0) {
			*why = "expected inet:host:port with a port from 1 to 65535";
			return -1;
		}
		hlen = (size_t)(colon - host);
		if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
			host++;
			hlen -= 2;
		}
		if (hlen == 0 || hlen >= sizeof(h)) {
			*why = "bad host in inet address";
			return -1;
		}
		memcpy(h, host, hlen);
		h[hlen] = '\0';
		if (strcmp(h, "localhost") == 0)
			memcpy(h, "127.0.0.1", sizeof("127.0.0.1"));
		struct sockaddr_in *sin = (struct sockaddr_in *)&ep->addr;
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ep->addr;
		if (inet_pton(AF_INET, h, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)port);
			ep->family = AF_INET;
			ep->addrlen = (socklen_t)sizeof(*sin);
			return 0;
		}
		if (inet_pton(AF_INET6, h, &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)port);
			ep->family = AF_INET6;
			ep->addrlen = (socklen_t)sizeof(*sin6);
			return 0;
		}
		*why = "inet host must be a numeric IPv4/IPv6 address or localhost";
		return -1;
	}
	*why = "address must start with unix: or inet:";
	return -1;
}

const char *
endpoint_path(const struct endpoint *ep)
{
	return ep->family == AF_UNIX ? ((const struct sockaddr_un *)&ep->addr)->sun_path : NULL;
}
