/*
 * store - the Berkeley DB environment in state_directory.
 *
 * A transactional environment (locking, logging, transactions, mpool) with
 * one B-tree database per kind of record.  Every value starts with a
 * one-byte record layout version; the "meta" database records the layout
 * of the whole store, and a store written by a newer layout is refused
 * rather than misread.
 *
 * Several processes share the environment (the daemon, the reporter,
 * tlspolicyctl), and any of them may die at any instant (SIGKILL, the
 * OOM killer, a cron timeout).  Berkeley DB 5.3 cannot clean up after a
 * dead process while the others go on (failchk hangs on a process that
 * died waiting for a lock), so the design is recovery plus never waiting:
 *   - No lock wait: every transaction is DB_TXN_NOWAIT, reads outside a
 *     transaction run in a read-committed one of their own and try again
 *     for half a second.  A lock wait ends only when the holder lets go,
 *     which a dead process never does; a lock that is not free fails the
 *     call instead, and the caller retries later (ingestion keeps what it
 *     counted until a commit succeeds).
 *   - DB_REGISTER: the first process to open the store after a death runs
 *     recovery, which also ends the environment for those still using it
 *     (a "panic"): their calls fail with DB_RUNRECOVERY.
 *   - The daemon calls store_maintain() every second: it reads the
 *     DB_REGISTER registry itself, and on a dead process, or once its own
 *     environment has panicked, it closes and reopens the environment
 *     with recovery.  Until then every call fails at once (store_down());
 *     lookups never need the store, so they are answered all along, and
 *     nothing waits, so SIGTERM is always served.
 *   - What remains: a process killed inside Berkeley DB while it holds one
 *     of the environment's internal mutexes (held for microseconds) can
 *     still block the others on that mutex; only a restart ends that.
 *
 * Damaged and lost files.  store_open_checked(), when no other process
 * uses the store, first recovers it unconditionally (which drops pages
 * cached before the files were damaged), then runs Berkeley DB's verifier
 * on every database.  A damaged cache (policy, DANE) or meta database is
 * moved aside ("NAME.damaged-TIME") and starts empty when repairing (the
 * daemon); any other damaged database is not opened: calls on it fail,
 * result ingestion is refused (store_ingest_refused()), all said once.
 * result.db and source.db hold the same random identity (key "~store"):
 * counts are right only with the log positions they were made with.  When
 * one of them was deleted or replaced, the daemon starts the pair afresh
 * (the old result.db moved to "result.db.unmatched-TIME", every read
 * position forgotten, so that the logs still on disk are counted again
 * once), and any other opener refuses ingestion, rather than count twice
 * or drop counts in silence.
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
 * exist.  err gets the reason on failure. */
struct store *store_open(const char *dir, char *err, size_t errlen);
/* store_open_checked - store_open(), and when no other process uses the
 * store, recover it and verify every database first; with repair (the
 * daemon), also repair what can be repaired (see the header comment) */
struct store *store_open_checked(const char *dir, int repair, char *err, size_t errlen);
/* store_ingest_refused - why result ingestion must not run on this store
 * (result.db or source.db damaged, or the two do not belong together),
 * or NULL */
const char *store_ingest_refused(const struct store *st);
/* store_verify - Berkeley DB's verifier on one database: 0, or -1 when
 * it is damaged (meaningful only while nobody writes to it) */
int store_verify(struct store *st, enum store_db db);
/* store_close - checkpoint and close; NULL is fine */
void store_close(struct store *st);
/* store_maintain - for a long-running process, about once a second:
 * reopen the environment with recovery when it needs it (a panic, or a
 * process that died with the store open), at most every few seconds
 * while that fails.  0: usable, 1: usable again after a reopen (why in
 * store_recovered_from()), -1: down (reason in store_strerror()) */
int store_maintain(struct store *st);
const char *store_recovered_from(const struct store *st);
/* store_down - nonzero when the last failure was reported once already:
 * every call fails at once while the store waits for recovery, or
 * because its database was found damaged; callers then need not report
 * each failure */
int store_down(const struct store *st);
/* store_checkpoint - write a checkpoint and remove unneeded log files */
int store_checkpoint(struct store *st);
const char *store_strerror(const struct store *st);

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
/* store_get - value into out (reset first); STORE_NOTFOUND if absent;
 * -1 also when the record has an unknown layout version */
int store_get(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen, struct buf *out);
int store_del(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen);
/* store_count - number of records in db, or -1 */
long store_count(struct store *st, enum store_db db);

/* Cursors walk a database in key order, outside any transaction. */
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
