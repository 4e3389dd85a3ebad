/*
 * results - per-day session counts, see results.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "numparse.h"
#include "results.h"
#include "store.h"
#include "strmap.h"
#include "xalloc.h"

#define PURGE_BATCH 1000
#define PURGE_VALUE_MAX ((size_t)1 << 20)   /* a value read while purging: any record's */

/* put_field - append a tab and field, control bytes (tabs) made spaces */
static size_t
put_field(char *out, size_t outlen, size_t off, const char *f, int first)
{
	if (!first && off + 1 < outlen)
		out[off++] = '\t';
	for (; *f && off + 1 < outlen; f++)
		out[off++] = (unsigned char)*f < 0x20 || *f == 0x7f ? ' ' : *f;
	out[off] = '\0';
	return off;
}

size_t
results_key(const struct result_rec *r, char *out, size_t outlen)
{
	size_t off = 0;

	off = put_field(out, outlen, off, r->day, 1);
	off = put_field(out, outlen, off, r->domain, 0);
	off = put_field(out, outlen, off, r->ptype, 0);
	off = put_field(out, outlen, off, r->pkey, 0);
	off = put_field(out, outlen, off, r->failure ? "F" : "S", 0);
	if (r->failure) {
		off = put_field(out, outlen, off, r->result, 0);
		off = put_field(out, outlen, off, r->sendip, 0);
		off = put_field(out, outlen, off, r->mx, 0);
		off = put_field(out, outlen, off, r->rip, 0);
		off = put_field(out, outlen, off, r->reason, 0);
	}
	return off;
}

/* take - the next tab-separated field into dst; -1 if missing or too long */
static int
take(const char **p, const char *end, char *dst, size_t dstlen, int last)
{
	const char *t = memchr(*p, '\t', (size_t)(end - *p));
	size_t n;

	if (t == NULL) {
		if (!last)
			return -1;
		t = end;
	} else if (last) {
		return -1;
	}
	n = (size_t)(t - *p);
	if (n >= dstlen)
		return -1;
	memcpy(dst, *p, n);
	dst[n] = '\0';
	*p = t < end ? t + 1 : end;
	return 0;
}

int
results_parse_key(const char *key, size_t klen, struct result_rec *r)
{
	const char *p = key, *end = key + klen;
	char kind[2];

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < klen; i++)   /* results_key() writes no control bytes */
		if (((unsigned char)key[i] < 0x20 && key[i] != '\t') || key[i] == 0x7f)
			return -1;
	if (take(&p, end, r->day, sizeof(r->day), 0) < 0
	    || take(&p, end, r->domain, sizeof(r->domain), 0) < 0
	    || take(&p, end, r->ptype, sizeof(r->ptype), 0) < 0
	    || take(&p, end, r->pkey, sizeof(r->pkey), 0) < 0)
		return -1;
	if (end - p == 1 && *p == 'S')
		return 0;
	if (take(&p, end, kind, sizeof(kind), 0) < 0 || kind[0] != 'F')
		return -1;
	r->failure = 1;
	if (take(&p, end, r->result, sizeof(r->result), 0) < 0
	    || take(&p, end, r->sendip, sizeof(r->sendip), 0) < 0
	    || take(&p, end, r->mx, sizeof(r->mx), 0) < 0
	    || take(&p, end, r->rip, sizeof(r->rip), 0) < 0
	    || take(&p, end, r->reason, sizeof(r->reason), 1) < 0)
		return -1;
	return 0;
}

struct results_batch {
	struct strmap *counts;   /* key -> uint64_t * */
};

struct results_batch *
results_batch_new(void)
{
	struct results_batch *b = xcalloc(1, sizeof(*b));

	b->counts = strmap_new();
	return b;
}

void
results_batch_free(struct results_batch *b)
{
	if (b == NULL)
		return;
	strmap_free(b->counts, free);
	free(b);
}

void
results_batch_add(struct results_batch *b, const struct result_rec *r, uint64_t n)
{
	char key[RESULTS_KEY_MAX];
	uint64_t *c;

	results_key(r, key, sizeof(key));
	if ((c = strmap_get(b->counts, key)) == NULL) {
		c = xcalloc(1, sizeof(*c));
		strmap_put(b->counts, key, c);
	}
	*c += n;
}

size_t
results_batch_size(const struct results_batch *b)
{
	return strmap_count(b->counts);
}

