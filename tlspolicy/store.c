/*
 * store - Berkeley DB environment and records, see store.h.
 */
#include "config.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

/* One version byte in front of every value. */
#define STORE_RECORD_VERSION 1
/* reads outside a transaction try again for a while when a writer holds
 * the page, instead of waiting for its lock */
#define STORE_LOCK_TRIES 50
#define STORE_LOCK_PAUSE_USEC 10000
#define LOCK_BUSY(rc) ((rc) == DB_LOCK_NOTGRANTED || (rc) == DB_LOCK_DEADLOCK)
#define STORE_RETRY_SEC 2                    /* between reopen attempts while down */

static const char *const db_names[STORE_DB_COUNT] = {
	"meta.db", "policy.db", "decision.db", "result.db", "report.db", "dane.db",
	"source.db",
};

struct store {
	char *dir;
	DB_ENV *env;
	DB *db[STORE_DB_COUNT];
	unsigned gen;            /* counts env_open() calls: cursors of a closed environment */
	int down;                /* the environment needs recovery: no calls into it */
	time_t retry_at;         /* next reopen attempt while down */
	char bdbmsg[200];        /* Berkeley DB's last message */
	int regfd;               /* REGISTRY_FILE, see registry_scan() */
	int check;               /* store_open_checked(): 1 verify, 2 also repair */
	int opened;              /* the first env_open() is done: no verification again */
	int damaged[STORE_DB_COUNT];
	int quiet;               /* the last failure was reported once already */
	char refused[512];       /* why ingestion is refused, or "" */
	char why[512];           /* what the last reopen recovered from */
	char err[512];
};

static int
store_fail(struct store *st, const char *what, int rc)
{
	st->quiet = 0;
	if (rc == DB_RUNRECOVERY)
		st->down = 1;
	if (st->bdbmsg[0] && rc == DB_RUNRECOVERY)
		snprintf(st->err, sizeof(st->err), "%s: %s (%s)", what, db_strerror(rc), st->bdbmsg);
	else
		snprintf(st->err, sizeof(st->err), "%s: %s", what, db_strerror(rc));
	return -1;
}

/* store_unavailable - the error of every call while the store is down */
static int
store_unavailable(struct store *st)
{
	st->quiet = 1;
	if (strncmp(st->err, "store unavailable", 17) != 0) {
		char why[sizeof(st->err)];

		snprintf(why, sizeof(why), "%s", st->err[0] ? st->err : "needs recovery");
		snprintf(st->err, sizeof(st->err), "store unavailable: %.480s", why);
	}
	return -1;
}

#define STORE_USABLE(st) ((st)->env != NULL && !(st)->down)

/* store_damaged - the error of every call on a database found damaged */
static int
store_damaged(struct store *st, enum store_db db)
{
	snprintf(st->err, sizeof(st->err), "%s is damaged, not used", db_names[db]);
	st->quiet = 1;
	return -1;
}

#define DB_USABLE(st, db) (STORE_USABLE(st) && (st)->db[db] != NULL)
#define DB_CHECK(st, db) do {						\
	if (!STORE_USABLE(st))						\
		return store_unavailable(st);				\
	if ((st)->db[db] == NULL)					\
		return store_damaged(st, db);				\
} while (0)

const char *
store_strerror(const struct store *st)
{
	return st->err;
}

int
store_down(const struct store *st)
{
	return !STORE_USABLE(st) || st->quiet;
}

const char *
store_ingest_refused(const struct store *st)
{
	return st->refused[0] ? st->refused : NULL;
}

/* on_bdb_error - keep Berkeley DB's message for the next error report */
static void
on_bdb_error(const DB_ENV *env, const char *pfx, const char *msg)
{
	struct store *st = env->app_private;

	(void)pfx;
	if (st)
		snprintf(st->bdbmsg, sizeof(st->bdbmsg), "%s", msg);
}

/* on_bdb_message - informational messages: not errors */
static void
on_bdb_message(const DB_ENV *env, const char *msg)
{
	(void)env;
	(void)msg;
}

