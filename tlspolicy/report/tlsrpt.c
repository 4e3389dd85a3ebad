/*
 * tlsrpt - TLSRPT policy records, see tlsrpt.h.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "numparse.h"
#include "tlsrpt.h"

static int
wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* extension - tlsrpt-ext-name "=" tlsrpt-ext-value (RFC 8460 section 3) */
static int
extension(const char *p, size_t n, size_t eq)
{
	if (eq == 0 || eq > 32 || !alnum(p[0]) || eq + 1 == n)
		return 0;
	for (size_t i = 1; i < eq; i++)     /* *31(ALPHA / DIGIT / "_" / "-" / ".") */
		if (!alnum(p[i]) && p[i] != '_' && p[i] != '-' && p[i] != '.')
			return 0;
	for (size_t i = eq + 1; i < n; i++) /* 1*(%x21-3A / %x3C / %x3E-7E) */
		if (p[i] < 0x21 || p[i] > 0x7e || p[i] == '=')
			return 0;
	return 1;
}

/* mailto - "mailto:" removed: one address, percent-decoded */
static const char *
mailto(const char *p, size_t n, struct tlsrpt_uri *u)
{
	size_t o = 0;
	const char *at;
	char dom[DOMAIN_MAX + 1];

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n || (h = numparse_hexdigit(p[i + 1])) < 0 || (l = numparse_hexdigit(p[i + 2])) < 0)
				return "bad percent-encoding";
			c = (unsigned char)(h * 16 + l);
			i += 2;
		} else if (c == '?') {
			return "header fields in a mailto URI are not accepted";
		}
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[],;:\\\"", c) != NULL)
			return "address with characters an address may not have";
		if (o + 1 >= sizeof(u->address))
			return "address too long";
		u->address[o++] = (char)c;
	}
	u->address[o] = '\0';
	if ((at = strrchr(u->address, '@')) == NULL || at == u->address)
		return "not an address local@domain";
	if (u->address[0] == '-')
		return "address starting with \"-\"";   /* never an option to sendmail */
	if (domain_normalize(at + 1, strlen(at + 1), dom, NULL) != DOMAIN_OK)
		return "the address has an invalid domain";
	return NULL;
}

