/*
 * conf - reader for Postfix-style "key = value" files.
 *
 * A logical line is a line that starts with a non-blank character plus
 * the lines after it that start with white space (continuations, joined
 * with one space).  Lines whose first non-blank character is '#' and
 * blank lines are ignored.  Keys are [A-Za-z0-9_]+ (the callback refuses
 * upper case with a better reason than a syntax error); the value is
 * trimmed and may be empty.  The reader only splits; what keys mean is up
 * to the callback (see settings.h).  Errors name the file and line; the
 * reader goes on after an error, so that one run shows every error of a
 * file (the first CONF_ERRORS_MAX, one per line).  key and value are valid
 * during the callback only.
 */
#ifndef TLSPOLICY_CONF_H
#define TLSPOLICY_CONF_H

#include <stddef.h>

#define CONF_LINE_MAX 8192       /* bytes per logical line */
#define CONF_FILE_MAX (1u << 20) /* bytes per file */
#define CONF_ERRORS_MAX 20       /* errors shown per file */

/* callback: return 0, or -1 after writing a reason (without file/line) to err */
typedef int conf_cb(void *arg, const char *key, const char *value, char *err, size_t errlen);

/*
 * conf_parse - split data[0..len) into key/value pairs and call cb for each.
 * Returns 0, or -1 with "name, line N: reason" in err, one line per error.
 */
int conf_parse(const char *data, size_t len, const char *name, conf_cb *cb, void *arg,
    char *err, size_t errlen);

#endif
