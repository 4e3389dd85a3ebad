/*
 * control - the administrative protocol spoken by tlspolicyctl over the
 * control socket: one netstring command, one netstring reply.
 *
 *   query DOMAIN [MAPNAME]  -> the answer Postfix would get, and why
 *   flush DOMAIN [dane|mta-sts] -> forget the domain's cached DANE
 *                              result and MTA-STS policy, or the one named
 *   list                    -> one line per cached MTA-STS policy
 *   status                  -> counters and uptime
 *   reload                  -> re-read the local policy table
 *   lend PID                -> close the store so that process PID (a
 *                              tlspolicyctl or tlspolicy-report) can open
 *                              it; taken back when free (storeown.h)
 *
 * Replies start with "OK " followed by "name: value" lines (list: its
 * lines), or "ERR reason".
 */
#ifndef TLSPOLICYD_CONTROL_H
#define TLSPOLICYD_CONTROL_H

#include <stddef.h>

struct buf;

#define CONTROL_REQUEST_MAX 1024
#define CONTROL_REPLY_MAX 65536

struct server_req;

/* control_handle - server_handler for control requests; arg is the daemon */
enum server_result control_handle(void *arg, const char *req, size_t len, struct buf *reply,
    const char *peer, struct server_req *sr);

#endif
