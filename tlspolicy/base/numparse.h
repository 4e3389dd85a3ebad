/*
 * numparse - overflow-safe parsing of numbers written by people or peers.
 *
 * All functions take an explicit length, accept only the exact syntax
 * described, check the bound before every multiplication, and return 0 on
 * success or -1 (output untouched) on any error.
 */
#ifndef TLSPOLICY_NUMPARSE_H
#define TLSPOLICY_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* numparse_uint - decimal digits only, value <= max */
int numparse_uint(const char *s, size_t len, uint64_t max, uint64_t *out);
/* numparse_octal - octal digits only (file modes), value <= max */
int numparse_octal(const char *s, size_t len, uint64_t max, uint64_t *out);
/* numparse_duration - digits with optional unit s, m, h, d, w (default s);
 * result in seconds, <= max */
int numparse_duration(const char *s, size_t len, uint64_t max, uint64_t *out);
/* numparse_hexdigit - the value of one hex digit (either case), or -1 */
int numparse_hexdigit(char c);
/* numparse_day - a UTC day: "YYYY-MM-DD" that exists in the calendar
 * (years 1970-9999), "today" or "yesterday" (as of now); written to out
 * as YYYY-MM-DD */
int numparse_day(const char *s, size_t len, time_t now, char out[11]);

#endif
