/*
 * buf - a byte buffer that grows up to a fixed maximum.
 *
 * Every append fails (returns -1, buffer unchanged) when it would take the
 * buffer past its maximum, so no input can make it grow without bound.
 * Data is kept NUL-terminated for convenience; len never counts the NUL.
 * Consumed bytes at the front are dropped by buf_consume().
 */
#ifndef TLSPOLICY_BUF_H
#define TLSPOLICY_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
void buf_fini(struct buf *b);
void buf_reset(struct buf *b);
/* buf_append - append len bytes; -1 if the maximum would be exceeded */
int buf_append(struct buf *b, const void *p, size_t len);
int buf_puts(struct buf *b, const char *s);
/* buf_printf - append formatted text; -1 if the maximum would be exceeded */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf_space - make room for at least want bytes after len; returns the
 * free room (>= want) or 0 when the maximum forbids it */
size_t buf_space(struct buf *b, size_t want);
/* buf_consume - drop n bytes from the front */
void buf_consume(struct buf *b, size_t n);

#endif
