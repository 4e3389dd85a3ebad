/*
 * answer - validation of Postfix TLS policy answers, see answer.h.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "answer.h"
#include "buf.h"
#include "domain.h"

/* Levels in Postfix's order of strength (tls_level.c). */
enum answer_level {
	LEV_NONE, LEV_MAY, LEV_ENCRYPT, LEV_FINGERPRINT, LEV_DANE, LEV_DANE_ONLY,
	LEV_VERIFY, LEV_SECURE,
};

static const char *const level_names[] = {
	"none", "may", "encrypt", "fingerprint", "dane", "dane-only", "verify", "secure",
};

enum attr_value { VAL_ANY, VAL_YESNO, VAL_SERVERNAME };

static const struct answer_attr {
	const char *name;
	unsigned levels;     /* bit per enum answer_level where it is valid */
	int repeatable;
	enum attr_value value;
} attrs[] = {
#define FROM_MAY 0xfeu
#define MATCH_LEVELS ((1u << LEV_FINGERPRINT) | (1u << LEV_VERIFY) | (1u << LEV_SECURE))
	{ "ciphers", FROM_MAY, 0, VAL_ANY },
	{ "protocols", FROM_MAY, 0, VAL_ANY },
	{ "exclude", FROM_MAY, 0, VAL_ANY },
	{ "servername", FROM_MAY, 0, VAL_SERVERNAME },
	{ "match", MATCH_LEVELS, 1, VAL_ANY },
	{ "tafile", (1u << LEV_VERIFY) | (1u << LEV_SECURE), 1, VAL_ANY },
	{ "connection_reuse", FROM_MAY, 1, VAL_YESNO },
	{ "enable_rpk", FROM_MAY, 1, VAL_YESNO },
};
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

static int
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n';
}

/* next_token - skip separators, return the next token's start and length */
static const char *
next_token(const char **pos, const char *end, size_t *tlen)
{
	const char *p = *pos, *start;

	while (p < end && is_sep(*p))
		p++;
	start = p;
	while (p < end && !is_sep(*p))
		p++;
	*pos = p;
	*tlen = (size_t)(p - start);
	return start;
}

static int
append_lower(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (buf_append(out, &c, 1) < 0)
			return -1;
	}
	return 0;
}

static int
check_value(enum attr_value kind, const char *v, size_t len, const char **why)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x21 || c > 0x7e || c == '{' || c == '}') {
			*why = "attribute value contains an invalid character";
			return -1;
		}
	}
	if (len == 0) {
		*why = "empty attribute value";
		return -1;
	}
	if (kind == VAL_YESNO && !(len == 3 && strncasecmp(v, "yes", 3) == 0)
	    && !(len == 2 && strncasecmp(v, "no", 2) == 0)) {
		*why = "attribute value must be yes or no";
		return -1;
	}
	if (kind == VAL_SERVERNAME && !(len == 8 && strncasecmp(v, "hostname", 8) == 0)
	    && !(len == 7 && strncasecmp(v, "nexthop", 7) == 0)) {
		char name[DOMAIN_MAX + 1];

		if (len > DOMAIN_MAX || domain_normalize(v, len, name, NULL) != DOMAIN_OK) {
			*why = "servername must be hostname, nexthop or a valid host name";
			return -1;
		}
	}
	return 0;
}

int
answer_normalize(const char *in, size_t len, struct buf *out, const char **why)
{
	size_t at, atlen;

	return answer_normalize_at(in, len, out, why, &at, &atlen);
}

int
answer_normalize_at(const char *in, size_t len, struct buf *out, const char **why, size_t *at,
    size_t *atlen)
{
	const char *pos = in, *end = in + len, *tok = NULL, *eq;
	const char *dummy;
	unsigned seen = 0;
	size_t tlen = 0, old = out->len;
	int level = -1;

	if (why == NULL)
		why = &dummy;
	*at = *atlen = 0;
	if (len > ANSWER_MAX) {
		*why = "answer too long";
		return -1;
	}
	tok = next_token(&pos, end, &tlen);
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strlen(level_names[i]) == tlen && strncasecmp(tok, level_names[i], tlen) == 0)
			level = (int)i;
	if (tlen == 0) {
		*why = "empty answer";
		goto fail;
	}
	if (level < 0) {
		*why = "unknown TLS security level";
		goto fail;
	}
	if (buf_puts(out, level_names[level]) < 0)
		goto full;
	while ((tok = next_token(&pos, end, &tlen)), tlen > 0) {
		const struct answer_attr *a = NULL;
		size_t nlen;

		if (level == LEV_NONE) {
			*why = "level none takes no attributes";
			goto fail;
		}
		eq = memchr(tok, '=', tlen);
		if (eq == NULL) {
			*why = tok[0] == '{' ? "the { name = value } form is not accepted in tables"
			    : "attribute without '='";
			goto fail;
		}
		nlen = (size_t)(eq - tok);
		for (size_t i = 0; i < NATTRS; i++)
			if (strlen(attrs[i].name) == nlen && strncasecmp(tok, attrs[i].name, nlen) == 0)
				a = &attrs[i];
		if (a == NULL) {
			*why = "unknown attribute name";
			tlen = nlen;
			goto fail;
		}
		if (!(a->levels & (1u << level))) {
			*why = "attribute not valid at this security level";
			goto fail;
		}
		if (!a->repeatable && (seen & (1u << (a - attrs)))) {
			*why = "attribute given more than once";
			goto fail;
		}
		seen |= 1u << (a - attrs);
		if (check_value(a->value, eq + 1, tlen - nlen - 1, why) < 0)
			goto fail;
		if (buf_append(out, " ", 1) < 0 || append_lower(out, tok, nlen + 1) < 0
		    || buf_append(out, eq + 1, tlen - nlen - 1) < 0)
			goto full;
	}
	return 0;
full:
	*why = "answer too long";
fail:
	if (tok != NULL && tlen > 0 && *why != NULL && strcmp(*why, "answer too long") != 0) {
		*at = (size_t)(tok - in);
		*atlen = tlen;
	}
	out->len = old;
	if (out->data)
		out->data[old] = '\0';
	return -1;
}
