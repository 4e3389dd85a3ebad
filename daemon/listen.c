/*
 * listen - listening sockets, see listen.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "endpoint.h"
#include "listen.h"
#include "log.h"

#define LISTEN_BACKLOG 512

/* make_parent - create the socket's directory (one level) if missing,
 * handing it to the run-as user through its descriptor */
static int
make_parent(const char *path, const struct listen_owner *own, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat st;
	int dfd;

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
	if (own == NULL || own->uid == (uid_t)-1)
		return 0;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0
	    || fchown(dfd, own->uid, own->gid) < 0) {
		snprintf(err, errlen, "give directory %s to uid %ld: %s", dir, (long)own->uid,
		    strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

/* remove_stale - unlink path if it is a socket nobody answers on; errno
 * tells why on failure */
static int
remove_stale(const struct endpoint *ep, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc, e;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		errno = EEXIST;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)&ep->addr, ep->addrlen);
	e = errno;
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "%s is in use: is another tlspolicyd running?", path);
		errno = EADDRINUSE;
		return -1;
	}
	if (e == EACCES) {
		snprintf(err, errlen, "connect %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		e = errno;
		snprintf(err, errlen, "remove stale %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

/* bind_as - remove a stale socket and bind, with uid and gid as the
 * effective (file-system) identity where not (id_t)-1 and the mode given
 * by the umask; errno tells why on failure */
static int
bind_as(int fd, const struct endpoint *ep, const char *path, unsigned mode, uid_t uid,
    gid_t gid, char *err, size_t errlen)
{
	uid_t euid = geteuid();
	gid_t egid = getegid();
	mode_t old;
	int rc = -1, e;

	if (gid != (gid_t)-1 && gid != egid && setegid(gid) < 0) {
		e = errno;
		snprintf(err, errlen, "setegid %ld: %s", (long)gid, strerror(e));
		errno = e;
		return -1;
	}
	if (uid != (uid_t)-1 && uid != euid && seteuid(uid) < 0) {
		e = errno;
		snprintf(err, errlen, "seteuid %ld: %s", (long)uid, strerror(e));
		goto restore;
	}
	old = umask(~(mode_t)mode & 0777);
	if (remove_stale(ep, path, err, errlen) == 0) {
		if ((rc = bind(fd, (const struct sockaddr *)&ep->addr, ep->addrlen)) < 0)
			snprintf(err, errlen, "bind %s: %s", ep->text, strerror(errno));
	}
	e = errno;
	umask(old);
restore:
	/* going back to root cannot fail while the saved uid is root;
	 * continuing as the wrong identity would be worse than stopping */
	if ((geteuid() != euid && seteuid(euid) < 0) || (getegid() != egid && setegid(egid) < 0))
		log_fatal("restore effective identity");
	errno = e;
	return rc;
}

/* bind_path - bind a unix socket: as the run-as user when there is one,
 * as the caller when that user may not write the directory */
static int
bind_path(int fd, const struct endpoint *ep, const char *path, unsigned mode, gid_t group,
    const struct listen_owner *own, char *err, size_t errlen)
{
	int root = geteuid() == 0;

	if (group == (gid_t)-1 && own && own->uid != (uid_t)-1)
		group = own->gid;
	if (!root) {
		/* no privilege to abuse: a group by path is harmless */
		if (bind_as(fd, ep, path, mode, (uid_t)-1, (gid_t)-1, err, errlen) < 0)
			return -1;
		if (group != (gid_t)-1 && fchownat(AT_FDCWD, path, (uid_t)-1, group,
		    AT_SYMLINK_NOFOLLOW) < 0) {
			snprintf(err, errlen, "set group of %s: %s", path, strerror(errno));
			unlink(path);
			return -1;
		}
		return 0;
	}
	if (own && own->uid != (uid_t)-1) {
		if (bind_as(fd, ep, path, mode, own->uid, group, err, errlen) == 0)
			return 0;
		if (errno != EACCES && errno != EPERM)
			return -1;
		log_info("%s: the run-as user may not write that directory; "
		    "binding as root (the socket is owned by root)", path);
	}
	return bind_as(fd, ep, path, mode, (uid_t)-1, group, err, errlen);
}

int
listen_open(const struct endpoint *ep, unsigned mode, gid_t group,
    const struct listen_owner *own, char *err, size_t errlen)
{
	const char *path = endpoint_path(ep);
	int fd, one = 1;

	if (path && make_parent(path, own, err, errlen) < 0)
		return -1;
	if ((fd = socket(ep->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (path) {
		if (bind_path(fd, ep, path, mode, group, own, err, errlen) < 0)
			goto fail;
	} else {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (const struct sockaddr *)&ep->addr, ep->addrlen) < 0) {
			snprintf(err, errlen, "bind %s: %s", ep->text, strerror(errno));
			goto fail;
		}
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
