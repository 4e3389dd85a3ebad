/*
 * listen - listening sockets, see listen.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "endpoint.h"
#include "listen.h"

#define LISTEN_BACKLOG 512

/* make_parent - create the socket's directory (one level) if missing */
static int
make_parent(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0)
		return 0;
	if (errno != ENOENT || mkdir(dir, 0755) < 0) {
		snprintf(err, errlen, "create directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (uid != (uid_t)-1 && chown(dir, uid, gid) < 0) {
		snprintf(err, errlen, "chown %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* remove_stale - unlink path if it is a socket nobody answers on */
static int
remove_stale(const struct endpoint *ep, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)&ep->addr, ep->addrlen);
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "%s is in use: is another tlspolicyd running?", path);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "remove stale %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
listen_open(const struct endpoint *ep, unsigned mode, gid_t gid, uid_t dir_uid,
    gid_t dir_gid, char *err, size_t errlen)
{
	const char *path = endpoint_path(ep);
	int fd, one = 1;
	mode_t old;

	if (path && (make_parent(path, dir_uid, dir_gid, err, errlen) < 0
	    || remove_stale(ep, path, err, errlen) < 0))
		return -1;
	if ((fd = socket(ep->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (!path)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	old = umask(0777);
	if (bind(fd, (const struct sockaddr *)&ep->addr, ep->addrlen) < 0) {
		umask(old);
		snprintf(err, errlen, "bind %s: %s", ep->text, strerror(errno));
		goto fail;
	}
	umask(old);
	if (path && ((gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0)
	    || chmod(path, (mode_t)mode) < 0)) {
		snprintf(err, errlen, "set owner/mode of %s: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(err, errlen, "listen %s: %s", ep->text, strerror(errno));
		if (path)
			unlink(path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}
