/*
 * xalloc - allocation that succeeds or stops the process.
 *
 * On out-of-memory these log and exit(1): a small daemon gains nothing
 * from hand-written ENOMEM paths, and its supervisor restarts it.  Callers
 * never check for NULL.  xreallocarray() refuses multiplication overflow.
 */
#ifndef TLSPOLICY_XALLOC_H
#define TLSPOLICY_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);

#endif
