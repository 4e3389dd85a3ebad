/*
 * record - the binary encoding shared by the store records that hold
 * numbers and strings (the log source record, the saved correlation
 * state), and the day-keyed purge of text-keyed records.
 *
 * A record_wr appends to a caller's buf: bytes, unsigned 64-bit numbers
 * as eight bytes little-endian, strings as a two-byte little-endian
 * length and the bytes (no NUL; at most RECORD_STR_MAX).  Errors are
 * sticky: after the first failure (buf full, string too long) every put
 * does nothing and bad stays set, so a writer checks once at the end.
 *
 * A record_rd reads the same values back from [p, p + n), which it does
 * not own and never reads past.  A read past the end, or a string that
 * does not fit the caller's array, sets bad and yields 0 or "" from then
 * on; the reader checks bad (and record_rd_done() for trailing bytes)
 * once at the end and refuses the whole record.
 */
#ifndef TLSPOLICY_RECORD_H
#define TLSPOLICY_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct buf;

#define RECORD_STR_MAX 65535

struct record_wr {
	struct buf *b;   /* the caller's, appended to */
	int bad;
};

struct record_rd {
	const unsigned char *p;
	size_t n;        /* bytes left */
	int bad;
};

/* record_wr_init - start appending to b (b keeps what it holds) */
void record_wr_init(struct record_wr *w, struct buf *b);
void record_put_u8(struct record_wr *w, unsigned v);
void record_put_u64(struct record_wr *w, uint64_t v);
/* record_put_str - a string, length first; bad if longer than RECORD_STR_MAX */
void record_put_str(struct record_wr *w, const char *s);

/* record_rd_init - read len bytes at data (borrowed) */
void record_rd_init(struct record_rd *r, const void *data, size_t len);
unsigned record_get_u8(struct record_rd *r);
uint64_t record_get_u64(struct record_rd *r);
/* record_get_str - a string into dst[dstlen] (always terminated); bad if
 * it is missing, cut short or does not fit */
void record_get_str(struct record_rd *r, char *dst, size_t dstlen);
/* record_rd_done - 0 when everything was read without error, else -1 */
int record_rd_done(const struct record_rd *r);

/*
 * record_purge - delete the records of db whose key is prefix followed by
 * a day ("YYYY-MM-DD") that sorts before cutoff, at most a thousand per
 * transaction so that a large purge never holds the store long.  Keys
 * must sort by day after the prefix; one too short to hold a day is left
 * alone.  Returns the number deleted, or -1 (store_strerror() says why;
 * what was committed stays deleted).
 */
long record_purge(struct store *st, enum store_db db, const char *prefix, const char *cutoff);

#endif
