/*
 * fingerprint - keyed 128-bit fingerprints, see fingerprint.h.
 */
#include "config.h"

#include <stdint.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "fingerprint.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

static uint64_t
load64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* siphash24 - SipHash-2-4 of data[len] under the key (k0, k1) */
static uint64_t
siphash24(uint64_t k0, uint64_t k1, const unsigned char *data, size_t len)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t b = (uint64_t)len << 56;
	size_t i, tail = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t m = load64(data + i);

		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < tail; j++)
		b |= (uint64_t)data[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

void
fingerprint_key_init(struct fingerprint_key *key)
{
	if (getrandom(key->k, sizeof(key->k), GRND_NONBLOCK) != (ssize_t)sizeof(key->k)) {
		/* no entropy yet (early boot): still distinct per process */
		uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32)
		    ^ (uint64_t)(uintptr_t)key;

		for (int i = 0; i < 4; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			key->k[i] = seed ^ (seed >> 29);
		}
	}
}

struct fingerprint
fingerprint_of(const struct fingerprint_key *key, const void *data, size_t len)
{
	struct fingerprint f;

	f.a = siphash24(key->k[0], key->k[1], data, len);
	f.b = siphash24(key->k[2], key->k[3], data, len);
	if (f.a == 0 && f.b == 0)
		f.b = 1;
	return f;
}
