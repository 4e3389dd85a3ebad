/*
 * dkim - verifying DKIM signatures (RFC 6376) on an incoming message.
 *
 * Algorithms rsa-sha256 and ed25519-sha256 (RFC 8463), canonicalisation
 * simple or relaxed for header and body; signatures and hashes are
 * checked by OpenSSL (EVP), never by code of our own.  rsa-sha1 is
 * refused (RFC 8301), as are RSA keys under 1024 bits.
 *
 * Pure and bounded: no I/O.  The caller finds the signatures
 * (dkim_find), fetches each one's key record from DNS at
 * SELECTOR._domainkey.DOMAIN (dkim_key_name) and hands the TXT text to
 * dkim_verify.  The message must have CRLF line ends (dkim_crlf makes
 * them).  Stricter than the RFC where it costs nothing: a signature must
 * cover the From field; a body length limit (l=) is honoured only when
 * it covers the whole body (otherwise anything could be appended after
 * the signed part), and is refused else; an expired signature (x= in the
 * past) fails; t= more than an hour in the future fails.
 */
#ifndef TLSPOLICY_DKIM_H
#define TLSPOLICY_DKIM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "domain.h"

struct buf;

#define DKIM_SIGS_MAX 8          /* signatures looked at per message */
#define DKIM_HEADERS_MAX 64      /* names in h= */
#define DKIM_SELECTOR_MAX 64
#define DKIM_B_MAX 1024          /* signature bytes (RSA up to 8192 bits) */
#define DKIM_FIELD_MAX 8192      /* one DKIM-Signature field */

enum dkim_alg { DKIM_RSA_SHA256, DKIM_ED25519_SHA256 };
enum dkim_canon { DKIM_SIMPLE, DKIM_RELAXED };

struct dkim_sig {
	enum dkim_alg alg;
	enum dkim_canon hcanon, bcanon;
	char d[DOMAIN_MAX + 1];           /* normalized */
	char s[DKIM_SELECTOR_MAX + 1];
	size_t nh;
	char h[DKIM_HEADERS_MAX][80];     /* signed field names, lower case */
	unsigned char bh[64], b[DKIM_B_MAX];
	size_t bhlen, blen;
	int64_t l;                        /* -1: none */
	int64_t t, x;                     /* -1: none */
	size_t field;                     /* which field of the header (dkim_find) */
};

enum dkim_result {
	DKIM_PASS,
	DKIM_FAIL,        /* does not verify, or not acceptable: permanent */
	DKIM_NOKEY,       /* no usable key record */
};

/* dkim_sig_parse - the value of a DKIM-Signature field (everything after
 * the colon) into sig; 0, or -1 with *why (static text) */
int dkim_sig_parse(const char *value, size_t len, struct dkim_sig *sig, const char **why);

/* dkim_find - the DKIM-Signature fields of the CRLF message msg[0..len),
 * parsed into sigs[0..max); their number (those that do not parse are
 * left out and counted in *bad, the first reason in *why) */
size_t dkim_find(const char *msg, size_t len, struct dkim_sig *sigs, size_t max, size_t *bad,
    const char **why);

/* dkim_key_name - "SELECTOR._domainkey.DOMAIN" into out; -1 if too long */
int dkim_key_name(const struct dkim_sig *sig, char *out, size_t outlen);

/* dkim_verify - check sig over the CRLF message msg[0..len) with the key
 * record txt[0..txtlen) at time now; *why (static text) says why not */
enum dkim_result dkim_verify(const char *msg, size_t len, const struct dkim_sig *sig,
    const char *txt, size_t txtlen, time_t now, const char **why);

/* dkim_crlf - msg[0..len) with every bare LF made CRLF, into out
 * (reset first); -1 if out is too small */
int dkim_crlf(const char *msg, size_t len, struct buf *out);

/* dkim_aligned - is d the domain dom or a parent of it with at least two
 * labels (never a top-level domain)?  Both normalized. */
int dkim_aligned(const char *d, const char *dom);

#endif
