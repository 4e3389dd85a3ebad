/*
 * ctlclient - one request to the control socket, see ctlclient.h.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "ctlclient.h"
#include "endpoint.h"
#include "evloop.h"
#include "netstring.h"

/* denied - why a unix socket refused us: its (or its directory's) owner,
 * group and mode, and who may connect */
static void
denied(const struct endpoint *ep, char *why, size_t whylen)
{
	const char *path = endpoint_path(ep), *what = "socket";
	char dir[sizeof(ep->text)], *slash;
	struct passwd *pw;
	struct group *gr;
	struct stat st;

	if (path == NULL || stat(path, &st) < 0) {
		snprintf(dir, sizeof(dir), "%s", path ? path : "");
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir)
			*slash = '\0';
		what = "directory";
		path = dir;
		if (stat(dir, &st) < 0) {
			snprintf(why, whylen, "connect to %s: permission denied", ep->text);
			return;
		}
	}
	pw = getpwuid(st.st_uid);
	gr = getgrgid(st.st_gid);
	snprintf(why, whylen, "connect to %s: permission denied by the %s %s (owner %s, group %s, "
	    "mode %04o): run this as root or as %s%s%s%s", ep->text, what, path,
	    pw ? pw->pw_name : "?", gr ? gr->gr_name : "?", (unsigned)(st.st_mode & 07777),
	    pw ? pw->pw_name : "its owner",
	    (st.st_mode & 0060) != 0 && gr ? ", or join the group " : "",
	    (st.st_mode & 0060) != 0 && gr ? gr->gr_name : "",
	    (st.st_mode & 0060) != 0 && gr ? " (adduser USER GROUP, then log in again)" : "");
}

int
ctlclient_call(const struct endpoint *ep, const char *cmd, size_t reply_max, int timeout_ms,
    struct buf *out, char *why, size_t whylen)
{
	struct buf in, req;
	const char *payload;
	size_t plen, used;
	int64_t deadline = evloop_clock_ms() + timeout_ms;
	int fd = -1, rc = -1;

	buf_init(&in, reply_max + NETSTRING_FRAMING_MAX);
	buf_init(&req, strlen(cmd) + NETSTRING_FRAMING_MAX);
	if ((fd = socket(ep->family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0
	    || connect(fd, (const struct sockaddr *)&ep->addr, ep->addrlen) < 0) {
		if (errno == EACCES || errno == EPERM)
			denied(ep, why, whylen);
		else
			snprintf(why, whylen, "connect to %s: %s (is tlspolicyd running?)", ep->text,
			    strerror(errno));
		goto done;
	}
	if (netstring_encode(&req, cmd, strlen(cmd)) < 0) {
		snprintf(why, whylen, "command too long");
		goto done;
	}
	for (size_t off = 0; off < req.len;) {
		ssize_t n = send(fd, req.data + off, req.len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "send to %s: %s", ep->text, strerror(errno));
			goto done;
		}
		off += (size_t)n;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - evloop_clock_ms();
		size_t room;
		ssize_t n;

		switch (netstring_decode(in.data ? in.data : "", in.len, reply_max, &payload, &plen,
		    &used)) {
		case NETSTRING_OK:
			if (buf_append(out, payload, plen) < 0) {
				snprintf(why, whylen, "reply too long");
				goto done;
			}
			rc = 0;
			goto done;
		case NETSTRING_MORE:
			break;
		default:
			snprintf(why, whylen, "malformed reply from the daemon");
			goto done;
		}
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			snprintf(why, whylen, "no reply from the daemon");
			goto done;
		}
		room = buf_space(&in, 4096);
		if (room == 0 || (n = recv(fd, in.data + in.len, room, 0)) <= 0) {
			snprintf(why, whylen, "connection closed by the daemon");
			goto done;
		}
		in.len += (size_t)n;
	}
done:
	if (fd >= 0)
		close(fd);
	buf_fini(&in);
	buf_fini(&req);
	return rc;
}
