/*
 * store - Berkeley DB environment and records, see store.h.
 */
#include "config.h"

#include <db.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "store.h"
#include "storecheck.h"
#include "xalloc.h"

/* One version byte in front of every value. */
#define STORE_RECORD_VERSION 1

static const char *const db_names[STORE_DB_COUNT] = {
	"meta.db", "policy.db", "decision.db", "result.db", "report.db", "dane.db",
	"source.db", "incoming.db",
};

#define STORE_LOCK_FILE "store.lock"

struct store {
	DB_ENV *env;                 /* NULL while closed (lent, or not reopened yet) */
	DB *db[STORE_DB_COUNT];
	char err[512];
	char *damage[STORE_DB_COUNT];   /* why a database is not open, see check_files() */
	char *dir;
	int lockfd;                  /* store.lock, locked while env is open; or -1 */
	char closed_why[128];        /* the reason operations fail while closed */
	int panic;                   /* a write failed or Berkeley DB panicked:
	                                no more writes before a recovery */
	int failing;                 /* a write failed and none succeeded since */
	int failure_logged;          /* store_should_log said so in this run */
	unsigned long failed_writes;
	char bdb_msg[160];           /* Berkeley DB's last message */
};

static int
store_fail(struct store *st, const char *what, int rc)
{
	snprintf(st->err, sizeof(st->err), "%s: %s", what, db_strerror(rc));
	if (rc == DB_RUNRECOVERY)
		st->panic = 1;
	return -1;
}

/* store_wrote - note the outcome of a write for store_failing() */
static int
store_wrote(struct store *st, int rc)
{
	if (rc == 0) {
		st->failing = 0;
		st->failure_logged = 0;
	} else if (rc != STORE_NOTFOUND) {
		/* after a failed write (a full disk may have cut a log record
		 * short) the environment takes no more writes until the owner
		 * reopens it with recovery, which ends the log at its last
		 * whole record: a later write never lands behind a gap */
		st->failing = 1;
		st->panic = 1;
		st->failed_writes++;
	}
	return rc;
}

/* store_writable - writes go to an open environment that needs no
 * recovery; else the reason is set and 0 returned */
static int
store_writable(struct store *st)
{
	if (st->env == NULL) {
		snprintf(st->err, sizeof(st->err), "%s", st->closed_why);
		return 0;
	}
	if (st->panic) {
		snprintf(st->err, sizeof(st->err), "store awaits recovery after a failed write%s%s",
		    st->bdb_msg[0] ? ": " : "", st->bdb_msg);
		st->failed_writes++;
		return 0;
	}
	return 1;
}

/* bdb_message - Berkeley DB's own error messages: kept, not printed (a
 * full disk would print one per write) */
static void
bdb_message(const DB_ENV *env, const char *prefix, const char *msg)
{
	struct store *st = env->app_private;

	(void)prefix;
	if (st)
		snprintf(st->bdb_msg, sizeof(st->bdb_msg), "%s", msg);
}

/* store_down - the failure of every operation while the store is closed */
static int
store_down(struct store *st)
{
	snprintf(st->err, sizeof(st->err), "%s", st->closed_why);
	return -1;
}

const char *
store_strerror(const struct store *st)
{
	return st->err;
}

/* store_check_layout - record the layout version, or refuse a newer one */
static int
store_check_layout(struct store *st)
{
	static const char key[] = "layout";
	struct buf val;
	char mine[8];
	int rc, n = snprintf(mine, sizeof(mine), "%d", STORE_LAYOUT_VERSION);

	buf_init(&val, 64);
	rc = store_get(st, NULL, STORE_DB_META, key, sizeof(key) - 1, &val);
	if (rc == STORE_NOTFOUND)
		rc = store_put(st, NULL, STORE_DB_META, key, sizeof(key) - 1, mine, (size_t)n);
	else if (rc == 0 && (val.len != (size_t)n || memcmp(val.data, mine, (size_t)n) != 0)) {
		snprintf(st->err, sizeof(st->err),
		    "store layout version %.8s is not %s, the version this program uses",
		    val.data, mine);
		rc = -1;
	}
	buf_fini(&val);
	return rc;
}

