/*
 * storeown - the daemon owns the store and lends it.
 *
 * The daemon opens the store at start and holds it (store.h: one process
 * at a time).  A client that needs it (tlspolicyctl results and ingest,
 * tlspolicy-report) sends "lend PID" on the control socket: the daemon
 * commits what its log sources have read, closes the store, answers, and
 * from then on tries every STOREOWN_TICK_MSEC, after a grace of
 * STOREOWN_GRACE_MSEC that lets the client take it first, to take it back
 * without waiting (a client that dies costs a recovery, nothing else).
 * While the store is lent or unusable, lookups are answered from memory,
 * decision records wait in their queue (decision.h), MTA-STS and DANE
 * results the store did not take are saved again when it is back, and
 * the log sources stop reading until their counts can be committed, so
 * nothing is counted twice or lost.  A full disk is logged once when
 * writes start failing and once when they work again.  After a failed
 * write or a Berkeley DB panic the store takes no writes (store.h) until
 * the daemon, alone in the environment, closes and reopens it with
 * recovery, at most once per STOREOWN_RECOVER_MIN_MSEC (doubling up to
 * STOREOWN_RECOVER_MAX_MSEC while it keeps happening).
 */
#ifndef TLSPOLICYD_STOREOWN_H
#define TLSPOLICYD_STOREOWN_H

#include <stddef.h>

#define STOREOWN_TICK_MSEC 500
#define STOREOWN_GRACE_MSEC 1000
#define STOREOWN_RECOVER_MIN_MSEC 2000
#define STOREOWN_RECOVER_MAX_MSEC 30000

struct buf;
struct daemon;
struct storeown;

/* storeown_start - start the timer; d->store is open */
struct storeown *storeown_start(struct daemon *d);
/* storeown_lend - the "lend" control command, args the borrower's pid */
void storeown_lend(struct storeown *so, const char *args, size_t len, struct buf *reply);
/* storeown_status - "store: ..." lines for the status command */
void storeown_status(const struct storeown *so, struct buf *out);
/* storeown_stop - take the store back if it is free and write what
 * waits in memory (at exit); NULL is fine */
void storeown_stop(struct storeown *so);

#endif
