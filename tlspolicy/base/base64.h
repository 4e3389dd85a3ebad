/*
 * base64 - RFC 4648 base64 decoding with explicit lengths and limits.
 *
 * One decoder for the three places base64 comes in, each with its own
 * leniency:
 *   BASE64_STRICT  whole quads of the alphabet, '=' padding (at most
 *                  two) only at the end: the names of a certificate in a
 *                  log line
 *   BASE64_FWS     the same letters with folding white space (SP, HT,
 *                  CR, LF) anywhere, padding not checked against the
 *                  length: DKIM's b=, bh= and p= tags (RFC 6376)
 *   BASE64_LOOSE   everything outside the alphabet passed over, "-" and
 *                  "_" read as "+" and "/", the first '=' ends the data:
 *                  MIME bodies as real senders wrap and pad them
 * Nothing is written past out[cap).
 */
#ifndef TLSPOLICY_BASE64_H
#define TLSPOLICY_BASE64_H

#include <stddef.h>

enum base64_kind { BASE64_STRICT, BASE64_FWS, BASE64_LOOSE };

/* base64_decode - s[0..n) into out[0..cap); the decoded length, or -1
 * when s is not base64 of that kind or its bytes do not fit */
long base64_decode(const char *s, size_t n, unsigned char *out, size_t cap, enum base64_kind kind);

#endif
