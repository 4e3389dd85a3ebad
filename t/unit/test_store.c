/* Unit tests for tlspolicy/base/store (Berkeley DB). */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "store.h"
#include "storecheck.h"
#include "tap.h"

#define PAGE 4096

/* path - dir/name in a static buffer */
static const char *
path(const char *dir, const char *name)
{
	static char p[400];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/* fresh_regions - drop the environment's region files after a clean
 * close, as recovery does: nothing cached hides what is on disk */
static void
fresh_regions(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "__db.0", 6) == 0)
			unlink(path(dir, e->d_name));
	if (d)
		closedir(d);
}

/* garble - overwrite page pg of dir/name with the same garbage every run;
 * keep_times: then set its modification time back */
static void
garble(const char *dir, const char *name, int pg, int keep_times)
{
	unsigned char junk[PAGE];
	unsigned x = 12345;
	struct stat sb;
	struct timespec ts[2];
	int fd;

	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	stat(path(dir, name), &sb);
	if ((fd = open(path(dir, name), O_WRONLY)) < 0
	    || pwrite(fd, junk, sizeof(junk), (off_t)pg * PAGE) != (ssize_t)sizeof(junk))
		tap_diag("garble %s: failed", name);
	if (fd >= 0)
		close(fd);
	if (keep_times) {
		ts[0] = sb.st_atim;
		ts[1] = sb.st_mtim;
		utimensat(AT_FDCWD, path(dir, name), ts, 0);
	}
}

