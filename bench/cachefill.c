/*
 * cachefill - bench-only loader: fills a tlspolicyd state directory with
 * N cached MTA-STS policies (enforce, "mx: mx.DOMAIN", checked now, valid
 * for a day), each with the DANE result a domain without DNSSEC has (MX
 * not validated: MTA-STS applies), and N DANE results (all MX hosts with
 * a usable TLSA 3 1 1 record), each with the MTA-STS entry of a domain
 * without a policy (no TXT record, checked now), in the record layouts
 * mtasts.c and dane.c write (entry_save),
 * through the store API, 10,000 records per transaction.  The daemon
 * started on that directory loads them as its own.
 *
 * usage: cachefill STATE_DIR N [DANE_N]
 * Domains: s<i>.example (MTA-STS, i < N) and t<i>.example (DANE, i <
 * DANE_N, default N).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "numparse.h"
#include "store.h"

int
main(int argc, char **argv)
{
	char err[256], dom[64];
	struct store *st;
	struct store_txn *txn = NULL;
	struct buf b;
	uint64_t n, nd = 0;
	long long now = (long long)time(NULL);

	if ((argc != 3 && argc != 4) || numparse_uint(argv[2], strlen(argv[2]), 100000000, &n) < 0 || n == 0
	    || (argc == 4 && numparse_uint(argv[3], strlen(argv[3]), 100000000, &nd) < 0)) {
		fprintf(stderr, "usage: cachefill STATE_DIR N [DANE_N]\n");
		return 2;
	}
	if ((st = store_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "cachefill: %s\n", err);
		return 1;
	}
	if (argc == 3)
		nd = n;
	buf_init(&b, 8192);
	for (uint64_t i = 0; i < n + nd; i++) {
		int sts = i < n;

		if (txn == NULL && (txn = store_begin(st)) == NULL)
			goto fail;
		buf_reset(&b);
		if (sts) {
			snprintf(dom, sizeof(dom), "s%llu.example", (unsigned long long)i);
			buf_printf(&b, "id 2026%06lu\nfetched %lld\nexpires %lld\nchecked %lld\nlast_used %lld\n"
			    "retry_after 0\nerror \npolicy\nversion: STSv1\nmode: enforce\nmx: mx.%s\nmax_age: 86400\n",
			    (unsigned long)(i % 1000000), now, now + 86400, now, now, dom);
		} else {
			snprintf(dom, sizeof(dom), "t%llu.example", (unsigned long long)(i - n));
			buf_printf(&b, "verdict 3\nexpires %lld\nmx_secure 1\nwhy \nhost mx.%s mx.%s 1 1\n"
			    "tlsa 3 1 1 %064llx\n", now + 86400, dom, dom, (unsigned long long)i);
		}
		if (store_put(st, txn, sts ? STORE_DB_POLICY : STORE_DB_DANE, dom, strlen(dom), b.data,
		    b.len) < 0)
			goto fail;
		/* what the daemon keeps beside: for a domain without DNSSEC,
		 * or without an MTA-STS policy */
		buf_reset(&b);
		if (sts)
			buf_printf(&b, "verdict 1\nexpires %lld\nmx_secure 0\nwhy MX RRset not DNSSEC-validated\n",
			    now + 86400);
		else
			buf_printf(&b, "id \nfetched 0\nexpires 0\nchecked %lld\nlast_used %lld\n"
			    "retry_after 0\nerror \n", now, now);
		if (store_put(st, txn, sts ? STORE_DB_DANE : STORE_DB_POLICY, dom, strlen(dom), b.data,
		    b.len) < 0)
			goto fail;
		if (i % 10000 == 9999 || i == n + nd - 1) {
			if (store_commit(st, txn) < 0) {
				txn = NULL;
				goto fail;
			}
			txn = NULL;
		}
	}
	buf_fini(&b);
	store_close(st);
	return 0;
fail:
	fprintf(stderr, "cachefill: %s\n", store_strerror(st));
	if (txn)
		store_abort(st, txn);
	store_close(st);
	return 1;
}
