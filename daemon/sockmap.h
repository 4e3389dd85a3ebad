/*
 * sockmap - the Postfix socketmap protocol on top of server.h: requests
 * "NAME KEY", replies "OK data", "NOTFOUND ", "TEMP reason", "PERM reason".
 */
#ifndef TLSPOLICYD_SOCKMAP_H
#define TLSPOLICYD_SOCKMAP_H

#include <stddef.h>

struct buf;

/* Postfix 3.12 refuses keys over 10000 bytes; leave room for the name. */
#define SOCKMAP_REQUEST_MAX 10100
/* Postfix's reply limit (dict_sockmap.c), as ANSWER_POSTFIX_MAX. */
#define SOCKMAP_REPLY_MAX 100000

struct server_req;

/* sockmap_handle - server_handler for socketmap requests; arg is the daemon */
enum server_result sockmap_handle(void *arg, const char *req, size_t len, struct buf *reply,
    const char *peer, struct server_req *sr);

#endif
