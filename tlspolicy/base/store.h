/*
 * store - the Berkeley DB environment in state_directory.
 *
 * A transactional environment (locking, logging, transactions, mpool) with
 * one B-tree database per kind of record.  Several processes may use it at
 * once (the daemon, the reporter, tlspolicyctl); DB_REGISTER makes the
 * first opener after a crash run recovery, so a SIGKILL at any instant
 * never leaves the store unusable.  Every value starts with a one-byte
 * record layout version; the "meta" database records the layout of the
 * whole store, and a store written by a newer layout is refused rather
 * than misread.
 *
 * Damaged files (see storecheck.h): before the databases are opened,
 * every file not sealed unchanged since the last clean store_close() goes
 * through Berkeley DB's verifier.  A damaged cache (policy, DANE), meta,
 * decision or report database is moved aside as NAME.damaged and starts
 * empty, said in the log; a damaged result.db or source.db is left alone
 * and not opened: every call on it fails with the reason (store_damage()),
 * the others work.  New databases carry page checksums.
 *
 * Functions return 0 on success, STORE_NOTFOUND where that applies, or -1
 * with a reason available from store_strerror().
 */
#ifndef TLSPOLICY_STORE_H
#define TLSPOLICY_STORE_H

#include <stddef.h>

#define STORE_LAYOUT_VERSION 1
#define STORE_NOTFOUND 1

enum store_db {
	STORE_DB_META = 0,
	STORE_DB_POLICY,     /* policy cache: domain -> cached policy */
	STORE_DB_DECISION,   /* decisions served, for reports */
	STORE_DB_RESULT,     /* per-day TLS session counts */
	STORE_DB_REPORT,     /* report delivery state */
	STORE_DB_DANE,       /* DANE results: domain -> verdict and TLSA */
	STORE_DB_SOURCE,     /* log sources: name -> cursor and session state */
	STORE_DB_COUNT
};

struct store;
struct store_txn;
struct buf;

/* store_open - open (creating if needed) the store in dir, which must
 * exist (dir is not kept).  err gets the reason on failure.  Everything
 * opened on the store (transactions, cursors) ends before store_close. */
struct store *store_open(const char *dir, char *err, size_t errlen);
/* store_damage - why db was found damaged and is not open, or NULL */
const char *store_damage(const struct store *st, enum store_db db);
/* store_renew - move db aside as NAME.damaged (when it exists) and open
 * it anew, empty; the new name of the old file into moved */
int store_renew(struct store *st, enum store_db db, char *moved, size_t movedlen);
/* store_set_error - the reason store_strerror() gives next */
void store_set_error(struct store *st, const char *msg);
/* store_close - checkpoint and close, then seal the databases closed
 * cleanly (see storecheck.h); NULL is fine */
void store_close(struct store *st);
/* store_checkpoint - write a checkpoint and remove unneeded log files */
int store_checkpoint(struct store *st);
/* store_strerror - the last error, borrowed until the next call on st */
const char *store_strerror(const struct store *st);

/* store_begin - a transaction, ended (and freed) by exactly one
 * store_commit, store_commit_lazy or store_abort */
struct store_txn *store_begin(struct store *st);
int store_commit(struct store *st, struct store_txn *txn);
/* store_commit_lazy - commit without waiting for the disk: atomic and
 * durable against a crash of the process, not of the machine (the last
 * commits may then roll back, together, never in part) */
int store_commit_lazy(struct store *st, struct store_txn *txn);
void store_abort(struct store *st, struct store_txn *txn);

/*
 * Records: key bytes -> value bytes; the caller's value is stored after a
 * version byte and returned without it.  txn may be NULL (auto-commit).
 */
int store_put(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen);
/* store_put_lazy - store_put in a transaction of its own committed with
 * store_commit_lazy(): for writes a waiting client must not wait on the
 * disk for; the next durable commit or checkpoint syncs it */
int store_put_lazy(struct store *st, enum store_db db, const void *key, size_t klen,
    const void *val, size_t vlen);
/* store_get - value into out (reset first); STORE_NOTFOUND if absent;
 * -1 also when the record has an unknown layout version */
int store_get(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen, struct buf *out);
int store_del(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen);
/* store_count - number of records in db, or -1 */
long store_count(struct store *st, enum store_db db);

/* Cursors walk a database in key order, outside any transaction; the
 * caller closes each with store_cursor_close. */
struct store_cursor;
struct store_cursor *store_cursor_open(struct store *st, enum store_db db);
/* store_cursor_next - next record (value without its version byte);
 * 0, STORE_NOTFOUND at the end, -1 on error; records of an unknown
 * layout or too large for the buffers are skipped */
int store_cursor_next(struct store_cursor *c, struct buf *key, struct buf *val);
/* store_cursor_seek - make the next store_cursor_next return the first
 * record whose key is >= key[0..klen) */
void store_cursor_seek(struct store_cursor *c, const void *key, size_t klen);
void store_cursor_close(struct store_cursor *c);

#endif
