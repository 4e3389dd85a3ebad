/*
 * storecheck - damaged and mismatched store files.
 *
 * Files.  A database file with a garbage page makes Berkeley DB follow
 * offsets read from that page out of the page, into the shared memory
 * region behind it, past the end of the region file: SIGBUS.  So a file
 * is run through Berkeley DB's verifier (on its own, outside the
 * environment) before it is opened, unless it is sealed: store_close()
 * writes the seal file STORECHECK_SEAL with the device, inode, size,
 * modification and change time of each database it closed cleanly, and
 * a file whose stat(2) still matches was not written since.  Any write
 * by another hand (dd, a restore, a repair tool) changes the change time.
 * Databases created from now on also carry page checksums (DB_CHKSUM),
 * which Berkeley DB checks on every page it reads.
 *
 * Counts and positions.  The counts in result.db are right only with
 * the log positions in source.db they were committed with.  Both carry a
 * stamp under STORECHECK_PAIR_KEY, a random identity and a generation
 * that every commit of counts raises in both, in the same transaction.
 * A deleted, replaced or restored-alone file has no stamp, another
 * identity or another generation: counting then stops, rather than read
 * the logs again (counting twice) or go on after lost counts (dropping
 * them in silence), until both files are restored from one backup or the
 * loss is accepted with storecheck_accept() ("tlspolicyctl store-accept").
 *
 * Functions return 0 on success and -1 with a reason in err unless said
 * otherwise.
 */
#ifndef TLSPOLICY_STORECHECK_H
#define TLSPOLICY_STORECHECK_H

#include <stddef.h>

#define STORECHECK_SEAL "store.seal"
#define STORECHECK_PAIR_KEY "~pair"
#define STORECHECK_SEAL_MAX 16       /* databases in a seal */

struct store;
struct store_txn;

/* what a seal says of one file */
struct storecheck_stat {
	char name[32];
	unsigned long long dev, ino, size, mtime, mtime_ns, ctime, ctime_ns;
};

struct storecheck_seal {
	size_t n;
	struct storecheck_stat f[STORECHECK_SEAL_MAX];
};

/* storecheck_seal_read - the seal of dir (empty when there is none or
 * it cannot be read) */
void storecheck_seal_read(const char *dir, struct storecheck_seal *seal);
/* storecheck_seal_write - seal the files names[i] of dir whose ok[i] is
 * set; best effort (a missing seal costs a verification) */
void storecheck_seal_write(const char *dir, const char *const *names, const int *ok, size_t n);

/* storecheck_file - 0: file NAME of dir is missing, sealed unchanged,
 * or passes the verifier; 1: it is damaged, what is wrong in why */
int storecheck_file(const char *dir, const char *name, const struct storecheck_seal *seal,
    char *why, size_t whylen);

/* storecheck_aside - rename NAME to NAME.damaged (replacing an older
 * one); the new name into moved */
int storecheck_aside(const char *dir, const char *name, char *moved, size_t movedlen,
    char *err, size_t errlen);

/* storecheck_counting - 0: results may be counted (result.db and
 * source.db are sound and stamped alike; a new store, or one from before
 * stamps, gets its stamp now); 1: not, why says what is wrong and what to
 * do; -1: a store error */
int storecheck_counting(struct store *st, char *why, size_t whylen);

/* storecheck_pair_bump - raise the generation of both stamps inside
 * txn, the commit of counts and positions; -1 when the stamps do not
 * match (nothing may be committed then) */
int storecheck_pair_bump(struct store *st, struct store_txn *txn);

/* storecheck_accept - accept the loss storecheck_counting() reports: a
 * damaged result.db or source.db is moved aside and started empty, and
 * what is left of both gets one new stamp.  Log positions that are
 * missing are the caller's to set.  done gets what was done; 1 when
 * there was nothing to accept (and nothing was done). */
int storecheck_accept(struct store *st, char *done, size_t donelen, char *err, size_t errlen);

#endif
