/*
 * lookup - run a policy lookup for a client, waiting when the answer is
 * being resolved for the first time.
 *
 * A cold domain (MTA-STS resolution started just now) waits at most
 * lookup_timeout for the resolution; then, or when it ends, the lookup is
 * decided with what is known, and the resolution goes on in the background
 * so the next lookup gets the policy.  A client that disconnects while
 * waiting cancels only its wait.
 */
#ifndef TLSPOLICYD_LOOKUP_H
#define TLSPOLICYD_LOOKUP_H

#include <stddef.h>

#include "metrics.h"
#include "resolve.h"
#include "server.h"

struct buf;
struct daemon;

/* format the final reply payload for res into reply */
typedef void lookup_format(struct daemon *d, const struct resolve_result *res,
    struct buf *reply);

/* lookup_run - explain: fill the reason (for logs or tlspolicyctl).
 * key is read at once; d, sr and fmt are kept while the lookup waits
 * (SERVER_PENDING), until it answers through sr or sr is cancelled.  The
 * answer is counted in the metrics (metrics.h) under mmap, with the time
 * from this call to the answer; METRICS_MAP_COUNT: not counted */
enum server_result lookup_run(struct daemon *d, enum resolve_map map, const char *key,
    size_t len, struct buf *reply, struct server_req *sr, lookup_format *fmt, int explain,
    enum metrics_map mmap);

/* the same for a caller that is not a server client: */
struct lookup_wait;
typedef void lookup_done(void *arg, const struct resolve_result *res);

/* lookup_start - decide key[0..len) into *res and return NULL; or, when
 * the answer waits for a first resolution (lookup_timeout), return a
 * handle and call done(arg, res) once, later, from the event loop, with
 * the decision (res borrowed for the call; the handle is freed after
 * it).  Not counted in the metrics. */
struct lookup_wait *lookup_start(struct daemon *d, enum resolve_map map, const char *key,
    size_t len, int explain, struct resolve_result *res, lookup_done *done, void *arg);
/* lookup_cancel - stop waiting; done is not called.  NULL is fine. */
void lookup_cancel(struct lookup_wait *w);

#endif
