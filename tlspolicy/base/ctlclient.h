/*
 * ctlclient - one request to tlspolicyd's control socket: the command as
 * one netstring, the reply as one netstring (control.h in daemon/ has
 * the protocol).  Used by tlspolicyctl and by the clients that borrow the
 * store (storelend).
 */
#ifndef TLSPOLICY_CTLCLIENT_H
#define TLSPOLICY_CTLCLIENT_H

#include <stddef.h>

struct buf;
struct endpoint;

/* ctlclient_call - send cmd to ep (borrowed for the call) and append the
 * reply's payload, at most reply_max bytes, to out; waits at most
 * timeout_ms in all for the reply.  0, or -1 with the reason in why. */
int ctlclient_call(const struct endpoint *ep, const char *cmd, size_t reply_max,
    int timeout_ms, struct buf *out, char *why, size_t whylen);

#endif
