/*
 * sdnotify - tell the service manager about the daemon's state (the
 * sd_notify protocol, without libsystemd): one datagram of "KEY=VALUE"
 * lines to the unix socket named by $NOTIFY_SOCKET.
 *
 * Without NOTIFY_SOCKET (not started by systemd, or Type= is not notify)
 * nothing is sent and the call succeeds.  A name starting with '@' is an
 * abstract socket (the '@' stands for the leading NUL byte).  The socket
 * is opened for each message and closed again: a daemon tells its state a
 * few times in its life, and no descriptor is kept across a fork or an
 * exec.
 */
#ifndef TLSPOLICY_SDNOTIFY_H
#define TLSPOLICY_SDNOTIFY_H

#include <stddef.h>

/*
 * sdnotify - send state (e.g. "READY=1") to $NOTIFY_SOCKET.  0 when sent
 * or when there is no NOTIFY_SOCKET; -1 with a reason in err when the
 * name is not usable or the datagram could not be sent.
 */
int sdnotify(const char *state, char *err, size_t errlen);

#endif
