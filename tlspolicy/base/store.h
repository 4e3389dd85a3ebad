/*
 * store - the Berkeley DB environment in state_directory.
 *
 * A transactional environment (locking, logging, transactions, mpool) with
 * one B-tree database per kind of record.  One process at a time uses it:
 * opening takes an exclusive lock on the file "store.lock" in the
 * directory (flock, never waited for; the holder's pid is written in it
 * for the messages of others), and a second opener is told "in use by
 * pid N" (STORE_BUSY) instead of joining.  Because the opener is alone,
 * the environment is private to the process (DB_PRIVATE: no shared
 * region files, nothing mapped that a full disk could turn into SIGBUS)
 * and every open runs normal recovery (DB_RECOVER): a process killed at
 * any instant leaves a lock the kernel has already released and a log
 * the next opener recovers from.  A store object can be suspended (the
 * environment closed, the lock released, the object kept, every
 * operation failing at once with the reason given) and resumed later;
 * storelend.h builds the lending between the daemon and its clients on
 * that.  Every value starts with a one-byte
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
#define STORE_BUSY 2         /* another process holds store.lock */

enum store_db {
	STORE_DB_META = 0,
	STORE_DB_POLICY,     /* policy cache: domain -> cached policy */
	STORE_DB_DECISION,   /* decisions served, for reports */
	STORE_DB_RESULT,     /* per-day TLS session counts */
	STORE_DB_REPORT,     /* report delivery state */
	STORE_DB_DANE,       /* DANE results: domain -> verdict and TLSA */
	STORE_DB_SOURCE,     /* log sources: name -> cursor and session state */
	STORE_DB_INCOMING,   /* TLSRPT reports received about our domains */
	STORE_DB_COUNT
};

struct store;
struct store_txn;
struct buf;

/* store_open - open (creating if needed) the store in dir, which must
 * exist (dir is copied).  err gets the reason on failure ("in use by pid
 * N" when another process holds it).  Everything opened on the store
 * (transactions, cursors) ends before store_close or store_suspend. */
struct store *store_open(const char *dir, char *err, size_t errlen);
/* store_new - a store object for dir, not open yet: every operation
 * fails until store_resume succeeds */
struct store *store_new(const char *dir);
/* store_resume - take the lock and open the environment with recovery,
 * verifying the files not sealed unchanged (see storecheck.h); 0 (also
 * when already open), STORE_BUSY with the holder's pid in *holder (0 if
 * unknown; holder may be NULL), or -1 */
int store_resume(struct store *st, long *holder);
/* store_suspend - checkpoint, close the environment (sealing the files
 * closed cleanly) and release the lock, keeping the object: until
 * store_resume, every operation fails at once with the reason why (e.g.
 * "store lent to pid 42") */
void store_suspend(struct store *st, const char *why);
int store_is_open(const struct store *st);
/* store_needs_recovery - a write failed or Berkeley DB reported a panic
 * (DB_RUNRECOVERY): writes are refused until the owner suspends and
 * resumes the store, which runs recovery */
int store_needs_recovery(const struct store *st);
/* store_failing - a write failed (disk full, ...) and none succeeded
 * since, across suspend and resume; failed_writes (may be NULL) gets the
 * count of failed writes */
int store_failing(const struct store *st, unsigned long *failed_writes);
/* store_should_log - after a failed operation: 1 if the caller should
 * log it, 0 while the store is closed (the owner logs that once) or
 * when a failure of the same run of failed writes was logged already */
int store_should_log(struct store *st);
/* store_damage - why db was found damaged and is not open, or NULL */
const char *store_damage(const struct store *st, enum store_db db);
/* store_renew - move db aside as NAME.damaged (when it exists) and open
 * it anew, empty; the new name of the old file into moved */
int store_renew(struct store *st, enum store_db db, char *moved, size_t movedlen);
/* store_set_error - the reason store_strerror() gives next */
void store_set_error(struct store *st, const char *msg);
/* store_close - store_suspend, then free; NULL is fine */
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
