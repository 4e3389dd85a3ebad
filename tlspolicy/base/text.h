/*
 * text - bounded string copies for the hot paths of log ingestion, where
 * snprintf("%s") costs more than the parsing around it, and clean text
 * for every document written out (JSON).
 *
 * Clean text is valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF) without control characters: each byte of an
 * invalid or truncated sequence becomes U+FFFD, each control character
 * (U+0000..U+001F, U+007F, U+0080..U+009F) becomes '?', except TAB,
 * which becomes a space.  Output is cut to its buffer at a character
 * boundary, never inside a sequence.
 */
#ifndef TLSPOLICY_TEXT_H
#define TLSPOLICY_TEXT_H

#include <stddef.h>

/* text_utf8_char - the length of the valid UTF-8 sequence at s[0..len)
 * (len >= 1; 1..4), or 0 if it is invalid, overlong, a surrogate, above
 * U+10FFFF or cut short; *cp gets the code point */
size_t text_utf8_char(const unsigned char *s, size_t len, unsigned long *cp);

/* text_copy - copy src into dst[size], cut to fit (not inside a UTF-8
 * sequence), always terminated; returns the length copied */
size_t text_copy(char *dst, size_t size, const char *src);

/* text_clean_len - 1 if src[0..len) is clean text already */
int text_clean_len(const char *src, size_t len);

/* text_clean - src[0..len) as clean text into dst[size] (size >= 1),
 * always terminated; returns the length written.  size 3 * len + 1 is
 * always enough for all of it. */
size_t text_clean(char *dst, size_t size, const char *src, size_t len);

#endif
