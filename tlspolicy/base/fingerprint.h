/*
 * fingerprint - keyed 128-bit fingerprints of byte strings.
 *
 * Two SipHash-2-4 values of the same bytes under two keys drawn at random
 * when the key is made (getrandom(2); a per-process fallback while the
 * kernel has no entropy yet): a string cannot be chosen to collide with
 * another, and two different strings share a fingerprint with probability
 * about 2^-128 (n^2 / 2^129 among n strings).  For tables that remember
 * strings in a few bytes each (fpset.h, answercache.h).
 */
#ifndef TLSPOLICY_FINGERPRINT_H
#define TLSPOLICY_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

struct fingerprint_key {
	uint64_t k[4];
};

struct fingerprint {
	uint64_t a, b;
};

/* fingerprint_key_init - a new random key */
void fingerprint_key_init(struct fingerprint_key *key);
/* fingerprint_of - the fingerprint of data[len] under key; never {0, 0}
 * (tables may use it as "empty") */
struct fingerprint fingerprint_of(const struct fingerprint_key *key, const void *data,
    size_t len);

#endif
