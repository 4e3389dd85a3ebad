/*
 * exim - the policy service for Exim's ${readsocket} on top of server.h
 * (line framing, one request per connection): request "policy DOMAIN",
 * answer one eximanswer.h line decided by the same engine as socketmap
 * lookups (lookup.h).
 */
#ifndef TLSPOLICYD_EXIM_H
#define TLSPOLICYD_EXIM_H

#include <stddef.h>

#include "eximanswer.h"

struct buf;
struct server_req;

#define EXIM_REQUEST_MAX EXIMANSWER_REQUEST_MAX
#define EXIM_REPLY_MAX EXIMANSWER_REPLY_MAX
/* the answer to a request longer than EXIM_REQUEST_MAX */
#define EXIM_TOO_LARGE "mode=error reason=\"request too long\""

/* exim_handle - server_handler for Exim requests; arg is the daemon */
enum server_result exim_handle(void *arg, const char *req, size_t len, struct buf *reply,
    const char *peer, struct server_req *sr);

#endif
