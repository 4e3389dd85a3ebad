/*
 * log - one line per event, to syslog (mail facility by default) or stderr.
 *
 * log_init() picks the destination.  Messages below the configured level
 * are dropped before formatting.  log_warn()/log_error() append
 * strerror(errno); the ...x() variants do not.  Untrusted text must pass
 * through log_printable() before it is logged, so a hostile domain or
 * policy cannot inject control characters or fake log lines.
 */
#ifndef TLSPOLICY_LOG_H
#define TLSPOLICY_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#define LOG_ATTR(f, a) __attribute__((format(printf, f, a)))

/* log_init - log to stderr (foreground) or syslog with ident and
 * facility; ident is kept (as openlog(3) keeps it): a string constant */
void log_init(const char *ident, int to_stderr, int facility);
/* log_also_stderr - with syslog, errors go to stderr as well (a tool run
 * from cron or a timer: its error output is mailed or journaled even
 * where no syslog daemon runs) */
void log_also_stderr(int errors);
void log_set_level(enum log_level level);
int log_level_enabled(enum log_level level);

/* log_level_parse - "error", "warning", "info", "debug"; -1 if unknown */
int log_level_parse(const char *name);
/* log_facility_parse - "mail", "daemon", "local0".."local7"; -1 if unknown */
int log_facility_parse(const char *name);

void log_debug(const char *fmt, ...) LOG_ATTR(1, 2);
void log_info(const char *fmt, ...) LOG_ATTR(1, 2);
void log_warnx(const char *fmt, ...) LOG_ATTR(1, 2);
void log_warn(const char *fmt, ...) LOG_ATTR(1, 2);
void log_errorx(const char *fmt, ...) LOG_ATTR(1, 2);
void log_error(const char *fmt, ...) LOG_ATTR(1, 2);
/* log_fatalx - log at error level and exit(1); for start-up and main() only */
void log_fatalx(const char *fmt, ...) LOG_ATTR(1, 2) __attribute__((noreturn));
void log_fatal(const char *fmt, ...) LOG_ATTR(1, 2) __attribute__((noreturn));

/*
 * log_printable - copy at most max bytes of src[0..len) into dst (size
 * dstsize, always NUL-terminated), replacing bytes outside printable ASCII
 * with '?'.  Appends "..." when src was cut.  Returns dst.
 */
char *log_printable(char *dst, size_t dstsize, const char *src, size_t len);

#endif