/* https - "https://" removed: host[:port][/path] */
static const char *
https(const char *p, size_t n, struct tlsrpt_uri *u)
{
	size_t h = 0;
	uint64_t port = 443;

	while (h < n && p[h] != '/' && p[h] != ':')
		h++;
	if (h == 0 || h > DOMAIN_MAX || domain_normalize(p, h, u->host, NULL) != DOMAIN_OK)
		return "https URI without a valid host name";
	if (h < n && p[h] == ':') {
		size_t e = h + 1;

		while (e < n && p[e] != '/')
			e++;
		if (numparse_uint(p + h + 1, e - h - 1, 65535, &port) < 0 || port == 0)
			return "https URI with a bad port";
		h = e;
	}
	u->port = (unsigned)port;
	if (h == n) {
		u->path[0] = '/';
		u->path[1] = '\0';
		return NULL;
	}
	for (size_t i = h; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return "https URI with spaces or control bytes";
	if (n - h >= sizeof(u->path))
		return "https URI too long";
	memcpy(u->path, p + h, n - h);
	u->path[n - h] = '\0';
	return NULL;
}

/* uri - one URI of the rua list */
static const char *
uri(const char *p, size_t n, struct tlsrpt_uri *u)
{
	memset(u, 0, sizeof(*u));
	if (n > TLSRPT_URI_MAX)
		return "URI too long";
	memcpy(u->uri, p, n);
	u->uri[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return "control bytes in the URI";
	if (n > 7 && strncasecmp(p, "mailto:", 7) == 0) {
		u->scheme = TLSRPT_MAILTO;
		return mailto(p + 7, n - 7, u);
	}
	if (n > 8 && strncasecmp(p, "https://", 8) == 0) {
		u->scheme = TLSRPT_HTTPS;
		return https(p + 8, n - 8, u);
	}
	return "neither mailto: nor https:";
}

static void
rua(const char *p, size_t n, struct tlsrpt_record *r)
{
	size_t i = 0;

	while (i <= n) {
		size_t s, e;
		const char *why;

		while (i < n && wsp(p[i]))
			i++;
		s = i;
		while (i < n && p[i] != ',')
			i++;
		e = i;
		while (e > s && wsp(p[e - 1]))
			e--;
		i++;
		if (e == s)
			continue;
		if (r->nrua >= TLSRPT_RUA_MAX) {
			why = "too many URIs";
		} else if ((why = uri(p + s, e - s, &r->rua[r->nrua])) == NULL) {
			r->nrua++;
			continue;
		}
		if (r->nbad < TLSRPT_BAD_MAX) {
			size_t k = e - s < TLSRPT_URI_MAX ? e - s : TLSRPT_URI_MAX;
			char *b = r->bad[r->nbad];

			memcpy(b, p + s, k);
			b[k] = '\0';
			for (size_t j = 0; j < k; j++)
				if ((unsigned char)b[j] < 0x20 || (unsigned char)b[j] >= 0x7f)
					b[j] = '?';
			r->bad_why[r->nbad] = why;
		}
		r->nbad++;
	}
}

enum tlsrpt_status
tlsrpt_parse(const char *txt, size_t len, struct tlsrpt_record *r, const char **why)
{
	size_t i = 10, last = len, have_rua = 0;

	memset(r, 0, sizeof(*r));
	if (len < 10 || memcmp(txt, "v=TLSRPTv1", 10) != 0)
		return TLSRPT_NONE;
	while (i < len && wsp(txt[i]))
		i++;
	if (i >= len || txt[i] != ';')
		return TLSRPT_NONE;
	/* WSP at the end only as part of a field-delim, *WSP ";" *WSP */
	while (last > i && wsp(txt[last - 1]))
		last--;
	if (last < len && txt[last - 1] != ';') {
		*why = "whitespace at the end without \";\"";
		return TLSRPT_INVALID;
	}
	while (i < len) {
		size_t s, e, eq;

		i++;   /* the ';' */
		while (i < len && wsp(txt[i]))
			i++;
		s = i;
		while (i < len && txt[i] != ';')
			i++;
		e = i;
		while (e > s && wsp(txt[e - 1]))
			e--;
		if (e == s) {
			if (i == len)
				break;   /* one trailing ";" */
			*why = "an empty field";
			return TLSRPT_INVALID;
		}
		for (eq = s; eq < e && txt[eq] != '='; eq++)
			;
		if (eq == e) {
			*why = "a field without \"=\"";
			return TLSRPT_INVALID;
		}
		if (eq - s == 3 && memcmp(txt + s, "rua", 3) == 0) {
			/* repeated: the ABNF allows it, the lists are joined */
			have_rua++;
			rua(txt + eq + 1, e - eq - 1, r);
		} else if (!extension(txt + s, e - s, eq - s)) {
			*why = "a malformed extension field";
			return TLSRPT_INVALID;
		}
		/* extensions: ignored */
	}
	if (r->nrua == 0) {
		*why = have_rua ? "no usable rua URI" : "no rua field";
		return TLSRPT_INVALID;
	}
	return TLSRPT_OK;
}

enum tlsrpt_status
tlsrpt_select(const char *const *txt, const size_t *len, size_t n, struct tlsrpt_record *r,
    const char **why)
{
	struct tlsrpt_record one;
	enum tlsrpt_status found = TLSRPT_NONE;
	size_t count = 0;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		const char *w = NULL;
		enum tlsrpt_status st = tlsrpt_parse(txt[i], len[i], &one, &w);

		if (st == TLSRPT_NONE)
			continue;
		if (++count > 1) {
			*why = "more than one TLSRPTv1 record";
			return TLSRPT_MULTIPLE;
		}
		found = st;
		*why = w;
		*r = one;
	}
	return found;
}

int
tlsrpt_result_type(const char *type)
{
	static const char *const types[] = {
		"starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
		"certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
		"dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return 0;
}
