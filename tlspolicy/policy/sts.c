/*
 * sts - MTA-STS parsing and answers, see sts.h.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "numparse.h"
#include "sts.h"
#include "text.h"

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* ext_name - (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static int
valid_ext_name(const char *s, size_t len)
{
	if (len == 0 || len > 32 || !is_alnum(s[0]))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

/*
 * valid_policy_ext_value - sts-policy-vchar [*(%x20 / sts-policy-vchar)
 * sts-policy-vchar], sts-policy-vchar = %x21-7E / UTF8-2 / UTF8-3 / UTF8-4
 */
static int
valid_policy_ext_value(const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;

	if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
		return 0;
	for (size_t i = 0; i < len;) {
		unsigned long cp;
		size_t n;

		if (s[i] >= 0x20 && s[i] <= 0x7e) {
			i++;
			continue;
		}
		if ((n = text_utf8_char(s + i, len - i, &cp)) < 2)
			return 0;   /* invalid, or a control byte */
		i += n;
	}
	return 1;
}

enum sts_txt_status
sts_txt_parse(const char *txt, size_t len, char id[STS_ID_MAX + 1], const char **why)
{
	size_t pos;
	int have_id = 0;

	if (len < 7 || memcmp(txt, "v=STSv1", 7) != 0
	    || (len > 7 && !is_wsp(txt[7]) && txt[7] != ';')) {
		*why = "not an STSv1 record";
		return STS_TXT_NONE;
	}
	pos = 7;
	for (;;) {
		size_t start, eq, end, blank = pos;

		/* sts-field-delim = *WSP ";" *WSP */
		while (pos < len && is_wsp(txt[pos]))
			pos++;
		if (pos == len) {
			if (pos != blank) {
				*why = "whitespace at the end without ';'";
				return STS_TXT_INVALID;
			}
			break;
		}
		if (txt[pos] != ';') {
			*why = "expected ';' between fields";
			return STS_TXT_INVALID;
		}
		pos++;
		while (pos < len && is_wsp(txt[pos]))
			pos++;
		if (pos == len)
			break;  /* trailing delimiter */
		start = pos;
		while (pos < len && txt[pos] != '=' && txt[pos] != ';' && !is_wsp(txt[pos]))
			pos++;
		if (pos == len || txt[pos] != '=') {
			*why = "field without '='";
			return STS_TXT_INVALID;
		}
		eq = pos++;
		while (pos < len && txt[pos] > 0x20 && txt[pos] < 0x7f && txt[pos] != ';'
		    && txt[pos] != '=')
			pos++;
		end = pos;
		if (end == eq + 1) {
			*why = "empty field value";
			return STS_TXT_INVALID;
		}
		if (eq - start == 2 && memcmp(txt + start, "id", 2) == 0) {
			size_t idlen = end - eq - 1;

			if (have_id)
				continue;   /* first wins */
			if (idlen > STS_ID_MAX) {
				*why = "id longer than 32 characters";
				return STS_TXT_INVALID;
			}
			for (size_t i = eq + 1; i < end; i++)
				if (!is_alnum(txt[i])) {
					*why = "id must be letters and digits";
					return STS_TXT_INVALID;
				}
			memcpy(id, txt + eq + 1, idlen);
			id[idlen] = '\0';
			have_id = 1;
		} else if (!valid_ext_name(txt + start, eq - start)) {
			*why = "malformed field name";
			return STS_TXT_INVALID;
		}
	}
	if (!have_id) {
		*why = "no id field";
		return STS_TXT_INVALID;
	}
	return STS_TXT_OK;
}

enum sts_txt_status
sts_txt_select(const char *const *txt, const size_t *len, size_t n,
    char id[STS_ID_MAX + 1], const char **why)
{
	enum sts_txt_status found = STS_TXT_NONE;
	size_t count = 0;

	*why = "no STSv1 TXT record";
	for (size_t i = 0; i < n; i++) {
		char one[STS_ID_MAX + 1];
		const char *w;
		enum sts_txt_status st;

		/* of several records, those not beginning "v=STSv1;" are discarded */
		if (n > 1 && (len[i] < 8 || memcmp(txt[i], "v=STSv1;", 8) != 0))
			continue;
		if ((st = sts_txt_parse(txt[i], len[i], one, &w)) == STS_TXT_NONE)
			continue;
		if (++count > 1) {
			*why = "more than one STSv1 TXT record";
			return STS_TXT_MULTIPLE;
		}
		found = st;
		*why = w;
		if (st == STS_TXT_OK)
			memcpy(id, one, sizeof(one));
	}
	return found;
}

