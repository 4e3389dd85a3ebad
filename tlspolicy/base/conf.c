/*
 * conf - key = value file reader, see conf.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "log.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* conf_logical - handle one complete logical line in b */
static int
conf_logical(struct buf *b, const char *name, unsigned line, conf_cb *cb, void *arg,
    char *err, size_t errlen)
{
	char *p = b->data, *end = b->data + b->len, *key, *value;
	char reason[512];
	size_t klen;

	while (end > p && is_blank(end[-1]))
		*--end = '\0';
	key = p;
	/* upper case too: the callback tells a misspelt name from bad syntax */
	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
	    || (*p >= '0' && *p <= '9') || *p == '_'))
		p++;
	klen = (size_t)(p - key);
	while (p < end && is_blank(*p))
		p++;
	if (klen == 0 || p == end || *p != '=') {
		char shown[64];

		snprintf(err, errlen, "%s, line %u: expected \"name = value\": \"%s\"", name, line,
		    log_printable(shown, sizeof(shown), b->data, b->len));
		return -1;
	}
	key[klen] = '\0';
	p++;
	while (p < end && is_blank(*p))
		p++;
	value = p;
	reason[0] = '\0';
	if (cb(arg, key, value, reason, sizeof(reason)) < 0) {
		snprintf(err, errlen, "%s, line %u: %s", name, line, reason);
		return -1;
	}
	return 0;
}

/* conf_more - append the error in one[] to err, one per line; the number
 * of errors is counted in *nerr, the first CONF_ERRORS_MAX shown */
static void
conf_more(char *err, size_t errlen, const char *one, unsigned *nerr)
{
	size_t used = *nerr ? strlen(err) : 0;

	if (*nerr < CONF_ERRORS_MAX && used < errlen)
		snprintf(err + used, errlen - used, "%s%s", *nerr ? "\n" : "", one);
	else if (*nerr == CONF_ERRORS_MAX && used < errlen)
		snprintf(err + used, errlen - used, "\n(more errors follow)");
	(*nerr)++;
}

int
conf_parse(const char *data, size_t len, const char *name, conf_cb *cb, void *arg,
    char *err, size_t errlen)
{
	struct buf b;
	size_t pos = 0;
	unsigned lineno = 0, start = 0, nerr = 0;
	int rc = -1;
	char one[1024];

	buf_init(&b, CONF_LINE_MAX);
	while (pos < len) {
		const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos, i = 0;

		pos += llen + (nl != NULL);
		lineno++;
		if (memchr(line, '\0', llen) != NULL) {
			snprintf(one, sizeof(one), "%s, line %u: NUL byte in line", name, lineno);
			conf_more(err, errlen, one, &nerr);
			continue;
		}
		while (i < llen && is_blank(line[i]))
			i++;
		if (i == llen || line[i] == '#')
			continue;
		if (i > 0) {
			/* continuation of the previous logical line */
			if (b.len == 0) {
				snprintf(one, sizeof(one), "%s, line %u: continuation line without a "
				    "setting", name, lineno);
				conf_more(err, errlen, one, &nerr);
				continue;
			}
			if (buf_append(&b, " ", 1) < 0 || buf_append(&b, line + i, llen - i) < 0)
				goto toolong;
			continue;
		}
		if (b.len > 0 && conf_logical(&b, name, start, cb, arg, one, sizeof(one)) < 0)
			conf_more(err, errlen, one, &nerr);
		buf_reset(&b);
		start = lineno;
		if (buf_append(&b, line, llen) < 0)
			goto toolong;
	}
	if (b.len > 0 && conf_logical(&b, name, start, cb, arg, one, sizeof(one)) < 0)
		conf_more(err, errlen, one, &nerr);
	rc = nerr ? -1 : 0;
	goto done;
toolong:
	snprintf(one, sizeof(one), "%s, line %u: logical line longer than %d bytes", name, lineno,
	    CONF_LINE_MAX);
	conf_more(err, errlen, one, &nerr);
done:
	buf_fini(&b);
	return rc;
}
