/*
 * tap - a small TAP producer for the unit tests.
 *
 * Each check prints "ok N - description" or "not ok N - description" with
 * "# file:line: got ..., want ..." diagnostics.  tap_done() prints the
 * plan and returns the exit status; a test that ran no check fails.
 */
#ifndef TLSPOLICY_TAP_H
#define TLSPOLICY_TAP_H

#include <stddef.h>
#include <stdint.h>

int tap_ok_at(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int tap_int_at(long long got, long long want, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int tap_str_at(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_done(void);

#define ok(cond, ...) tap_ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_int_at((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_str_at((got), (want), __FILE__, __LINE__, __VA_ARGS__)

/* tap_tmpdir - a fresh private directory for this test (removed at exit) */
const char *tap_tmpdir(void);

#endif
