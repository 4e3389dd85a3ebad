/*
 * fpset - a bounded set of byte strings, kept as 128-bit fingerprints.
 *
 * Remembers which strings were seen, in 16 bytes each whatever their
 * length, for a question such as "was this record written today?".  The
 * fingerprint is keyed with random seeds drawn when the set is made, so a
 * string cannot be chosen to collide with another; two different strings
 * share a fingerprint with probability about n^2 / 2^129.  The table grows
 * by doubling, is never more than 3/4 full, and holds at most the bound
 * given to fpset_new: beyond it, fpset_add answers -1 ("don't know") and
 * the caller does the work again, which must be harmless.
 */
#ifndef TLSPOLICY_FPSET_H
#define TLSPOLICY_FPSET_H

#include <stddef.h>

struct fpset;

/* fpset_new - an empty set of at most max members (at least 1) */
struct fpset *fpset_new(size_t max);
void fpset_free(struct fpset *set);
/* fpset_add - add data[len]: 1 if it was not a member, 0 if it was, -1 if
 * it was not and the set is full (or out of memory) */
int fpset_add(struct fpset *set, const void *data, size_t len);
/* fpset_has - 1 if data[len] is a member, else 0 */
int fpset_has(const struct fpset *set, const void *data, size_t len);
/* fpset_clear - forget every member (the table's memory is freed) */
void fpset_clear(struct fpset *set);
size_t fpset_count(const struct fpset *set);
/* fpset_bytes - the memory the table holds now */
size_t fpset_bytes(const struct fpset *set);

#endif
