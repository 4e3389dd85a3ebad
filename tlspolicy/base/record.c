/*
 * record - binary record cursor and day-keyed purge, see record.h.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "record.h"
#include "store.h"

#define PURGE_BATCH 1000
#define PURGE_VALUE_MAX ((size_t)1 << 20)   /* a value read while purging: any record's */
#define PURGE_KEY_MAX 5120   /* longer than any day-keyed record key */

void
record_wr_init(struct record_wr *w, struct buf *b)
{
	w->b = b;
	w->bad = 0;
}

static void
put(struct record_wr *w, const void *p, size_t n)
{
	if (!w->bad && buf_append(w->b, p, n) < 0)
		w->bad = 1;
}

void
record_put_u8(struct record_wr *w, unsigned v)
{
	unsigned char x = (unsigned char)v;

	put(w, &x, 1);
}

void
record_put_u64(struct record_wr *w, uint64_t v)
{
	unsigned char x[8];

	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	put(w, x, sizeof(x));
}

void
record_put_str(struct record_wr *w, const char *s)
{
	size_t n = strlen(s);
	unsigned char x[2] = { (unsigned char)(n & 0xff), (unsigned char)(n >> 8 & 0xff) };

	if (n > RECORD_STR_MAX) {
		w->bad = 1;
		return;
	}
	put(w, x, sizeof(x));
	put(w, s, n);
}

void
record_rd_init(struct record_rd *r, const void *data, size_t len)
{
	r->p = data;
	r->n = data != NULL ? len : 0;
	r->bad = 0;
}

/* take - n bytes, or NULL (and bad) if fewer are left */
static const unsigned char *
take(struct record_rd *r, size_t n)
{
	const unsigned char *p = r->p;

	if (r->bad || r->n < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	r->n -= n;
	return p;
}

unsigned
record_get_u8(struct record_rd *r)
{
	const unsigned char *p = take(r, 1);

	return p ? p[0] : 0;
}

uint64_t
record_get_u64(struct record_rd *r)
{
	const unsigned char *p = take(r, 8);
	uint64_t v = 0;

	if (p == NULL)
		return 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void
record_get_str(struct record_rd *r, char *dst, size_t dstlen)
{
	const unsigned char *p = take(r, 2), *s;
	size_t n;

	dst[0] = '\0';
	if (p == NULL)
		return;
	n = (size_t)p[0] | (size_t)p[1] << 8;
	if (n >= dstlen) {
		r->bad = 1;
		return;
	}
	if ((s = take(r, n)) == NULL)
		return;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int
record_rd_done(const struct record_rd *r)
{
	return r->bad || r->n != 0 ? -1 : 0;
}

/* collect_old - up to PURGE_BATCH keys prefix + a day before cutoff, each
 * as a 4-byte length and the key */
static int
collect_old(struct store *st, enum store_db db, const char *prefix, const char *cutoff,
    struct buf *keys, size_t *n)
{
	struct store_cursor *c = store_cursor_open(st, db);
	struct buf key, val;
	size_t plen = strlen(prefix), clen = strlen(cutoff);
	int rc = 0;

	*n = 0;
	if (c == NULL)
		return -1;
	buf_init(&key, PURGE_KEY_MAX);
	buf_init(&val, PURGE_VALUE_MAX);
	store_cursor_seek(c, prefix, plen);
	while (*n < PURGE_BATCH && (rc = store_cursor_next(c, &key, &val)) == 0
	    && key.len >= plen && memcmp(key.data, prefix, plen) == 0) {
		uint32_t len = (uint32_t)key.len;

		if (key.len < plen + clen)
			continue;   /* no day: not a record to purge */
		if (memcmp(key.data + plen, cutoff, clen) >= 0)
			break;
		if (buf_append(keys, &len, sizeof(len)) < 0 || buf_append(keys, key.data, key.len) < 0)
			break;
		(*n)++;
	}
	store_cursor_close(c);
	buf_fini(&key);
	buf_fini(&val);
	return rc < 0 ? -1 : 0;
}

long
record_purge(struct store *st, enum store_db db, const char *prefix, const char *cutoff)
{
	long total = 0;
	struct buf keys;
	size_t n;
	int rc = 0;

	buf_init(&keys, PURGE_BATCH * ((size_t)PURGE_KEY_MAX + 4));
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
