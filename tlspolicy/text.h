/*
 * text - bounded string copies for the hot paths of log ingestion, where
 * snprintf("%s") costs more than the parsing around it.
 */
#ifndef TLSPOLICY_TEXT_H
#define TLSPOLICY_TEXT_H

#include <stddef.h>

/* text_copy - copy src into dst[size], cut to fit, always terminated;
 * returns the length copied */
size_t text_copy(char *dst, size_t size, const char *src);

#endif