/* db_open_one - open (creating) database i; page checksums on a new one */
static int
db_open_one(struct store *st, int i)
{
	int rc;

	if ((rc = db_create(&st->db[i], st->env, 0)) != 0) {
		st->db[i] = NULL;
		return store_fail(st, "db_create", rc);
	}
	st->db[i]->set_flags(st->db[i], DB_CHKSUM);
	if ((rc = st->db[i]->open(st->db[i], NULL, db_names[i], NULL, DB_BTREE,
	    DB_CREATE | DB_AUTO_COMMIT, 0600)) != 0) {
		snprintf(st->err, sizeof(st->err), "open %s/%s: %s", st->dir, db_names[i],
		    db_strerror(rc));
		st->db[i]->close(st->db[i], 0);
		st->db[i] = NULL;
		return -1;
	}
	return 0;
}

/* rebuilt - what is lost when database i starts empty, or NULL when it
 * must not be (counts and log positions: see storecheck_counting()) */
static const char *
rebuilt(int i)
{
	switch (i) {
	case STORE_DB_META:
		return "it is written again";
	case STORE_DB_POLICY:
		return "the MTA-STS policy cache starts empty, policies are fetched again";
	case STORE_DB_DANE:
		return "the DANE cache starts empty, domains are looked up again";
	case STORE_DB_DECISION:
		return "reports of the days it covered lack the policies served";
	case STORE_DB_REPORT:
		return "reports already sent may be sent again";
	case STORE_DB_INCOMING:
		return "the reports received so far are lost";
	default:
		return NULL;
	}
}

/*
 * check_files - every database file not sealed unchanged goes through the
 * verifier before it is opened.  A damaged one that can be rebuilt is
 * moved aside and starts empty; a damaged result.db or source.db is not
 * opened: calls on it fail, and counting refuses to run (see
 * storecheck_counting()); the caller says so (store_damage()).
 */
static int
check_files(struct store *st)
{
	struct storecheck_seal seal;

	storecheck_seal_read(st->dir, &seal);
	for (int i = 0; i < STORE_DB_COUNT; i++) {
		char why[200], moved[64], msg[400];

		if (storecheck_file(st->dir, db_names[i], &seal, why, sizeof(why)) == 0)
			continue;
		if (rebuilt(i) != NULL) {
			if (storecheck_aside(st->dir, db_names[i], moved, sizeof(moved), st->err,
			    sizeof(st->err)) < 0)
				return -1;
			log_warnx("store: %s/%s is damaged (%s): moved to %s; %s", st->dir,
			    db_names[i], why, moved, rebuilt(i));
			continue;
		}
		snprintf(msg, sizeof(msg), "%s/%s is damaged (%s)", st->dir, db_names[i], why);
		st->damage[i] = xstrdup(msg);
	}
	return 0;
}

const char *
store_damage(const struct store *st, enum store_db db)
{
	return st->damage[db];
}

int
store_renew(struct store *st, enum store_db db, char *moved, size_t movedlen)
{
	if (st->db[db] != NULL) {
		st->db[db]->close(st->db[db], 0);
		st->db[db] = NULL;
	}
	if (storecheck_aside(st->dir, db_names[db], moved, movedlen, st->err,
	    sizeof(st->err)) < 0 && errno != ENOENT)
		return -1;
	if (db_open_one(st, db) < 0)
		return -1;
	free(st->damage[db]);
	st->damage[db] = NULL;
	return 0;
}

void
store_set_error(struct store *st, const char *msg)
{
	snprintf(st->err, sizeof(st->err), "%s", msg);
}

/* unusable - the error of a call on a database that is not open */
static int
unusable(struct store *st, enum store_db db)
{
	snprintf(st->err, sizeof(st->err), "%s: not used", st->damage[db] ? st->damage[db]
	    : db_names[db]);
	return -1;
}

