/*
 * listen - create listening sockets for configured endpoints.
 *
 * Runs as root, before privileges are dropped, but nothing here acts as
 * root on a path that another user could change under it.  A unix socket
 * is created with its final owner, group and mode at bind time: the path
 * operations (removing a stale socket, bind) run under the run-as user's
 * file-system identity with the socket's group as effective group and a
 * umask that leaves exactly the configured mode, so no chown or chmod by
 * path ever follows.  A symbolic link swapped in for the socket, in a
 * directory the run-as user may write, is never followed by a privileged
 * call (bind, unlink and lstat do not follow a final link).
 *
 * When the run-as user may not write the socket's directory (one the
 * administrator made root's or the postfix user's), the socket is bound by
 * root instead, still with group and mode given at bind time, and is then
 * owned by root.  A missing directory is created (mode 0755) and handed to
 * the run-as user through its descriptor, so the daemon can remove its
 * sockets at exit.  A stale socket file is removed only when nothing
 * answers on it, so a second daemon refuses to start instead of stealing
 * the first one's socket.
 */
#ifndef TLSPOLICYD_LISTEN_H
#define TLSPOLICYD_LISTEN_H

#include <sys/types.h>

struct endpoint;

/* the identity unix sockets and their directories are created for */
struct listen_owner {
	uid_t uid;                /* run-as user, or (uid_t)-1 for the caller */
	gid_t gid;                /* its primary group */
};

/*
 * listen_open - bind and listen on ep.  For unix sockets: mode, group
 * (or (gid_t)-1 for own's primary group, or the caller's), and own (NULL
 * when there is no run-as user).  Returns the fd, the caller's to close or
 * hand on, or -1 with a reason in err.  Nothing passed in is kept.
 */
int listen_open(const struct endpoint *ep, unsigned mode, gid_t group,
    const struct listen_owner *own, char *err, size_t errlen);

#endif