static int
drop_all(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
	return 1;
}

void
results_batch_clear(struct results_batch *b)
{
	strmap_foreach_remove(b->counts, drop_all, NULL);
}

struct apply {
	struct store *st;
	struct store_txn *txn;
	struct buf val;
	int failed;
};

static void
apply_one(const char *key, void *value, void *arg)
{
	struct apply *a = arg;
	uint64_t n = *(uint64_t *)value, old = 0;
	char num[24];
	int rc;

	if (a->failed)
		return;
	rc = store_get(a->st, a->txn, STORE_DB_RESULT, key, strlen(key), &a->val);
	if (rc < 0) {
		a->failed = 1;
		return;
	}
	/* an unreadable counter restarts rather than blocking ingestion */
	if (rc == 0 && numparse_uint(a->val.data, a->val.len, UINT64_MAX, &old) < 0)
		old = 0;
	snprintf(num, sizeof(num), "%" PRIu64, old + n);
	if (store_put(a->st, a->txn, STORE_DB_RESULT, key, strlen(key), num, strlen(num)) < 0)
		a->failed = 1;
}

int
results_apply(struct store *st, struct store_txn *txn, const struct results_batch *b)
{
	struct apply a = { st, txn, { 0 }, 0 };

	buf_init(&a.val, 64);
	strmap_foreach(b->counts, apply_one, &a);
	buf_fini(&a.val);
	return a.failed ? -1 : 0;
}

/* collect_old - up to PURGE_BATCH keys "PREFIX" + a day before cutoff */
static int
collect_old(struct store *st, enum store_db db, const char *prefix, const char *cutoff,
    struct buf *keys, size_t *n)
{
	struct store_cursor *c = store_cursor_open(st, db);
	struct buf key, val;
	size_t plen = strlen(prefix), clen = strlen(cutoff);
	int rc;

	if (c == NULL)
		return -1;
	buf_init(&key, (size_t)RESULTS_KEY_MAX * 4);
	buf_init(&val, PURGE_VALUE_MAX);
	*n = 0;
	store_cursor_seek(c, prefix, plen);
	while (*n < PURGE_BATCH && (rc = store_cursor_next(c, &key, &val)) == 0
	    && key.len >= plen + clen && memcmp(key.data, prefix, plen) == 0
	    && memcmp(key.data + plen, cutoff, clen) < 0) {
		uint32_t len = (uint32_t)key.len;

		if (buf_append(keys, &len, sizeof(len)) < 0 || buf_append(keys, key.data, key.len) < 0)
			break;
		(*n)++;
	}
	store_cursor_close(c);
	buf_fini(&key);
	buf_fini(&val);
	return rc < 0 ? -1 : 0;
}

/* purge_db - delete the records before cutoff, PURGE_BATCH per transaction */
static long
purge_db(struct store *st, enum store_db db, const char *prefix, const char *cutoff)
{
	long total = 0;
	struct buf keys;
	size_t n;
	int rc = 0;

	buf_init(&keys, PURGE_BATCH * ((size_t)RESULTS_KEY_MAX * 4 + 4));
	do {
		struct store_txn *txn;

		buf_reset(&keys);
		if (collect_old(st, db, prefix, cutoff, &keys, &n) < 0)
			rc = -1;
		if (rc < 0 || n == 0)
			break;
		if ((txn = store_begin(st)) == NULL) {
			rc = -1;
			break;
		}
		for (size_t off = 0; off < keys.len && rc >= 0;) {
			uint32_t len;

			memcpy(&len, keys.data + off, sizeof(len));
			off += sizeof(len);
			if (store_del(st, txn, db, keys.data + off, len) < 0)
				rc = -1;
			off += len;
		}
		if (rc < 0 || store_commit(st, txn) < 0) {
			if (rc < 0)
				store_abort(st, txn);
			rc = -1;
			break;
		}
		total += (long)n;
	} while (n == PURGE_BATCH);
	buf_fini(&keys);
	return rc < 0 ? -1 : total;
}

long
results_purge(struct store *st, const char *cutoff)
{
	long a, b, c;

	if ((a = purge_db(st, STORE_DB_RESULT, "", cutoff)) < 0
	    || (b = purge_db(st, STORE_DB_DECISION, "", cutoff)) < 0
	    || (c = purge_db(st, STORE_DB_REPORT, "sent\t", cutoff)) < 0)
		return -1;
	return a + b + c;
}