/* policy_mx - validate and store one mx value */
static int
policy_mx(struct sts_policy *p, const char *v, size_t len, const char **why)
{
	char name[DOMAIN_MAX + 1];
	int wild = len > 2 && v[0] == '*' && v[1] == '.';
	const char *host = wild ? v + 2 : v;
	size_t hlen = wild ? len - 2 : len;

	/* ["*."] Domain (RFC 5321): A-labels only, no trailing dot */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] >= 0x80) {
			*why = "mx pattern not in A-labels";
			return -1;
		}
	if (hlen > 0 && host[hlen - 1] == '.') {
		*why = "mx pattern with a trailing dot";
		return -1;
	}
	if (domain_normalize(host, hlen, name, why) != DOMAIN_OK || strchr(name, '.') == NULL) {
		*why = "invalid mx pattern";
		return -1;
	}
	if (strlen(name) + (wild ? 2 : 0) > DOMAIN_MAX) {
		*why = "mx pattern too long";
		return -1;
	}
	for (size_t i = 0; i < p->nmx; i++)
		if (strcmp(p->mx[i] + (p->mx[i][0] == '*' ? 2 : 0), name) == 0
		    && (p->mx[i][0] == '*') == wild)
			return 0;   /* duplicate */
	if (p->nmx == STS_MX_MAX) {
		*why = "too many mx patterns";
		return -1;
	}
	memcpy(p->mx[p->nmx], wild ? "*." : "", wild ? 3 : 1);
	memcpy(p->mx[p->nmx] + (wild ? 2 : 0), name, strlen(name) + 1);
	p->nmx++;
	return 0;
}

/*
 * next_line - the policy line at *pos, ended by LF, CRLF or the end of
 * the body (sts-policy-term), WSP at its end cut (sts-policy-record),
 * split at the first ':' into key and value (sts-policy-field-delim =
 * ":" *WSP).  Returns 1, 0 for an empty line, -1 for a line that is not
 * "key: value".  A bare CR stays in the line: it ends nothing.
 */
static int
next_line(const char *body, size_t len, size_t *pos, const char **line, size_t *klen,
    const char **v, size_t *vlen)
{
	const char *l = body + *pos, *nl = memchr(l, '\n', len - *pos);
	size_t llen = nl ? (size_t)(nl - l) : len - *pos, k = 0, vs;

	*pos += llen + (nl != NULL);
	if (nl != NULL && llen > 0 && l[llen - 1] == '\r')
		llen--;
	if (llen == 0)
		return 0;
	while (llen > 0 && is_wsp(l[llen - 1]))
		llen--;
	while (k < llen && l[k] != ':')
		k++;
	if (k == llen || !valid_ext_name(l, k))
		return -1;
	for (vs = k + 1; vs < llen && is_wsp(l[vs]); vs++)
		;
	*line = l;
	*klen = k;
	*v = l + vs;
	*vlen = llen - vs;
	return 1;
}

