/*
 * tap - TAP output for unit tests, see tap.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static int tap_count, tap_failed;
static char tap_dir[256];

static int
tap_report(int cond, const char *fmt, va_list ap)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

int
tap_ok_at(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("# %s:%d: check failed\n", file, line);
	return cond;
}

int
tap_int_at(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int cond = got == want;

	va_start(ap, fmt);
	tap_report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("# %s:%d: got %lld, want %lld\n", file, line, got, want);
	return cond;
}

int
tap_str_at(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int cond = (got == NULL && want == NULL)
	    || (got != NULL && want != NULL && strcmp(got, want) == 0);

	va_start(ap, fmt);
	tap_report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("# %s:%d: got \"%s\", want \"%s\"\n", file, line, got ? got : "(null)",
		    want ? want : "(null)");
	return cond;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
tap_cleanup(void)
{
	if (tap_dir[0] == '\0')
		return;
	/* Only our own mkdtemp directory under /tmp. */
	if (strncmp(tap_dir, "/tmp/tlspolicy-unit.", 20) == 0) {
		char cmd[300];


		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tap_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tap_dir);
	}
}

const char *
tap_tmpdir(void)
{
	if (tap_dir[0] == '\0') {
		snprintf(tap_dir, sizeof(tap_dir), "/tmp/tlspolicy-unit.XXXXXX");
		if (mkdtemp(tap_dir) == NULL) {
			perror("mkdtemp");
			exit(1);
		}
		atexit(tap_cleanup);
	}
	return tap_dir;
}

int
tap_done(void)
{
	if (tap_count == 0) {
		printf("not ok 1 - test ran no checks\n1..1\n");
		return 1;
	}
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
