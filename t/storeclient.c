/*
 * storeclient - a bare Berkeley DB client of a tlspolicyd store, for the
 * tests of clients that die: it joins the environment as every program
 * of the project does and then stops at a chosen point, to be killed.
 *
 *   storeclient hold DIR   begin a transaction, write a record of
 *                          result.db, print "holding", wait forever
 *   storeclient wait DIR   read that record in a transaction that waits
 *                          up to an hour for its lock (the project's own
 *                          programs never wait for a lock), printing
 *                          "waiting" first: killed there, it dies inside
 *                          the library
 */
#include "config.h"

#include <db.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "storeclient: %s: %s\n", what, db_strerror(rc));
	return 1;
}

int
main(int argc, char **argv)
{
	DB_ENV *env;
	DB *db;
	DB_TXN *txn;
	DBT k, v;
	static char key[] = "~storeclient", val[] = "\001x";
	int rc, hold;

	if (argc != 3 || (strcmp(argv[1], "hold") != 0 && strcmp(argv[1], "wait") != 0)) {
		fprintf(stderr, "usage: storeclient hold|wait DIR\n");
		return 2;
	}
	hold = strcmp(argv[1], "hold") == 0;
	if ((rc = db_env_create(&env, 0)) != 0)
		return fail("db_env_create", rc);
	if ((rc = env->open(env, argv[2], DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL
	    | DB_INIT_TXN | DB_REGISTER | DB_RECOVER, 0600)) != 0)
		return fail("open environment", rc);
	if ((rc = db_create(&db, env, 0)) != 0)
		return fail("db_create", rc);
	if ((rc = db->open(db, NULL, "result.db", NULL, DB_BTREE, DB_AUTO_COMMIT, 0600)) != 0)
		return fail("open result.db", rc);
	if ((rc = env->txn_begin(env, NULL, &txn, 0)) != 0)
		return fail("txn_begin", rc);
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = key;
	k.size = sizeof(key) - 1;
	if (hold) {
		v.data = val;
		v.size = sizeof(val) - 1;
		if ((rc = db->put(db, txn, &k, &v, 0)) != 0)
			return fail("put", rc);
		printf("holding\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	txn->set_timeout(txn, 3600u * 1000000u, DB_SET_LOCK_TIMEOUT);
	printf("waiting\n");
	fflush(stdout);
	rc = db->get(db, txn, &k, &v, 0);
	return fail("get", rc);
}
