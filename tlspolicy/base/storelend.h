/*
 * storelend - borrowing the store from the daemon that owns it.
 *
 * A running tlspolicyd holds the store (store.h: one process at a time).
 * A client that needs it (tlspolicyctl results and ingest, the reporter)
 * first tries to take it; when the daemon holds it, the client sends
 * "lend PID" over the control socket, the daemon commits what it has,
 * closes the store and answers, and the client takes the lock, polling
 * without ever blocking in it, for at most the time it was given.  The
 * daemon takes the store back by itself once the client lets go (or dies:
 * a SIGKILLed borrower costs a recovery, nothing else).  When the holder is
 * another client, asking the daemon is harmless and the client waits for
 * that holder to finish, within its time.
 */
#ifndef TLSPOLICY_STORELEND_H
#define TLSPOLICY_STORELEND_H

#include <stddef.h>

struct endpoint;
struct store;

/* STORE_LEND_WAIT_MS - how long clients wait for the store by default */
#define STORE_LEND_WAIT_MS 30000

/* store_borrow - open st (see store_new), asking the daemon listening on
 * control (NULL for none; borrowed for the call) to lend it when another
 * process holds it; waits at most wait_ms.  0, or -1 with the reason in err. */
int store_borrow(struct store *st, const struct endpoint *control, int wait_ms, char *err,
    size_t errlen);
/* store_borrow_open - store_new and store_borrow; NULL with err set */
struct store *store_borrow_open(const char *dir, const struct endpoint *control, int wait_ms,
    char *err, size_t errlen);
/* store_release - give the store back (to be borrowed again later) */
void store_release(struct store *st);
/* store_hold - borrow st again after store_release, waiting at most
 * STORE_LEND_WAIT_MS (nothing when it is open); a client that cannot get
 * it back cannot go on: exits with the reason (log_fatalx) */
void store_hold(struct store *st, const struct endpoint *control);

#endif