/* on_bdb_event - a panic (a process died inside Berkeley DB, or a write
 * failed) makes every later call fail until the store is reopened */
static void
on_bdb_event(DB_ENV *env, u_int32_t event, void *info)
{
	struct store *st = env->app_private;

	(void)info;
	if (event == DB_EVENT_PANIC && st)
		st->down = 1;
}

/*
 * The registry of DB_REGISTER (REGISTRY_FILE): one slot of REGISTRY_SLOT
 * bytes per process, its PID in decimal, empty slots start with "X"; a
 * live process holds a fcntl lock on the first byte of its slot.  A slot
 * with a PID and no lock belongs to a process that died with the store
 * open.  The descriptor stays open as long as the environment: closing
 * any descriptor of a file drops all of this process's fcntl locks on it,
 * Berkeley DB's own included.
 */
#define REGISTRY_FILE "__db.register"
#define REGISTRY_SLOT 25

/* registry_scan - *dead: the PID of a process that died with the store
 * open, or 0; *others: how many other live processes use it */
static void
registry_scan(struct store *st, long *dead, int *others)
{
	char slot[REGISTRY_SLOT + 1];
	long me = (long)getpid();

	*dead = 0;
	*others = 0;
	if (st->regfd < 0) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", st->dir, REGISTRY_FILE);
		if ((st->regfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return;
	}
	for (off_t off = 0; pread(st->regfd, slot, REGISTRY_SLOT, off) == REGISTRY_SLOT;
	    off += REGISTRY_SLOT) {
		struct flock fl;
		char *end;
		long pid;

		slot[REGISTRY_SLOT] = '\0';
		if (slot[0] == 'X' || (pid = strtol(slot, &end, 10)) <= 0 || *end != '\n'
		    || pid == me)
			continue;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = off;
		fl.l_len = 1;
		if (fcntl(st->regfd, F_GETLK, &fl) < 0)
			continue;
		if (fl.l_type == F_UNLCK)
			*dead = pid;
		else
			(*others)++;
	}
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

/* env_close - close every handle; safe on a panicked environment */
static void
env_close(struct store *st, int checkpoint)
{
	for (int i = 0; i < STORE_DB_COUNT; i++)
		if (st->db[i]) {
			st->db[i]->close(st->db[i], 0);
			st->db[i] = NULL;
		}
	if (st->env) {
		if (checkpoint && !st->down)
			st->env->txn_checkpoint(st->env, 0, 0, 0);
		st->env->close(st->env, 0);
		st->env = NULL;
	}
	if (st->regfd >= 0)
		close(st->regfd);
	st->regfd = -1;
}

/* db_open_one - open (creating) database i */
static int
db_open_one(struct store *st, int i)
{
	int rc;

	if ((rc = db_create(&st->db[i], st->env, 0)) != 0) {
		st->db[i] = NULL;
		return store_fail(st, "db_create", rc);
	}
	if ((rc = st->db[i]->open(st->db[i], NULL, db_names[i], NULL, DB_BTREE,
	    DB_CREATE | DB_AUTO_COMMIT, 0600)) != 0) {
		store_fail(st, "open", rc);
		snprintf(st->err, sizeof(st->err), "open %s/%s: %s", st->dir, db_names[i],
		    db_strerror(rc));
		st->db[i]->close(st->db[i], 0);
		st->db[i] = NULL;
		return -1;
	}
	return 0;
}

/* rename_plain - a file the environment does not know (it never opened) */
static int
rename_plain(struct store *st, const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/%s", st->dir, from);
	snprintf(b, sizeof(b), "%s/%s", st->dir, to);
	return rename(a, b);
}

/* aside - rename database i to NAME.SUFFIX-TIME (in the environment) and
 * put the new name into out */
static int
aside(struct store *st, int i, const char *suffix, char *out, size_t outlen)
{
	int rc;

	snprintf(out, outlen, "%s.%s-%lld", db_names[i], suffix, (long long)time(NULL));
	if ((rc = st->env->dbrename(st->env, NULL, db_names[i], NULL, out, DB_AUTO_COMMIT)) != 0) {
		if (rename_plain(st, db_names[i], out) == 0)
			return 0;
		return store_fail(st, "rename", rc);
	}
	return 0;
}

/*
 * check_files - Berkeley DB's verifier on every database file, before any
 * is opened, when no other process uses the store (a file being written
 * meanwhile could look damaged).  A damaged cache (policy, DANE) or meta
 * database is moved aside and starts empty; a damaged result, source,
 * decision or report database is left in place and not opened: every
 * call on it fails, and result ingestion is refused, but nothing else.
 */
static void
check_files(struct store *st)
{
	long dead;
	int others;

	registry_scan(st, &dead, &others);
	if (others > 0)
		return;
	for (int i = 0; i < STORE_DB_COUNT; i++) {
		char path[PATH_MAX], moved[300], why[sizeof(st->bdbmsg)];
		struct stat sb;
		DB *v;

		st->damaged[i] = 0;
		snprintf(path, sizeof(path), "%s/%s", st->dir, db_names[i]);
		if (stat(path, &sb) < 0 || db_create(&v, st->env, 0) != 0)
			continue;
		st->bdbmsg[0] = '\0';
		if (v->verify(v, db_names[i], NULL, NULL, 0) == 0)   /* v is gone */
			continue;
		snprintf(why, sizeof(why), "%s", st->bdbmsg[0] ? st->bdbmsg : "verification failed");
		if (st->check > 1 && (i == STORE_DB_META || i == STORE_DB_POLICY
		    || i == STORE_DB_DANE)) {
			if (aside(st, i, "damaged", moved, sizeof(moved)) == 0) {
				log_warnx("store: %s is damaged (%s): moved to %s, starting empty",
				    db_names[i], why, moved);
				continue;
			}
		}
		st->damaged[i] = 1;
		log_errorx("store: %s is damaged (%s): not used; move it aside to start it afresh",
		    db_names[i], why);
	}
	if (st->damaged[STORE_DB_RESULT] || st->damaged[STORE_DB_SOURCE])
		snprintf(st->refused, sizeof(st->refused), "%s is damaged",
		    db_names[st->damaged[STORE_DB_RESULT] ? STORE_DB_RESULT : STORE_DB_SOURCE]);
}

/*
 * The identity of a pair of result and source databases: counts are only
 * right with the read positions they were made with.  Both hold the same
 * random identity under IDENTITY_KEY (after every day's key in
 * result.db).  When one of them was deleted, replaced or restored from
 * another time, the identities differ: the positions are lost (reading
 * the logs again would count twice) or the counts are (the positions
 * would skip what they counted).  Either way the pair starts afresh: the
 * old result.db is moved aside and every log is read again from its
 * start, which rebuilds the counts of the days still in the logs.  Only
 * store_open_checked() does that, when no other process uses the store;
 * any other opener refuses to ingest until it is done.
 */
#define IDENTITY_KEY "~store"

static int
new_identity(struct store *st)
{
	unsigned char r[8];
	char hex[17];
	struct store_txn *txn;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		snprintf(st->err, sizeof(st->err), "getrandom failed");
		return -1;
	}
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	if ((txn = store_begin(st)) == NULL)
		return -1;
	if (store_put(st, txn, STORE_DB_RESULT, IDENTITY_KEY, strlen(IDENTITY_KEY), hex, 16) < 0
	    || store_put(st, txn, STORE_DB_SOURCE, IDENTITY_KEY, strlen(IDENTITY_KEY), hex, 16) < 0) {
		store_abort(st, txn);
		return -1;
	}
	return store_commit(st, txn);
}

/* start_afresh - move result.db aside (when it has counts), forget every
 * read position, and give the pair a new identity */
static int
start_afresh(struct store *st, int counts, char *moved, size_t movedlen)
{
	u_int32_t n;
	int rc;

	if (counts) {
		st->db[STORE_DB_RESULT]->close(st->db[STORE_DB_RESULT], 0);
		st->db[STORE_DB_RESULT] = NULL;
		if (aside(st, STORE_DB_RESULT, "unmatched", moved, movedlen) < 0
		    || db_open_one(st, STORE_DB_RESULT) < 0)
			return -1;
	}
	if ((rc = st->db[STORE_DB_SOURCE]->truncate(st->db[STORE_DB_SOURCE], NULL, &n,
	    DB_AUTO_COMMIT)) != 0)
		return store_fail(st, "truncate source.db", rc);
	return new_identity(st);
}

static int
check_identity(struct store *st)
{
	struct buf r, s;
	int rr, rs, rc = 0;
	long dead;
	int others;
	char moved[300] = "";

	if (st->damaged[STORE_DB_RESULT] || st->damaged[STORE_DB_SOURCE])
		return 0;
	buf_init(&r, 64);
	buf_init(&s, 64);
	rr = store_get(st, NULL, STORE_DB_RESULT, IDENTITY_KEY, strlen(IDENTITY_KEY), &r);
	rs = store_get(st, NULL, STORE_DB_SOURCE, IDENTITY_KEY, strlen(IDENTITY_KEY), &s);
	if (rr < 0 || rs < 0) {
		rc = -1;
	} else if (rr == STORE_NOTFOUND && rs == STORE_NOTFOUND) {
		rc = new_identity(st);   /* a new store, or one from before identities */
	} else if (rr != 0 || rs != 0 || r.len != s.len || memcmp(r.data, s.data, r.len) != 0) {
		const char *why = rr == STORE_NOTFOUND
		    ? "result.db was deleted or replaced: the counts stored before are lost"
		    : rs == STORE_NOTFOUND
		    ? "source.db was deleted or replaced: the logs' read positions are lost"
		    : "result.db and source.db do not belong together (one was replaced)";

		registry_scan(st, &dead, &others);
		if (st->check < 2 || others > 0) {
			snprintf(st->refused, sizeof(st->refused), "%s; result ingestion is refused "
			    "until tlspolicyd starts with no other program using the store", why);
		} else if (start_afresh(st, rr == 0, moved, sizeof(moved)) < 0) {
			rc = -1;
		} else {
			log_warnx("store: %s; counting afresh%s%s: every log is read again from its "
			    "start", why, moved[0] ? ", the old counts moved to " : "", moved);
		}
	}
	buf_fini(&r);
	buf_fini(&s);
	return rc;
}

/* env_open - join (or create, or recover) the environment and open the
 * databases; -1 with st->err set */
static int
env_open(struct store *st)
{
	u_int32_t flags = DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN
	    | DB_REGISTER | DB_RECOVER;
	long dead;
	int rc, others = 1;

	st->down = 0;
	st->gen++;
	st->bdbmsg[0] = '\0';
	/* alone: recover unconditionally first (without DB_REGISTER), which
	 * also drops the cache, so that verification reads the files and not
	 * pages cached before they were damaged */
	if (st->check && !st->opened) {
		registry_scan(st, &dead, &others);
		if (st->regfd >= 0)
			close(st->regfd);
		st->regfd = -1;
	}
	for (int pass = others == 0 ? 0 : 1; pass < 2; pass++) {
		if ((rc = db_env_create(&st->env, 0)) != 0) {
			st->env = NULL;
			return store_fail(st, "db_env_create", rc);
		}
		st->env->app_private = st;
		st->env->set_errcall(st->env, on_bdb_error);
		st->env->set_msgcall(st->env, on_bdb_message);
		st->env->set_event_notify(st->env, on_bdb_event);
		st->env->set_cachesize(st->env, 0, 8u << 20, 1);
		st->env->set_lg_max(st->env, 4u << 20);
		st->env->set_lk_detect(st->env, DB_LOCK_DEFAULT);
		/* nobody ever waits for a lock: a lock wait ends only when its
		 * holder lets go, which a process that died never does */
		st->env->set_flags(st->env, DB_TXN_NOWAIT, 1);
		st->env->log_set_config(st->env, DB_LOG_AUTO_REMOVE, 1);
		if ((rc = st->env->open(st->env, st->dir, pass == 0 ? flags & ~(u_int32_t)DB_REGISTER
		    : flags, 0600)) != 0) {
			snprintf(st->err, sizeof(st->err), "open environment %s: %s%s%s%s", st->dir,
			    db_strerror(rc), st->bdbmsg[0] ? " (" : "", st->bdbmsg,
			    st->bdbmsg[0] ? ")" : "");
			return -1;
		}
		if (pass == 0) {
			st->env->close(st->env, 0);
			st->env = NULL;
		}
	}
	if (st->check && !st->opened && others == 0)
		check_files(st);
	st->opened = 1;
	for (int i = 0; i < STORE_DB_COUNT; i++)
		if (!st->damaged[i] && db_open_one(st, i) < 0)
			return -1;
	if (store_check_layout(st) < 0)
		return -1;
	return check_identity(st);
}

struct store *
store_open(const char *dir, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->dir = xstrdup(dir);
	st->regfd = -1;
	if (env_open(st) < 0) {
		snprintf(err, errlen, "%s", st->err);
		store_close(st);
		return NULL;
	}
	return st;
}

struct store *
store_open_checked(const char *dir, int repair, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->dir = xstrdup(dir);
	st->regfd = -1;
	st->check = repair ? 2 : 1;
	if (env_open(st) < 0) {
		snprintf(err, errlen, "%s", st->err);
		store_close(st);
		return NULL;
	}
	return st;
}

int
store_verify(struct store *st, enum store_db db)
{
	DB *v;
	int rc;

	DB_CHECK(st, db);
	if ((rc = db_create(&v, st->env, 0)) != 0)
		return store_fail(st, "db_create", rc);
	st->bdbmsg[0] = '\0';
	if ((rc = v->verify(v, db_names[db], NULL, NULL, 0)) != 0) {
		snprintf(st->err, sizeof(st->err), "%s is damaged (%s)", db_names[db],
		    st->bdbmsg[0] ? st->bdbmsg : db_strerror(rc));
		return -1;
	}
	return 0;
}

int
store_maintain(struct store *st)
{
	time_t now = time(NULL);
	long pid;
	int others;

	if (STORE_USABLE(st)) {
		registry_scan(st, &pid, &others);
		if (pid == 0)
			return 0;
		/* its locks and transactions stay until recovery */
		snprintf(st->err, sizeof(st->err), "process %ld died with the store open", pid);
		st->down = 1;
		st->retry_at = 0;
	}
	if (now < st->retry_at)
		return -1;
	st->retry_at = now + STORE_RETRY_SEC;
	snprintf(st->why, sizeof(st->why), "%s", st->err);
	env_close(st, 0);
	if (env_open(st) < 0) {
		char why[sizeof(st->err)];

		snprintf(why, sizeof(why), "%s", st->err);
		env_close(st, 0);
		st->down = 1;
		snprintf(st->err, sizeof(st->err), "store unavailable: %.480s", why);
		return -1;
	}
	st->err[0] = '\0';
	return 1;
}

const char *
store_recovered_from(const struct store *st)
{
	return st->why;
}

int
store_checkpoint(struct store *st)
{
	int rc;

	if (!STORE_USABLE(st))
		return store_unavailable(st);
	rc = st->env->txn_checkpoint(st->env, 0, 0, 0);

	return rc ? store_fail(st, "checkpoint", rc) : 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	env_close(st, 1);
	free(st->dir);
	free(st);
}

struct store_txn *
store_begin(struct store *st)
{
	DB_TXN *txn = NULL;
	int rc;

	if (!STORE_USABLE(st)) {
		store_unavailable(st);
		return NULL;
	}
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
	int rc;

	if (st->env == NULL)
		return store_unavailable(st);
	rc = t->commit(t, flags);

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

	if (t && st->env)
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

	DB_CHECK(st, db);
	rec = xmalloc(vlen + 1);
	rec[0] = STORE_RECORD_VERSION;
	if (vlen)
		memcpy(rec + 1, val, vlen);
	dbt_init(&k, key, klen);
	dbt_init(&v, rec, vlen + 1);
	rc = st->db[db]->put(st->db[db], (DB_TXN *)txn, &k, &v, txn ? 0 : DB_AUTO_COMMIT);
	free(rec);
	return rc ? store_fail(st, "put", rc) : 0;
}

int
store_get(struct store *st, struct store_txn *txn, enum store_db db,
    const void *key, size_t klen, struct buf *out)
{
	DBT k, v;
	int rc;

	dbt_init(&k, key, klen);
	memset(&v, 0, sizeof(v));
	v.flags = DB_DBT_MALLOC;
	buf_reset(out);
	DB_CHECK(st, db);
	if (txn == NULL) {
		/* a read of its own, so that it cannot wait for a lock either;
		 * a writer holds its locks for a moment only */
		for (int tries = 0;; tries++) {
			DB_TXN *t;

			if ((rc = st->env->txn_begin(st->env, NULL, &t, DB_READ_COMMITTED)) != 0)
				return store_fail(st, "txn_begin", rc);
			rc = st->db[db]->get(st->db[db], t, &k, &v, 0);
			t->commit(t, 0);
			if (!LOCK_BUSY(rc) || tries == STORE_LOCK_TRIES)
				break;
			usleep(STORE_LOCK_PAUSE_USEC);
		}
	} else {
		rc = st->db[db]->get(st->db[db], (DB_TXN *)txn, &k, &v, 0);
	}
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

	DB_CHECK(st, db);
	dbt_init(&k, key, klen);
	rc = st->db[db]->del(st->db[db], (DB_TXN *)txn, &k, txn ? 0 : DB_AUTO_COMMIT);
	if (rc == DB_NOTFOUND)
		return STORE_NOTFOUND;
	return rc ? store_fail(st, "del", rc) : 0;
}

long
store_count(struct store *st, enum store_db db)
{
	DB_BTREE_STAT *sp = NULL;
	long n;
	int rc;

	DB_CHECK(st, db);
	if ((rc = st->db[db]->stat(st->db[db], NULL, &sp, 0)) != 0)
		return store_fail(st, "stat", rc);
	n = (long)sp->bt_nkeys;
	free(sp);
	return n;
}

struct store_cursor {
	struct store *st;
	DB_TXN *txn;             /* a read-committed transaction of its own */
	unsigned gen;
	DBC *dbc;
	unsigned char *seek;     /* pending store_cursor_seek() key */
	size_t seeklen;
};

struct store_cursor *
store_cursor_open(struct store *st, enum store_db db)
{
	struct store_cursor *c;
	int rc;

	if (!STORE_USABLE(st)) {
		store_unavailable(st);
		return NULL;
	}
	if (st->db[db] == NULL) {
		store_damaged(st, db);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	if ((rc = st->env->txn_begin(st->env, NULL, &c->txn, DB_READ_COMMITTED | DB_TXN_NOWAIT))
	    != 0) {
		store_fail(st, "txn_begin", rc);
		free(c);
		return NULL;
	}
	if ((rc = st->db[db]->cursor(st->db[db], c->txn, &c->dbc, DB_READ_COMMITTED)) != 0) {
		c->txn->abort(c->txn);
		store_fail(st, "cursor", rc);
		free(c);
		return NULL;
	}
	c->st = st;
	c->gen = st->gen;
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
		if (!STORE_USABLE(c->st) || c->gen != c->st->gen)
			return store_unavailable(c->st);
		for (int tries = 0;; tries++) {
			if (c->seek) {
				dbt_init(&k, c->seek, c->seeklen);
				rc = c->dbc->get(c->dbc, &k, &v, DB_SET_RANGE);
			} else {
				rc = c->dbc->get(c->dbc, &k, &v, DB_NEXT);
			}
			if (!LOCK_BUSY(rc) || tries == STORE_LOCK_TRIES)
				break;
			usleep(STORE_LOCK_PAUSE_USEC);
		}
		free(c->seek);
		c->seek = NULL;
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
	if (STORE_USABLE(c->st) && c->gen == c->st->gen) {
		c->dbc->close(c->dbc);
		c->txn->commit(c->txn, 0);
	}
	free(c);
}