/* store_env_open - the environment and its databases; the lock is held */
static int
store_env_open(struct store *st)
{
	u_int32_t flags = DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN
	    | DB_PRIVATE | DB_RECOVER;
	int rc;

	if ((rc = db_env_create(&st->env, 0)) != 0) {
		st->env = NULL;
		return store_fail(st, "db_env_create", rc);
	}
	st->env->app_private = st;
	st->env->set_errcall(st->env, bdb_message);
	st->env->set_cachesize(st->env, 0, 8u << 20, 1);
	st->env->set_lg_max(st->env, 4u << 20);
	st->env->set_lk_detect(st->env, DB_LOCK_DEFAULT);
	st->env->set_mp_mmapsize(st->env, 0);
	st->env->log_set_config(st->env, DB_LOG_AUTO_REMOVE, 1);
	if ((rc = st->env->open(st->env, st->dir, flags, 0600)) != 0) {
		snprintf(st->err, sizeof(st->err), "open environment %s: %s", st->dir,
		    db_strerror(rc));
		return -1;
	}
	if (check_files(st) < 0)
		return -1;
	for (int i = 0; i < STORE_DB_COUNT; i++)
		if (st->damage[i] == NULL && db_open_one(st, i) < 0)
			return -1;
	return store_check_layout(st);
}

/* store_env_close - checkpoint and close the environment, keep the lock */
static void
store_env_close(struct store *st)
{
	int sealed[STORE_DB_COUNT] = { 0 }, clean = st->env != NULL && !st->panic;

	for (int i = 0; i < STORE_DB_COUNT; i++) {
		if (st->db[i]) {
			sealed[i] = st->db[i]->close(st->db[i], 0) == 0;
			clean &= sealed[i];
		}
		st->db[i] = NULL;
	}
	if (st->env) {
		if (!st->panic)
			st->env->txn_checkpoint(st->env, 0, 0, 0);
		clean &= st->env->close(st->env, 0) == 0;
	}
	/* files closed cleanly are sealed: the next open need not verify them */
	if (clean)
		storecheck_seal_write(st->dir, db_names, sealed, STORE_DB_COUNT);
	for (int i = 0; i < STORE_DB_COUNT; i++) {
		free(st->damage[i]);
		st->damage[i] = NULL;
	}
	st->env = NULL;
	st->panic = 0;
}

struct store *
store_open(const char *dir, char *err, size_t errlen)
{
	struct store *st = store_new(dir);

	if (store_resume(st, NULL) != 0) {
		snprintf(err, errlen, "%s", st->err);
		store_close(st);
		return NULL;
	}
	return st;
}

int
store_checkpoint(struct store *st)
{
	int rc;

	if (st->env == NULL)
		return store_down(st);
	rc = st->env->txn_checkpoint(st->env, 0, 0, 0);
	return rc ? store_fail(st, "checkpoint", rc) : 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_suspend(st, "store closed");
	free(st->dir);
	free(st);
}

struct store_txn *
store_begin(struct store *st)
{
	DB_TXN *txn = NULL;
	int rc;

	if (!store_writable(st))
		return NULL;
	if ((rc = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0) {
		store_fail(st, "txn_begin", rc);
		return NULL;
	}
	return (struct store_txn *)txn;
}

static int
commit_flags(struct store *st, struct store_txn *txn, u_int32_t flags)
{
	DB_TXN *t = (DB_TXN *)txn;
	int rc = store_wrote(st, t->commit(t, flags));

	return rc ? store_fail(st, "commit", rc) : 0;
}

int
store_commit(struct store *st, struct store_txn *txn)
{
	return commit_flags(st, txn, 0);
}

int
store_commit_lazy(struct store *st, struct store_txn *txn)
{
	return commit_flags(st, txn, DB_TXN_WRITE_NOSYNC);
}

void
store_abort(struct store *st, struct store_txn *txn)
{
	DB_TXN *t = (DB_TXN *)txn;

	(void)st;
	if (t)
		t->abort(t);
}

static void
dbt_init(DBT *d, const void *data, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)(uintptr_t)data;
	d->size = (u_int32_t)len;
}

