/* Unit tests for tlspolicy/base/store (Berkeley DB). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "store.h"
#include "tap.h"

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
	is_int(store_checkpoint(st), 0, "checkpoint");
	store_close(st);

	st = store_open(dir, err, sizeof(err));
	ok(st != NULL, "reopen");
	is_int(store_get(st, NULL, STORE_DB_POLICY, "k", 1, &v), 0, "data survives reopen");
	is_str(v.data, "value", "same value");
	/* a store written by another layout is refused, not misread */
	store_put(st, NULL, STORE_DB_META, "layout", 6, "99", 2);
	store_close(st);
	st = store_open(dir, err, sizeof(err));
	ok(st == NULL && strstr(err, "layout version 99") != NULL, "newer layout refused: %s", err);
	buf_fini(&v);
	test_owner(tap_tmpdir());
	return tap_done();
}
