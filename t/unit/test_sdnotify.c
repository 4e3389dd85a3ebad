/* Unit tests for tlspolicy/base/sdnotify: the datagram reaches a socket
 * named by a path and an abstract one; no NOTIFY_SOCKET sends nothing;
 * unusable names are refused. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"
#include "tap.h"

/* listener - a datagram socket bound to name ('@': abstract) */
static int
listener(const char *name)
{
	struct sockaddr_un sun;
	size_t len = strlen(name);
	socklen_t alen = (socklen_t)sizeof(sun);
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@') {
		sun.sun_path[0] = '\0';
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0)) < 0
	    || bind(fd, (struct sockaddr *)&sun, alen) < 0) {
		perror(name);
		exit(1);
	}
	return fd;
}

/* received - the datagram waiting on fd, or "" */
static const char *
received(int fd)
{
	static char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int
main(void)
{
	const char *dir = tap_tmpdir();
	char path[200], abstract[64], err[256];
	int fd;

	unsetenv("NOTIFY_SOCKET");
	is_int(sdnotify("READY=1", err, sizeof(err)), 0, "no NOTIFY_SOCKET: nothing to do");

	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	is_int(sdnotify("READY=1", err, sizeof(err)), 0, "sent to a path");
	is_str(received(fd), "READY=1", "the path's socket got READY=1");
	is_int(sdnotify("STOPPING=1", err, sizeof(err)), 0, "sent again");
	is_str(received(fd), "STOPPING=1", "then STOPPING=1");
	close(fd);

	snprintf(abstract, sizeof(abstract), "@tlspolicyd-test-notify-%ld", (long)getpid());
	fd = listener(abstract);
	setenv("NOTIFY_SOCKET", abstract, 1);
	is_int(sdnotify("READY=1", err, sizeof(err)), 0, "sent to an abstract name");
	is_str(received(fd), "READY=1", "the abstract socket got READY=1");
	close(fd);

	/* nobody listening any more: the send fails and says where */
	is_int(sdnotify("READY=1", err, sizeof(err)), -1, "no listener: an error");
	ok(strstr(err, abstract) != NULL, "the error names the socket: %s", err);

	setenv("NOTIFY_SOCKET", "relative/notify", 1);
	is_int(sdnotify("READY=1", err, sizeof(err)), -1, "a relative name is refused");
	setenv("NOTIFY_SOCKET", "@", 1);
	is_int(sdnotify("READY=1", err, sizeof(err)), -1, "an empty abstract name is refused");
	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	setenv("NOTIFY_SOCKET", path, 1);
	is_int(sdnotify("READY=1", err, sizeof(err)), -1, "a name too long for sun_path is refused");
	return tap_done();
}