int
store_put(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen)
{
	DBT k, v;
	unsigned char *rec;
	int rc;

	if (!store_writable(st))
		return -1;
	if (st->db[db] == NULL)
		return unusable(st, db);
	rec = xmalloc(vlen + 1);
	rec[0] = STORE_RECORD_VERSION;
	if (vlen)
		memcpy(rec + 1, val, vlen);
	dbt_init(&k, key, klen);
	dbt_init(&v, rec, vlen + 1);
	rc = st->db[db]->put(st->db[db], (DB_TXN *)txn, &k, &v, txn ? 0 : DB_AUTO_COMMIT);
	if (txn == NULL || rc != 0)
		store_wrote(st, rc);
	free(rec);
	return rc ? store_fail(st, "put", rc) : 0;
}

int
store_put_lazy(struct store *st, enum store_db db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	struct store_txn *txn = store_begin(st);

	if (txn == NULL)
		return -1;
	if (store_put(st, txn, db, key, klen, val, vlen) < 0) {
		store_abort(st, txn);
		return -1;
	}
	return store_commit_lazy(st, txn);
}

int
store_get(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen, struct buf *out)
{
	DBT k, v;
	int rc;

	buf_reset(out);
	if (st->env == NULL)
		return store_down(st);
	dbt_init(&k, key, klen);
	memset(&v, 0, sizeof(v));
	v.flags = DB_DBT_MALLOC;
	if (st->db[db] == NULL)
		return unusable(st, db);
	rc = st->db[db]->get(st->db[db], (DB_TXN *)txn, &k, &v, 0);
	if (rc == DB_NOTFOUND)
		return STORE_NOTFOUND;
	if (rc != 0)
		return store_fail(st, "get", rc);
	if (v.size < 1 || ((unsigned char *)v.data)[0] != STORE_RECORD_VERSION) {
		free(v.data);
		snprintf(st->err, sizeof(st->err), "%s: record with unknown layout", db_names[db]);
		return -1;
	}
	rc = buf_append(out, (char *)v.data + 1, v.size - 1);
	free(v.data);
	if (rc < 0) {
		snprintf(st->err, sizeof(st->err), "%s: record larger than expected", db_names[db]);
		return -1;
	}
	return 0;
}

int
store_del(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen)
{
	DBT k;
	int rc;

	if (!store_writable(st))
		return -1;
	if (st->db[db] == NULL)
		return unusable(st, db);
	dbt_init(&k, key, klen);
	rc = st->db[db]->del(st->db[db], (DB_TXN *)txn, &k, txn ? 0 : DB_AUTO_COMMIT);
	if (rc == DB_NOTFOUND)
		return STORE_NOTFOUND;
	if (txn == NULL || rc != 0)
		store_wrote(st, rc);
	return rc ? store_fail(st, "del", rc) : 0;
}

long
store_count(struct store *st, enum store_db db)
{
	DB_BTREE_STAT *sp = NULL;
	long n;
	int rc;

	if (st->env == NULL)
		return store_down(st);
	if (st->db[db] == NULL)
		return unusable(st, db);
	if ((rc = st->db[db]->stat(st->db[db], NULL, &sp, 0)) != 0)
		return store_fail(st, "stat", rc);
	n = (long)sp->bt_nkeys;
	free(sp);
	return n;
}

struct store_cursor {
	struct store *st;
	DBC *dbc;
	unsigned char *seek;     /* pending store_cursor_seek() key */
	size_t seeklen;
};

