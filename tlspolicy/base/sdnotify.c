/*
 * sdnotify - the sd_notify datagram protocol; see sdnotify.h.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

int
sdnotify(const char *state, char *err, size_t errlen)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t namelen, statelen = strlen(state);
	socklen_t alen;
	ssize_t n;
	int fd, saved;

	if (name == NULL || name[0] == '\0')
		return 0;
	namelen = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || namelen < 2
	    || namelen >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "NOTIFY_SOCKET: not a unix socket name: %.120s", name);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, namelen);
	if (name[0] == '@') {
		/* abstract: the address is exactly the bytes given, no NUL */
		sun.sun_path[0] = '\0';
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + namelen);
	} else {
		alen = (socklen_t)sizeof(sun);
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "NOTIFY_SOCKET: socket: %s", strerror(errno));
		return -1;
	}
	n = sendto(fd, state, statelen, MSG_NOSIGNAL, (struct sockaddr *)&sun, alen);
	saved = errno;
	close(fd);
	if (n < 0 || (size_t)n != statelen) {
		snprintf(err, errlen, "NOTIFY_SOCKET %.120s: send: %s", name,
		    n < 0 ? strerror(saved) : "short write");
		return -1;
	}
	return 0;
}
