/* Unit tests for tlspolicy/base/store (Berkeley DB). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "store.h"
#include "tap.h"

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
	return tap_done();
}