int
sts_policy_parse(const char *body, size_t len, struct sts_policy *p, const char **why)
{
	size_t pos = 0;
	int have_version = 0, have_mode = 0, have_age = 0;

	memset(p, 0, sizeof(*p));
	if (len > STS_BODY_MAX) {
		*why = "policy larger than 64 KiB";
		return -1;
	}
	while (pos < len) {
		const char *line, *v;
		size_t klen, vlen;
		int rc = next_line(body, len, &pos, &line, &klen, &v, &vlen);

		if (rc == 0) {
			*why = "empty line";
			return -1;
		}
		if (rc < 0) {
			*why = "line is not \"key: value\"";
			return -1;
		}
		if (klen == 7 && memcmp(line, "version", 7) == 0) {
			if (have_version++)
				continue;
			if (vlen != 5 || memcmp(v, "STSv1", 5) != 0) {
				*why = "version is not STSv1";
				return -1;
			}
		} else if (klen == 4 && memcmp(line, "mode", 4) == 0) {
			if (have_mode++)
				continue;
			if (vlen == 7 && memcmp(v, "enforce", 7) == 0)
				p->mode = STS_MODE_ENFORCE;
			else if (vlen == 7 && memcmp(v, "testing", 7) == 0)
				p->mode = STS_MODE_TESTING;
			else if (vlen == 4 && memcmp(v, "none", 4) == 0)
				p->mode = STS_MODE_NONE;
			else {
				*why = "mode is not enforce, testing or none";
				return -1;
			}
		} else if (klen == 7 && memcmp(line, "max_age", 7) == 0) {
			uint64_t age;

			if (have_age++)
				continue;
			if (vlen > 10 || numparse_uint(v, vlen, 9999999999ULL, &age) < 0) {
				*why = "max_age is not 1 to 10 digits";
				return -1;
			}
			if (age > STS_MAX_AGE_MAX) {
				*why = "max_age over 31557600";
				return -1;
			}
			p->max_age = (uint32_t)age;
		} else if (klen == 2 && memcmp(line, "mx", 2) == 0) {
			if (policy_mx(p, v, vlen, why) < 0)
				return -1;
		} else if (!valid_policy_ext_value(v, vlen)) {
			*why = "extension value empty or with control bytes or invalid UTF-8";
			return -1;
		}
		/* other keys: checked, then ignored */
	}
	if (!have_version) {
		*why = "no version line";
		return -1;
	}
	if (!have_mode) {
		*why = "no mode line";
		return -1;
	}
	if (!have_age) {
		*why = "no max_age line";
		return -1;
	}
	if (p->mode != STS_MODE_NONE && p->nmx == 0) {
		*why = "no mx line";
		return -1;
	}
	return 0;
}

int
sts_mx_match(const char *pattern, const char *host)
{
	if (pattern[0] == '*' && pattern[1] == '.') {
		const char *dot = strchr(host, '.');

		return dot != NULL && dot != host && strcmp(dot + 1, pattern + 2) == 0;
	}
	return strcmp(pattern, host) == 0;
}

const char *
sts_mode_name(enum sts_mode mode)
{
	switch (mode) {
	case STS_MODE_ENFORCE: return "enforce";
	case STS_MODE_TESTING: return "testing";
	case STS_MODE_NONE: return "none";
	}
	return "?";
}

int
sts_answer(const struct sts_policy *p, const char *domain, int tlsrpt, struct buf *out)
{
	size_t old = out->len;
	int rc = buf_puts(out, "secure match=");

	for (size_t i = 0; i < p->nmx && rc == 0; i++) {
		/* Postfix ".x" = any subdomain of x: "*.x" rewritten */
		const char *m = p->mx[i][0] == '*' ? p->mx[i] + 1 : p->mx[i];

		rc = buf_printf(out, "%s%s", i ? ":" : "", m);
	}
	if (rc == 0)
		rc = buf_puts(out, " servername=hostname");
	if (rc == 0 && tlsrpt) {
		rc = buf_printf(out, " policy_type=sts policy_domain=%s", domain);
		for (size_t i = 0; i < p->nmx && rc == 0; i++)
			rc = buf_printf(out, " mx_host_pattern=%s", p->mx[i]);
		if (rc == 0)
			rc = buf_printf(out, " { policy_string = version: STSv1 }"
			    " { policy_string = mode: %s }", sts_mode_name(p->mode));
		for (size_t i = 0; i < p->nmx && rc == 0; i++)
			rc = buf_printf(out, " { policy_string = mx: %s }", p->mx[i]);
		if (rc == 0)
			rc = buf_printf(out, " { policy_string = max_age: %u }", (unsigned)p->max_age);
	}
	if (rc < 0) {
		out->len = old;
		if (out->data)
			out->data[old] = '\0';
	}
	return rc;
}