/* copy - dir/from to dir/to */
static void
copy(const char *dir, const char *from, const char *to)
{
	char buf[PAGE], a[400];
	ssize_t n;
	int in, out;

	snprintf(a, sizeof(a), "%s", path(dir, from));
	in = open(a, O_RDONLY);
	out = open(path(dir, to), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
}

/* fill - enough records in db for several pages */
static void
fill(struct store *st, enum store_db db)
{
	char k[32], v[200];

	memset(v, 'v', sizeof(v));
	for (int i = 0; i < 200; i++) {
		snprintf(k, sizeof(k), "2026-01-01\tk%04d", i);
		store_put(st, NULL, db, k, strlen(k), v, sizeof(v));
	}
}

/* commit_counts - a commit of counts as ingest makes it: stamps raised */
static int
commit_counts(struct store *st, const char *val)
{
	struct store_txn *txn = store_begin(st);

	if (txn == NULL)
		return -1;
	if (storecheck_pair_bump(st, txn) < 0
	    || store_put(st, txn, STORE_DB_RESULT, "2026-01-02\tx", 12, val, strlen(val)) < 0
	    || store_put(st, txn, STORE_DB_SOURCE, "/var/log/mail.log", 17, val, strlen(val)) < 0) {
		store_abort(st, txn);
		return -1;
	}
	return store_commit(st, txn);
}

/* reopen - close, drop the regions, garble page 1 of name unless NULL,
 * open again */
static struct store *
reopen(struct store *st, const char *dir, const char *name, int keep_times)
{
	char err[512];
	struct store *n;

	store_close(st);
	fresh_regions(dir);
	if (name)
		garble(dir, name, 1, keep_times);
	if ((n = store_open(dir, err, sizeof(err))) == NULL)
		tap_diag("reopen: %s", err);
	return n;
}

/* damaged_files - a garbage page: found before the file is opened (no
 * SIGBUS), said, and only what depends on that file fails */
static void
damaged_files(const char *dir)
{
	char err[512], why[1024];
	struct store *st;
	struct buf v;
	struct stat sb;

	buf_init(&v, 1024);
	mkdir(dir, 0700);
	st = store_open(dir, err, sizeof(err));
	is_int(storecheck_counting(st, why, sizeof(why)), 0, "damage: a new store may count");
	fill(st, STORE_DB_RESULT);
	fill(st, STORE_DB_POLICY);
	st = reopen(st, dir, "result.db", 0);
	ok(st != NULL, "damaged result.db: the store opens (%s)", st ? "" : err);
	ok(store_damage(st, STORE_DB_RESULT) != NULL
	    && strstr(store_damage(st, STORE_DB_RESULT), "result.db is damaged (") != NULL,
	    "damaged result.db: found, with what is wrong: %s", store_damage(st, STORE_DB_RESULT));
	is_int(store_get(st, NULL, STORE_DB_RESULT, "2026-01-01\tk0001", 16, &v), -1,
	    "damaged result.db: reads fail");
	ok(strstr(store_strerror(st), "result.db is damaged") != NULL, "... saying why: %s",
	    store_strerror(st));
	ok(store_cursor_open(st, STORE_DB_RESULT) == NULL, "damaged result.db: no cursor");
	is_int(store_get(st, NULL, STORE_DB_POLICY, "2026-01-01\tk0001", 16, &v), 0,
	    "damaged result.db: the other databases work");
	is_int(storecheck_counting(st, why, sizeof(why)), 1, "damaged result.db: no counting");
	ok(strstr(why, "result.db is damaged") != NULL && strstr(why, "store-accept") != NULL,
	    "... saying why and what to do: %s", why);
	is_int(commit_counts(st, "1"), -1, "damaged result.db: a commit of counts fails");
	st = reopen(st, dir, NULL, 0);
	ok(st != NULL && store_damage(st, STORE_DB_RESULT) != NULL,
	    "damaged result.db: still found on the next open (not sealed)");
	is_int(storecheck_accept(st, why, sizeof(why), err, sizeof(err)), 0, "accept the loss");
	ok(strstr(why, "result.db moved to result.db.damaged") != NULL, "... said: %s", why);
	ok(stat(path(dir, "result.db.damaged"), &sb) == 0, "the damaged file is kept aside");
	is_int(storecheck_counting(st, why, sizeof(why)), 0, "after accepting: counting");
	is_int(commit_counts(st, "1"), 0, "after accepting: a commit of counts");

	/* a cache is rebuilt */
	st = reopen(st, dir, "policy.db", 0);
	ok(st != NULL && store_damage(st, STORE_DB_POLICY) == NULL,
	    "damaged policy.db: rebuilt, not refused");
	ok(stat(path(dir, "policy.db.damaged"), &sb) == 0, "damaged policy.db: moved aside");
	is_int(store_count(st, STORE_DB_POLICY), 0, "damaged policy.db: the cache starts empty");
	is_int(store_put(st, NULL, STORE_DB_POLICY, "k", 1, "v", 1), 0, "... and is usable");

	/* the seal: an unchanged file is not verified again, a written one is
	 * even when its modification time is set back */
	fill(st, STORE_DB_DANE);
	store_close(st);
	ok(stat(path(dir, STORECHECK_SEAL), &sb) == 0, "a clean close seals the store");
	st = store_open(dir, err, sizeof(err));
	st = reopen(st, dir, "dane.db", 1);
	ok(st != NULL && stat(path(dir, "dane.db.damaged"), &sb) == 0,
	    "a page written with the modification time set back is still found");
	store_close(st);
	buf_fini(&v);
}

/* pairs - counts and log positions: a lost, replaced or restored-alone
 * file stops counting, and says so */
static void
pairs(const char *dir)
{
	char err[512], why[1024];
	struct store *st;

	mkdir(dir, 0700);
	st = store_open(dir, err, sizeof(err));
	is_int(storecheck_counting(st, why, sizeof(why)), 0, "pair: a new store is stamped");
	is_int(commit_counts(st, "1"), 0, "pair: commit 1");
	is_int(commit_counts(st, "2"), 0, "pair: commit 2");
	is_int(storecheck_counting(st, why, sizeof(why)), 0, "pair: still matching");
	store_close(st);
	fresh_regions(dir);
	copy(dir, "result.db", "result.db.bak");
	copy(dir, "source.db", "source.db.bak");

	/* source.db deleted */
	unlink(path(dir, "source.db"));
	st = store_open(dir, err, sizeof(err));
	is_int(storecheck_counting(st, why, sizeof(why)), 1, "source.db deleted: no counting");
	ok(strstr(why, "source.db was deleted or replaced") != NULL
	    && strstr(why, "count twice") != NULL, "... saying why: %s", why);
	is_int(commit_counts(st, "3"), -1, "source.db deleted: a commit of counts is refused");
	st = reopen(st, dir, NULL, 0);
	is_int(storecheck_counting(st, why, sizeof(why)), 1, "source.db deleted: still so");
	is_int(storecheck_accept(st, why, sizeof(why), err, sizeof(err)), 0, "source.db: accept");
	is_int(storecheck_counting(st, why, sizeof(why)), 0, "source.db: counting again");
	is_int(storecheck_accept(st, why, sizeof(why), err, sizeof(err)), 1,
	    "accepting again: nothing to do");
	store_close(st);
	fresh_regions(dir);

	/* result.db deleted */
	unlink(path(dir, "result.db"));
	st = store_open(dir, err, sizeof(err));
	is_int(storecheck_counting(st, why, sizeof(why)), 1, "result.db deleted: no counting");
	ok(strstr(why, "result.db was deleted or replaced") != NULL, "... saying why: %s", why);
	store_close(st);
	fresh_regions(dir);

	/* both from one backup: fine; one of them older: refused */
	copy(dir, "result.db.bak", "result.db");
	copy(dir, "source.db.bak", "source.db");
	st = store_open(dir, err, sizeof(err));
	is_int(storecheck_counting(st, why, sizeof(why)), 0, "both from one backup: counting");
	is_int(commit_counts(st, "3"), 0, "... commit 3");
	store_close(st);
	fresh_regions(dir);
	copy(dir, "result.db.bak", "result.db");
	st = store_open(dir, err, sizeof(err));
	is_int(storecheck_counting(st, why, sizeof(why)), 1, "result.db restored alone: refused");
	ok(strstr(why, "result.db is older than source.db") != NULL, "... saying why: %s", why);
	store_close(st);
	fresh_regions(dir);
	copy(dir, "source.db.bak", "source.db");
	copy(dir, "result.db.bak", "result.db");
	st = store_open(dir, err, sizeof(err));
	is_int(commit_counts(st, "4"), 0, "both from one backup again: commit");
	store_close(st);
	fresh_regions(dir);
	copy(dir, "source.db.bak", "source.db");
	st = store_open(dir, err, sizeof(err));
	is_int(storecheck_counting(st, why, sizeof(why)), 1, "source.db restored alone: refused");
	ok(strstr(why, "source.db is older than result.db") != NULL, "... saying why: %s", why);
	store_close(st);
}

/* one process at a time: a second opener is told who holds the store;
 * a holder killed in the middle of a transaction leaves nothing in the
 * way of the next opener, which recovers what was committed */
static void
test_owner(const char *top)
{
	char err[512], dir[300], want[64];
	struct store *st, *st2;
	struct store_txn *txn;
	struct buf v;
	long holder = -1;
	int status, p[2];
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/owner", top);
	mkdir(dir, 0700);
	buf_init(&v, 1024);
	st = store_open(dir, err, sizeof(err));
	ok(st != NULL, "open (%s)", st ? "" : err);
	snprintf(want, sizeof(want), "in use by pid %ld", (long)getpid());
	st2 = store_open(dir, err, sizeof(err));
	ok(st2 == NULL && strstr(err, want) != NULL, "second open refused: %s", err);
	st2 = store_new(dir);
	is_int(store_resume(st2, &holder), STORE_BUSY, "store_resume says busy");
	is_int(holder, (long)getpid(), "and names the holder");
	is_int(store_put(st2, NULL, STORE_DB_POLICY, "k", 1, "v", 1), -1, "a busy store refuses writes");
	store_suspend(st, "store lent to pid 4242");
	ok(!store_is_open(st), "suspended");
	is_int(store_put(st, NULL, STORE_DB_POLICY, "k", 1, "v", 1), -1, "a suspended store refuses writes");
	is_str(store_strerror(st), "store lent to pid 4242", "with the reason given");
	ok(store_get(st, NULL, STORE_DB_POLICY, "k", 1, &v) == -1 && store_begin(st) == NULL
	    && store_cursor_open(st, STORE_DB_POLICY) == NULL && store_count(st, STORE_DB_POLICY) == -1,
	    "and every other operation, at once");
	is_int(store_should_log(st), 0, "nothing to log while suspended");
	is_int(store_resume(st2, NULL), 0, "the other opener takes it");
	is_int(store_put(st2, NULL, STORE_DB_POLICY, "k", 1, "v2", 2), 0, "and writes");
	is_int(store_resume(st, &holder), STORE_BUSY, "the first cannot resume meanwhile");
	store_close(st2);
	is_int(store_resume(st, NULL), 0, "resumes once the other closed");
	is_int(store_get(st, NULL, STORE_DB_POLICY, "k", 1, &v), 0, "sees the other's write");
	is_str(v.data, "v2", "its value");
	store_close(st);

	/* a holder killed with a transaction open and a committed one */
	if (pipe(p) < 0)
		abort();
	if ((pid = fork()) == 0) {
		close(p[0]);
		if ((st = store_open(dir, err, sizeof(err))) == NULL)
			_exit(1);
		store_put(st, NULL, STORE_DB_RESULT, "committed", 9, "1", 1);
		txn = store_begin(st);
		store_put(st, txn, STORE_DB_RESULT, "uncommitted", 11, "1", 1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	{
		char c;

		ok(read(p[0], &c, 1) == 1, "the child holds the store");
	}
	close(p[0]);
	st = store_open(dir, err, sizeof(err));
	ok(st == NULL && strstr(err, "in use by pid") != NULL, "busy while the child lives: %s", err);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	st = store_open(dir, err, sizeof(err));
	ok(st != NULL, "open after the holder was killed (%s)", st ? "recovered" : err);
	if (st) {
		is_int(store_get(st, NULL, STORE_DB_RESULT, "committed", 9, &v), 0,
		    "its committed write is there");
		is_int(store_get(st, NULL, STORE_DB_RESULT, "uncommitted", 11, &v), STORE_NOTFOUND,
		    "its open transaction is not");
		is_int(store_put(st, NULL, STORE_DB_RESULT, "after", 5, "1", 1), 0, "and it writes");
		store_close(st);
	}
	buf_fini(&v);
}

int
main(void)
{
	char err[512], dir[300];
	struct store *st;
	struct store_txn *txn;
	struct buf v;

	snprintf(dir, sizeof(dir), "%s/state", tap_tmpdir());
	st = store_open(dir, err, sizeof(err));
	ok(st == NULL && strstr(err, dir) != NULL, "missing directory is an error: %s", err);
	mkdir(dir, 0700);
	st = store_open(dir, err, sizeof(err));
	ok(st != NULL, "open a new store (%s)", st ? "" : err);
	buf_init(&v, 1024);
	is_int(store_get(st, NULL, STORE_DB_POLICY, "k", 1, &v), STORE_NOTFOUND, "absent key");
	is_int(store_put(st, NULL, STORE_DB_POLICY, "k", 1, "value", 5), 0, "auto-commit put");
	is_int(store_get(st, NULL, STORE_DB_POLICY, "k", 1, &v), 0, "get");
	is_str(v.data, "value", "value read back");
	txn = store_begin(st);
	ok(txn != NULL, "begin");
	store_put(st, txn, STORE_DB_RESULT, "a", 1, "1", 1);
	store_put(st, txn, STORE_DB_RESULT, "b", 1, "2", 1);
	store_abort(st, txn);
	is_int(store_get(st, NULL, STORE_DB_RESULT, "a", 1, &v), STORE_NOTFOUND, "abort undoes");
	txn = store_begin(st);
	store_put(st, txn, STORE_DB_RESULT, "a", 1, "1", 1);
	store_put(st, txn, STORE_DB_RESULT, "b", 1, "2", 1);
	is_int(store_commit(st, txn), 0, "commit");
	is_int(store_count(st, STORE_DB_RESULT), 2, "two records after commit");
	is_int(store_del(st, NULL, STORE_DB_RESULT, "a", 1), 0, "delete");
	is_int(store_del(st, NULL, STORE_DB_RESULT, "a", 1), STORE_NOTFOUND, "delete again");
	is_int(store_put_lazy(st, STORE_DB_DECISION, "d", 1, "lazy", 4), 0, "lazy put");
	is_int(store_get(st, NULL, STORE_DB_DECISION, "d", 1, &v), 0, "lazy put read back");
	is_str(v.data, "lazy", "lazy value");
	is_int(store_checkpoint(st), 0, "checkpoint");
	store_close(st);

	st = store_open(dir, err, sizeof(err));
	ok(st != NULL, "reopen");
	is_int(store_get(st, NULL, STORE_DB_POLICY, "k", 1, &v), 0, "data survives reopen");
	is_str(v.data, "value", "same value");
	is_int(store_get(st, NULL, STORE_DB_DECISION, "d", 1, &v), 0, "lazy put survives reopen");
	/* a store written by another layout is refused, not misread */
	store_put(st, NULL, STORE_DB_META, "layout", 6, "99", 2);
	store_close(st);
	st = store_open(dir, err, sizeof(err));
	ok(st == NULL && strstr(err, "layout version 99") != NULL, "newer layout refused: %s", err);
	buf_fini(&v);

	snprintf(dir, sizeof(dir), "%s/damaged", tap_tmpdir());
	damaged_files(dir);
	snprintf(dir, sizeof(dir), "%s/pairs", tap_tmpdir());
	pairs(dir);
	test_owner(tap_tmpdir());
	return tap_done();
}