struct store_cursor *
store_cursor_open(struct store *st, enum store_db db)
{
	struct store_cursor *c;
	int rc;

	if (st->env == NULL) {
		store_down(st);
		return NULL;
	}
	if (st->db[db] == NULL) {
		unusable(st, db);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	if ((rc = st->db[db]->cursor(st->db[db], NULL, &c->dbc, 0)) != 0) {
		store_fail(st, "cursor", rc);
		free(c);
		return NULL;
	}
	c->st = st;
	return c;
}

int
store_cursor_next(struct store_cursor *c, struct buf *key, struct buf *val)
{
	for (;;) {
		DBT k, v;
		int rc;

		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		if (c->seek) {
			dbt_init(&k, c->seek, c->seeklen);
			rc = c->dbc->get(c->dbc, &k, &v, DB_SET_RANGE);
			free(c->seek);
			c->seek = NULL;
		} else {
			rc = c->dbc->get(c->dbc, &k, &v, DB_NEXT);
		}
		if (rc == DB_NOTFOUND)
			return STORE_NOTFOUND;
		if (rc != 0)
			return store_fail(c->st, "cursor get", rc);
		if (v.size < 1 || ((unsigned char *)v.data)[0] != STORE_RECORD_VERSION)
			continue;
		buf_reset(key);
		buf_reset(val);
		if (buf_append(key, k.data, k.size) < 0
		    || buf_append(val, (char *)v.data + 1, v.size - 1) < 0)
			continue;
		return 0;
	}
}

void
store_cursor_seek(struct store_cursor *c, const void *key, size_t klen)
{
	free(c->seek);
	c->seek = xmalloc(klen ? klen : 1);
	if (klen)
		memcpy(c->seek, key, klen);
	c->seeklen = klen;
}

void
store_cursor_close(struct store_cursor *c)
{
	if (c == NULL)
		return;
	free(c->seek);
	c->dbc->close(c->dbc);
	free(c);
}

/* --- ownership: the lock file, suspending and resuming ------------------ */

struct store *
store_new(const char *dir)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->dir = xstrdup(dir);
	st->lockfd = -1;
	snprintf(st->closed_why, sizeof(st->closed_why), "store not open");
	snprintf(st->err, sizeof(st->err), "store not open");
	return st;
}

/* lock_holder - the pid written in the lock file by its holder, or 0 */
static long
lock_holder(int fd)
{
	char text[24];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	long pid = 0;

	for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9' && pid < 100000000; i++)
		pid = pid * 10 + (text[i] - '0');
	return pid;
}

/* store_lock - take store.lock without waiting: 0, STORE_BUSY, or -1 */
static int
store_lock(struct store *st, long *holder)
{
	char path[4096], text[24];
	int fd, n;

	if (snprintf(path, sizeof(path), "%s/%s", st->dir, STORE_LOCK_FILE) >= (int)sizeof(path)) {
		snprintf(st->err, sizeof(st->err), "state directory name too long");
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		snprintf(st->err, sizeof(st->err), "open %.200s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		long pid = lock_holder(fd);

		close(fd);
		if (e != EWOULDBLOCK) {
			snprintf(st->err, sizeof(st->err), "lock %.200s: %s", path, strerror(e));
			return -1;
		}
		if (holder)
			*holder = pid;
		if (pid > 0)
			snprintf(st->err, sizeof(st->err), "store %s in use by pid %ld", st->dir, pid);
		else
			snprintf(st->err, sizeof(st->err), "store %s in use by another process",
			    st->dir);
		return STORE_BUSY;
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n) {
		/* only the messages of other openers miss the pid */
	}
	st->lockfd = fd;
	return 0;
}

int
store_resume(struct store *st, long *holder)
{
	int rc;

	if (holder)
		*holder = 0;
	if (st->env != NULL)
		return 0;
	if (st->lockfd < 0 && (rc = store_lock(st, holder)) != 0)
		return rc;
	if (store_env_open(st) < 0) {
		char why[sizeof(st->err)];

		snprintf(why, sizeof(why), "%s", st->err);
		store_suspend(st, why);
		snprintf(st->err, sizeof(st->err), "%s", why);
		return -1;
	}
	return 0;
}

void
store_suspend(struct store *st, const char *why)
{
	store_env_close(st);
	if (st->lockfd >= 0) {
		if (ftruncate(st->lockfd, 0) < 0) {
			/* a stale pid in a lock nobody holds is harmless */
		}
		close(st->lockfd);   /* releases the lock */
		st->lockfd = -1;
	}
	snprintf(st->closed_why, sizeof(st->closed_why), "%s", why);
}

int
store_is_open(const struct store *st)
{
	return st->env != NULL;
}

int
store_needs_recovery(const struct store *st)
{
	return st->env != NULL && st->panic;
}

int
store_failing(const struct store *st, unsigned long *failed_writes)
{
	if (failed_writes)
		*failed_writes = st->failed_writes;
	return st->failing;
}

int
store_should_log(struct store *st)
{
	if (st->env == NULL || (st->failing && st->failure_logged)
	    || (st->panic && !st->failing))
		return 0;
	if (st->failing)
		st->failure_logged = 1;
	return 1;
}
