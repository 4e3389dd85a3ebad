/*
 * decisionlog - the log line of a decision record, see decisionlog.h.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "decisionlog.h"
#include "logline.h"

/* the name of each kind's "what" field */
static const struct {
	const char *kind, *field;
} kinds[] = { { "sts", "id" }, { "tlsa", "base" }, { "failure", "result" } };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

int
decisionlog_format(struct buf *out, const char *day, const char *domain, const char *kind,
    const char *what, const char *value, size_t vlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k;

	buf_reset(out);
	for (k = 0; k < NKINDS && strcmp(kinds[k].kind, kind) != 0; k++)
		;
	if (k == NKINDS
	    || buf_printf(out, "decision day=%s domain=%s policy=%s %s=%s value=\"", day, domain,
	    kind, kinds[k].field, what) < 0)
		return -1;
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];
		char e[4];
		size_t n;

		if (c == '\\' || c == '"') {
			e[0] = '\\';
			e[1] = (char)c;
			n = 2;
		} else if (c == '\n') {
			e[0] = '\\';
			e[1] = 'n';
			n = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			e[0] = (char)c;
			n = 1;
		} else {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			n = 4;
		}
		if (out->len + n + 1 > DECISIONLOG_MSG_MAX || buf_append(out, e, n) < 0)
			return -1;
	}
	return buf_append(out, "\"", 1);
}

/* word - up to the next blank (at most cap - 1 bytes, at least one) into out */
static int
word(struct logline *s, char *out, size_t cap)
{
	const char *sp = memchr(s->p, ' ', s->n);
	size_t n = sp ? (size_t)(sp - s->p) : s->n;

	if (n == 0 || n >= cap)
		return 0;
	memcpy(out, s->p, n);
	out[n] = '\0';
	logline_skip(s, n);
	return 1;
}

/* printable - every byte of f printable ASCII, no blank */
static int
printable(const char *f)
{
	for (; *f; f++)
		if (*f <= ' ' || *f > '~')
			return 0;
	return 1;
}

/* name_ok - lower-case LDH labels (and '_'), as domain_normalize writes
 * A-labels: no empty label, no leading or trailing dot */
static int
name_ok(const char *f)
{
	size_t label = 0;

	for (; *f; f++) {
		if (*f == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((*f >= 'a' && *f <= 'z') || (*f >= '0' && *f <= '9') || *f == '-'
		    || *f == '_') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0;
}

static int
what_ok(const char *kind, const char *f)
{
	if (strcmp(kind, "tlsa") == 0)
		return strlen(f) <= DOMAIN_MAX && name_ok(f);
	if (strcmp(kind, "sts") == 0) {
		if (*f == '\0' || strlen(f) > 32)
			return 0;
		for (; *f; f++)
			if (!((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') || (*f >= '0' && *f <= '9')))
				return 0;
		return 1;
	}
	if (*f == '\0' || strlen(f) > 40)
		return 0;
	for (; *f; f++)
		if (!((*f >= 'a' && *f <= 'z') || *f == '-'))
			return 0;
	return 1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* value - "\"...\"" to the end of the line, decoded into ev */
static int
value(struct logline *s, struct decisionlog_event *ev)
{
	if (!logline_eat(s, "\""))
		return 0;
	ev->vlen = 0;
	while (s->n > 0) {
		char c = *s->p;

		logline_skip(s, 1);
		if (c == '"')
			return s->n == 0;
		if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e)
			return 0;
		if (c == '\\') {
			if (s->n == 0)
				return 0;
			c = *s->p;
			logline_skip(s, 1);
			if (c == 'n') {
				c = '\n';
			} else if (c == 'x') {
				int hi, lo;

				if (s->n < 2 || (hi = hexval(s->p[0])) < 0 || (lo = hexval(s->p[1])) < 0
				    || (hi == 0 && lo == 0))
					return 0;
				c = (char)(hi << 4 | lo);
				logline_skip(s, 2);
			} else if (c != '\\' && c != '"') {
				return 0;
			}
		}
		if (ev->vlen >= sizeof(ev->value))
			return 0;
		ev->value[ev->vlen++] = c;
	}
	return 0;
}

/* field - " NAME=" then a word into out */
static int
field(struct logline *s, const char *name, char *out, size_t cap)
{
	return logline_eat(s, " ") && logline_eat(s, name) && logline_eat(s, "=")
	    && word(s, out, cap);
}

int
decisionlog_parse(const char *line, size_t len, time_t now, struct decisionlog_event *ev)
{
	struct logline s = { line, len };
	const char *lb;
	size_t k, n;
	time_t when;
	unsigned long pid;

	ev->host[0] = ev->syslog_name[0] = '\0';
	if (len > DECISIONLOG_MSG_MAX + 512 || len < 40 || memchr(line, '\0', len) != NULL)
		return 0;
	/* the envelope: "TIME HOST NAME[PID]: " */
	if (line[0] >= '0' && line[0] <= '9') {
		if (!logline_rfc3339(&s, &when) || !logline_eat(&s, " "))
			return 0;
	} else if (!logline_traditional(&s, now, &when)) {
		return 0;
	}
	if (!word(&s, ev->host, sizeof(ev->host)) || !printable(ev->host) || !logline_eat(&s, " "))
		return 0;
	if ((lb = memchr(s.p, '[', s.n < sizeof(ev->syslog_name) ? s.n : sizeof(ev->syslog_name)))
	    == NULL || (n = (size_t)(lb - s.p)) == 0)
		return 0;
	memcpy(ev->syslog_name, s.p, n);
	ev->syslog_name[n] = '\0';
	logline_skip(&s, n + 1);
	if (!printable(ev->syslog_name) || !logline_digits(&s, 1, 10, &pid)
	    || !logline_eat(&s, "]: decision"))
		return 0;
	ev->pid = pid;
	/* the message */
	if (!field(&s, "day", ev->day, sizeof(ev->day)) || strlen(ev->day) != 10
	    || ev->day[4] != '-' || ev->day[7] != '-')
		return 0;
	for (k = 0; k < 10; k++)
		if (k != 4 && k != 7 && (ev->day[k] < '0' || ev->day[k] > '9'))
			return 0;
	if (!field(&s, "domain", ev->domain, sizeof(ev->domain)) || !name_ok(ev->domain)
	    || !field(&s, "policy", ev->kind, sizeof(ev->kind)))
		return 0;
	for (k = 0; k < NKINDS && strcmp(kinds[k].kind, ev->kind) != 0; k++)
		;
	if (k == NKINDS || !field(&s, kinds[k].field, ev->what, sizeof(ev->what))
	    || !what_ok(ev->kind, ev->what) || !logline_eat(&s, " value="))
		return 0;
	return value(&s, ev);
}
