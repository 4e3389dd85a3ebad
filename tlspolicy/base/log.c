/*
 * log - syslog or stderr logging, see log.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int log_to_stderr = 1;
static enum log_level log_current = LOG_LEVEL_INFO;
static const char *log_ident = "tlspolicy";
static int log_errors_stderr;

void
log_init(const char *ident, int to_stderr, int facility)
{
	log_ident = ident;
	log_to_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_also_stderr(int errors)
{
	log_errors_stderr = errors;
}

void
log_set_level(enum log_level level)
{
	log_current = level;
}

int
log_level_enabled(enum log_level level)
{
	return level <= log_current;
}

int
log_level_parse(const char *name)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

int
log_facility_parse(const char *name)
{
	static const struct {
		const char *name;
		int facility;
	} tab[] = {
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(name, tab[i].name) == 0)
			return tab[i].facility;
	return -1;
}

/* log_emit - format one line and send it to the chosen destination */
static void
log_emit(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const label[] = { "error: ", "warning: ", "", "debug: " };
	int saved = errno;
	char msg[2048];
	size_t n;

	if (!log_level_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	if (with_errno && n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	if (log_to_stderr) {
		char ts[32];
		struct timespec now;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "%s %s: %s%s\n", ts, log_ident, label[level], msg);
	} else {
		syslog(prio[level], "%s%s", label[level], msg);
		if (log_errors_stderr && level == LOG_LEVEL_ERROR)
			fprintf(stderr, "%s: %s%s\n", log_ident, label[level], msg);
	}
	errno = saved;
}

#define LOG_FN(name, level, with_errno)            \
	void name(const char *fmt, ...)            \
	{                                          \
		va_list ap;                        \
		va_start(ap, fmt);                 \
		log_emit(level, with_errno, fmt, ap); \
		va_end(ap);                        \
	}

LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_warnx, LOG_LEVEL_WARNING, 0)
LOG_FN(log_warn, LOG_LEVEL_WARNING, 1)
LOG_FN(log_errorx, LOG_LEVEL_ERROR, 0)
LOG_FN(log_error, LOG_LEVEL_ERROR, 1)

/* log_exit - leave at once: a fatal error is no time to run exit
 * handlers or to report the memory a dying process still holds */
static void __attribute__((noreturn))
log_exit(void)
{
	fflush(stdout);
	_exit(1);
}

void
log_fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	log_exit();
}

void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, 1, fmt, ap);
	va_end(ap);
	log_exit();
}

char *
log_printable(char *dst, size_t dstsize, const char *src, size_t len)
{
	size_t room, n, i;
	int cut;

	if (dstsize == 0)
		return dst;
	room = dstsize - 1;
	cut = len > room;
	n = cut && room >= 3 ? room - 3 : (cut ? room : len);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (cut && room >= 3) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return dst;
}
