/*
 * listen - create listening sockets for configured endpoints.
 *
 * Runs as root, before privileges are dropped.  A unix socket is bound
 * under umask 0777 (so it never exists with looser permissions), then
 * given its mode and group; a stale socket file is removed only when
 * nothing answers on it, so a second daemon refuses to start instead of
 * stealing the first one's socket.  The socket's directory is created if
 * missing, owned by the run-as user so the daemon can remove its sockets
 * at exit.
 */
#ifndef TLSPOLICYD_LISTEN_H
#define TLSPOLICYD_LISTEN_H

#include <sys/types.h>

struct endpoint;

/*
 * listen_open - bind and listen on ep.  For unix sockets: mode, and gid
 * (or (gid_t)-1 to leave it); dir_uid/dir_gid own a created directory.
 * Returns the fd, or -1 with a reason in err.
 */
int listen_open(const struct endpoint *ep, unsigned mode, gid_t gid, uid_t dir_uid,
    gid_t dir_gid, char *err, size_t errlen);

#endif
