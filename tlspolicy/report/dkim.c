/*
 * dkim - DKIM signature verification, see dkim.h.
 */
#include "config.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "buf.h"
#include "dkim.h"
#include "domain.h"
#include "mime.h"

#define FIELDS_MAX 1000          /* header fields looked at */
#define KEY_MAX 4096             /* decoded public key bytes */

static int
wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int
fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* a tag=value list (RFC 6376 section 3.2), walked one tag at a time */
struct tag {
	const char *name, *val;
	size_t nlen, vlen;
	size_t vstart, vend;   /* offsets of the value in the list */
};

/* tag_next - the next tag of s[0..n) at *pos; 1, 0 at the end, -1 if
 * malformed */
static int
tag_next(const char *s, size_t n, size_t *pos, struct tag *t)
{
	size_t i = *pos, e;

	while (i < n && fws(s[i]))
		i++;
	if (i >= n)
		return 0;
	t->name = s + i;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'))
		i++;
	t->nlen = (size_t)(s + i - t->name);
	while (i < n && fws(s[i]))
		i++;
	if (t->nlen == 0 || i >= n || s[i] != '=')
		return -1;
	i++;
	while (i < n && fws(s[i]))
		i++;
	t->vstart = i;
	while (i < n && s[i] != ';')
		i++;
	e = i;
	while (e > t->vstart && fws(s[e - 1]))
		e--;
	t->val = s + t->vstart;
	t->vlen = e - t->vstart;
	t->vend = i;
	*pos = i < n ? i + 1 : n;
	return 1;
}

static int
is(const struct tag *t, const char *name)
{
	return t->nlen == strlen(name) && memcmp(t->name, name, t->nlen) == 0;
}

static int
val_is(const struct tag *t, const char *v)
{
	return t->vlen == strlen(v) && strncasecmp(t->val, v, t->vlen) == 0;
}

/* number - decimal t->val, at most 16 digits; -1 if not */
static int64_t
number(const struct tag *t)
{
	int64_t n = 0;

	if (t->vlen == 0 || t->vlen > 16)
		return -1;
	for (size_t i = 0; i < t->vlen; i++) {
		if (t->val[i] < '0' || t->val[i] > '9')
			return -1;
		n = n * 10 + (t->val[i] - '0');
	}
	return n;
}

int
dkim_sig_parse(const char *value, size_t len, struct dkim_sig *sig, const char **why)
{
	struct tag t;
	size_t pos = 0;
	unsigned seen = 0;
	int rc;
	long n;

	memset(sig, 0, sizeof(*sig));
	sig->l = sig->t = sig->x = -1;
	if (len > DKIM_FIELD_MAX) {
		*why = "DKIM-Signature too long";
		return -1;
	}
	while ((rc = tag_next(value, len, &pos, &t)) == 1) {
		static const char *const known = "v a b bh c d h i l q s t x z";
		char nm[8];
		const char *k;
		unsigned bit;

		/* each known tag at most once */
		if (t.nlen < sizeof(nm)) {
			memcpy(nm, t.name, t.nlen);
			nm[t.nlen] = '\0';
			for (k = known, bit = 1; *k; bit <<= 1) {
				size_t kl = strcspn(k, " ");

				if (kl == t.nlen && memcmp(k, nm, kl) == 0) {
					if (seen & bit) {
						*why = "a tag repeated in DKIM-Signature";
						return -1;
					}
					seen |= bit;
					break;
				}
				k += kl;
				while (*k == ' ')
					k++;
			}
		}
		if (is(&t, "v")) {
			if (!val_is(&t, "1")) {
				*why = "DKIM-Signature version is not 1";
				return -1;
			}
		} else if (is(&t, "a")) {
			if (val_is(&t, "rsa-sha256"))
				sig->alg = DKIM_RSA_SHA256;
			else if (val_is(&t, "ed25519-sha256"))
				sig->alg = DKIM_ED25519_SHA256;
			else {
				*why = "signature algorithm not rsa-sha256 or ed25519-sha256";
				return -1;
			}
		} else if (is(&t, "b")) {
			if ((n = base64_decode(t.val, t.vlen, sig->b, sizeof(sig->b), BASE64_FWS)) <= 0) {
				*why = "b= is not base64 or too long";
				return -1;
			}
			sig->blen = (size_t)n;
		} else if (is(&t, "bh")) {
			if ((n = base64_decode(t.val, t.vlen, sig->bh, sizeof(sig->bh), BASE64_FWS)) != 32) {
				*why = "bh= is not a base64 SHA-256 hash";
				return -1;
			}
			sig->bhlen = (size_t)n;
		} else if (is(&t, "c")) {
			const char *slash = memchr(t.val, '/', t.vlen);
			size_t hl = slash ? (size_t)(slash - t.val) : t.vlen;
			struct tag h = t, b = t;

			h.vlen = hl;
			b.val = slash ? slash + 1 : "simple";
			b.vlen = slash ? t.vlen - hl - 1 : 6;
			if ((!val_is(&h, "simple") && !val_is(&h, "relaxed"))
			    || (!val_is(&b, "simple") && !val_is(&b, "relaxed"))) {
				*why = "unknown canonicalization in c=";
				return -1;
			}
			sig->hcanon = val_is(&h, "relaxed") ? DKIM_RELAXED : DKIM_SIMPLE;
			sig->bcanon = val_is(&b, "relaxed") ? DKIM_RELAXED : DKIM_SIMPLE;
		} else if (is(&t, "d")) {
			if (t.vlen > DOMAIN_MAX || domain_normalize(t.val, t.vlen, sig->d, NULL)
			    != DOMAIN_OK) {
				*why = "d= is not a domain name";
				return -1;
			}
		} else if (is(&t, "s")) {
			if (t.vlen == 0 || t.vlen > DKIM_SELECTOR_MAX) {
				*why = "bad selector s=";
				return -1;
			}
			for (size_t i = 0; i < t.vlen; i++)
				if (!isalnum((unsigned char)t.val[i]) && t.val[i] != '-'
				    && t.val[i] != '_' && t.val[i] != '.') {
					*why = "bad selector s=";
					return -1;
				}
			memcpy(sig->s, t.val, t.vlen);
			sig->s[t.vlen] = '\0';
		} else if (is(&t, "h")) {
			size_t i = 0;

			while (i < t.vlen) {
				size_t st, e;

				while (i < t.vlen && fws(t.val[i]))
					i++;
				st = i;
				while (i < t.vlen && t.val[i] != ':')
					i++;
				e = i;
				while (e > st && fws(t.val[e - 1]))
					e--;
				if (i < t.vlen)
					i++;
				if (e == st)
					continue;
				if (sig->nh == DKIM_HEADERS_MAX || e - st >= sizeof(sig->h[0])) {
					*why = "h= too long";
					return -1;
				}
				for (size_t j = st; j < e; j++)
					sig->h[sig->nh][j - st] = (char)tolower((unsigned char)t.val[j]);
				sig->h[sig->nh][e - st] = '\0';
				sig->nh++;
			}
		} else if (is(&t, "l")) {
			if ((sig->l = number(&t)) < 0) {
				*why = "l= is not a number";
				return -1;
			}
		} else if (is(&t, "t")) {
			if ((sig->t = number(&t)) < 0) {
				*why = "t= is not a number";
				return -1;
			}
		} else if (is(&t, "x")) {
			if ((sig->x = number(&t)) < 0) {
				*why = "x= is not a number";
				return -1;
			}
		} else if (is(&t, "q")) {
			if (!val_is(&t, "dns/txt")) {
				*why = "q= other than dns/txt";
				return -1;
			}
		}
		/* i=, z= and unknown tags are ignored */
	}
	if (rc < 0) {
		*why = "malformed DKIM-Signature tag list";
		return -1;
	}
	if (!(seen & 1u) || !(seen & 2u) || sig->blen == 0 || sig->bhlen == 0 || sig->d[0] == '\0'
	    || sig->s[0] == '\0' || sig->nh == 0) {
		*why = "DKIM-Signature lacks one of v=, a=, b=, bh=, d=, h=, s=";
		return -1;
	}
	for (size_t i = 0; i < sig->nh; i++)
		if (strcmp(sig->h[i], "from") == 0)
			return 0;
	*why = "the From field is not signed (h= lacks from)";
	return -1;
}

/* the fields of a header block, in order */
struct fields {
	size_t n;
	const char *name[FIELDS_MAX], *field[FIELDS_MAX];
	size_t nlen[FIELDS_MAX], flen[FIELDS_MAX];
};

static void
fields_read(const char *msg, size_t hlen, struct fields *f)
{
	size_t pos = 0;

	f->n = 0;
	while (f->n < FIELDS_MAX && mime_header_next(msg, hlen, &pos, &f->name[f->n],
	    &f->nlen[f->n], &f->field[f->n], &f->flen[f->n]))
		f->n++;
}

static int
named(const struct fields *f, size_t i, const char *name)
{
	return f->nlen[i] == strlen(name) && strncasecmp(f->name[i], name, f->nlen[i]) == 0;
}

size_t
dkim_find(const char *msg, size_t len, struct dkim_sig *sigs, size_t max, size_t *bad,
    const char **why)
{
	static struct fields f;
	size_t hlen, n = 0;

	*bad = 0;
	mime_header_end(msg, len, &hlen);
	fields_read(msg, hlen, &f);
	for (size_t i = 0; i < f.n && n < max; i++) {
		const char *colon;
		const char *w;

		if (!named(&f, i, "DKIM-Signature"))
			continue;
		colon = memchr(f.field[i], ':', f.flen[i]);
		if (dkim_sig_parse(colon + 1, f.flen[i] - (size_t)(colon + 1 - f.field[i]), &sigs[n],
		    &w) < 0) {
			if ((*bad)++ == 0)
				*why = w;
			continue;
		}
		sigs[n].field = i;
		n++;
	}
	return n;
}

int
dkim_key_name(const struct dkim_sig *sig, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s._domainkey.%s", sig->s, sig->d);

	return n < 0 || (size_t)n >= outlen || n > DOMAIN_MAX ? -1 : 0;
}

int
dkim_crlf(const char *msg, size_t len, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < len; i++) {
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r')) {
			if (buf_append(out, "\r\n", 2) < 0)
				return -1;
		} else if (msg[i] == '\r' && (i + 1 == len || msg[i + 1] != '\n')) {
			if (buf_append(out, "\r\n", 2) < 0)   /* a bare CR ends a line too */
				return -1;
		} else if (buf_append(out, msg + i, 1) < 0) {
			return -1;
		}
	}
	return 0;
}

int
dkim_aligned(const char *d, const char *dom)
{
	size_t dl = strlen(d), nl = strlen(dom);

	if (strchr(d, '.') == NULL)
		return 0;
	if (dl == nl)
		return strcmp(d, dom) == 0;
	return dl < nl && dom[nl - dl - 1] == '.' && strcmp(dom + nl - dl, d) == 0;
}

/* body_canon - the canonical body of b[0..n) into out */
static int
body_canon(const char *b, size_t n, enum dkim_canon c, struct buf *out)
{
	size_t i = 0;

	buf_reset(out);
	while (i < n) {
		size_t e = i, le;

		while (e < n && !(b[e] == '\r' && e + 1 < n && b[e + 1] == '\n'))
			e++;
		le = e;
		if (c == DKIM_SIMPLE) {
			if (buf_append(out, b + i, le - i) < 0)
				return -1;
		} else {
			/* runs of blanks become one space; none at the end of the line */
			size_t end = le;

			while (end > i && wsp(b[end - 1]))
				end--;
			for (size_t k = i; k < end; k++) {
				if (wsp(b[k])) {
					while (k + 1 < end && wsp(b[k + 1]))
						k++;
					if (buf_append(out, " ", 1) < 0)
						return -1;
				} else if (buf_append(out, b + k, 1) < 0) {
					return -1;
				}
			}
		}
		if (buf_append(out, "\r\n", 2) < 0)
			return -1;
		i = e < n ? e + 2 : n;
	}
	/* empty lines at the end are dropped */
	while (out->len >= 4 && memcmp(out->data + out->len - 4, "\r\n\r\n", 4) == 0)
		out->len -= 2;
	if (out->len == 2 && memcmp(out->data, "\r\n", 2) == 0)
		out->len = 0;
	if (out->len == 0 && c == DKIM_SIMPLE && buf_append(out, "\r\n", 2) < 0)
		return -1;
	if (out->data)
		out->data[out->len] = '\0';
	return 0;
}

/* header_canon - one field f[0..n) appended to out, with its CRLF if crlf */
static int
header_canon(const char *f, size_t n, enum dkim_canon c, int crlf, struct buf *out)
{
	const char *colon = memchr(f, ':', n);
	size_t nl, i;
	int sp = 0;

	if (c == DKIM_SIMPLE) {
		if (buf_append(out, f, n) < 0)
			return -1;
		return crlf ? buf_append(out, "\r\n", 2) : 0;
	}
	nl = (size_t)(colon - f);
	while (nl > 0 && wsp(f[nl - 1]))
		nl--;
	for (i = 0; i < nl; i++) {
		char ch = (char)tolower((unsigned char)f[i]);

		if (buf_append(out, &ch, 1) < 0)
			return -1;
	}
	if (buf_append(out, ":", 1) < 0)
		return -1;
	i = (size_t)(colon - f) + 1;
	while (i < n && fws(f[i]))
		i++;
	for (; i < n; i++) {
		if (f[i] == '\r' || f[i] == '\n')
			continue;
		if (wsp(f[i])) {
			sp = 1;
			continue;
		}
		if (sp && buf_append(out, " ", 1) < 0)
			return -1;
		sp = 0;
		if (buf_append(out, f + i, 1) < 0)
			return -1;
	}
	return crlf ? buf_append(out, "\r\n", 2) : 0;
}

/* without_b - the signature field f[0..n) with the value of its b= tag
 * removed, into out */
static int
without_b(const char *f, size_t n, struct buf *out)
{
	const char *colon = memchr(f, ':', n);
	size_t base = (size_t)(colon - f) + 1, pos = 0, len = n - base;
	struct tag t;

	buf_reset(out);
	while (tag_next(f + base, len, &pos, &t) == 1)
		if (is(&t, "b")) {
			if (buf_append(out, f, base + t.vstart) < 0
			    || buf_append(out, f + base + t.vend, n - base - t.vend) < 0)
				return -1;
			return 0;
		}
	return -1;
}

/* key_parse - the public key of a key record */
static EVP_PKEY *
key_parse(const char *txt, size_t len, enum dkim_alg alg, enum dkim_result *res, const char **why)
{
	static unsigned char raw[KEY_MAX];
	struct tag t;
	size_t pos = 0;
	int first = 1, have_p = 0, rsa = 1, rc;
	long n = 0;
	EVP_PKEY *k = NULL;

	*res = DKIM_NOKEY;
	while ((rc = tag_next(txt, len, &pos, &t)) == 1) {
		if (is(&t, "v") && (!first || !val_is(&t, "DKIM1"))) {
			*why = "key record: v= is not DKIM1 or not first";
			return NULL;
		} else if (is(&t, "k")) {
			if (val_is(&t, "ed25519"))
				rsa = 0;
			else if (!val_is(&t, "rsa")) {
				*why = "key record: unknown key type";
				return NULL;
			}
		} else if (is(&t, "h")) {
			char hs[64];
			size_t hl = t.vlen < sizeof(hs) - 1 ? t.vlen : sizeof(hs) - 1;

			memcpy(hs, t.val, hl);
			hs[hl] = '\0';
			if (strstr(hs, "sha256") == NULL) {
				*why = "key record: h= does not allow sha256";
				return NULL;
			}
		} else if (is(&t, "p")) {
			have_p = 1;
			if (t.vlen == 0) {
				*why = "key record: key revoked (empty p=)";
				*res = DKIM_FAIL;
				return NULL;
			}
			if ((n = base64_decode(t.val, t.vlen, raw, sizeof(raw), BASE64_FWS)) <= 0) {
				*why = "key record: p= is not base64";
				return NULL;
			}
		} else if (is(&t, "s")) {
			if (memchr(t.val, '*', t.vlen) == NULL && !(t.vlen >= 5
			    && strncasecmp(t.val, "email", 5) == 0)) {
				*why = "key record: not for email (s=)";
				return NULL;
			}
		}
		first = 0;
	}
	if (rc < 0 || !have_p) {
		*why = "key record: malformed, or no p=";
		return NULL;
	}
	if (rsa != (alg == DKIM_RSA_SHA256)) {
		*why = "key type does not match the signature algorithm";
		*res = DKIM_FAIL;
		return NULL;
	}
	if (rsa) {
		const unsigned char *p = raw;

		k = d2i_PUBKEY(NULL, &p, n);
		if (k == NULL) {
			p = raw;
			k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, n);
		}
		if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
			EVP_PKEY_free(k);
			*why = "key record: not an RSA public key";
			return NULL;
		}
		if (EVP_PKEY_get_bits(k) < 1024) {
			EVP_PKEY_free(k);
			*why = "RSA key shorter than 1024 bits";
			*res = DKIM_FAIL;
			return NULL;
		}
	} else {
		if (n != 32 || (k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32))
		    == NULL) {
			*why = "key record: not an Ed25519 public key";
			return NULL;
		}
	}
	return k;
}

enum dkim_result
dkim_verify(const char *msg, size_t len, const struct dkim_sig *sig, const char *txt,
    size_t txtlen, time_t now, const char **why)
{
	static struct fields f;
	unsigned char used[FIELDS_MAX], hash[32], dig[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	size_t hlen, body = mime_header_end(msg, len, &hlen), blen;
	struct buf canon, data;
	enum dkim_result res = DKIM_FAIL;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *ctx = NULL;

	if (sig->x >= 0 && (int64_t)now > sig->x) {
		*why = "the signature has expired (x=)";
		return DKIM_FAIL;
	}
	if (sig->x >= 0 && sig->t >= 0 && sig->x < sig->t) {
		*why = "x= before t=";
		return DKIM_FAIL;
	}
	if (sig->t >= 0 && sig->t > (int64_t)now + 3600) {
		*why = "the signature is dated in the future (t=)";
		return DKIM_FAIL;
	}
	buf_init(&canon, len + 4);
	buf_init(&data, len + DKIM_FIELD_MAX + 4);
	/* body hash */
	if (body_canon(msg + body, len - body, sig->bcanon, &canon) < 0) {
		*why = "message too large";
		goto out;
	}
	blen = canon.len;
	if (sig->l >= 0) {
		if ((uint64_t)sig->l < blen) {
			*why = "l= leaves part of the body unsigned";
			goto out;
		}
		if ((uint64_t)sig->l > blen) {
			*why = "l= is longer than the body";
			goto out;
		}
	}
	if (EVP_Digest(canon.data ? canon.data : "", blen, hash, &dlen, EVP_sha256(), NULL) != 1
	    || dlen != 32) {
		*why = "SHA-256 failed";
		goto out;
	}
	if (memcmp(hash, sig->bh, 32) != 0) {
		*why = "body hash mismatch (the body was changed)";
		goto out;
	}
	/* header hash input: the signed fields, bottom-up per name, then the
	 * signature field without its b= value and CRLF */
	memset(used, 0, sizeof(used));
	fields_read(msg, hlen, &f);
	if (sig->field >= f.n) {
		*why = "signature field not found";
		goto out;
	}
	for (size_t i = 0; i < sig->nh; i++) {
		for (size_t j = f.n; j-- > 0;) {
			if (used[j] || !named(&f, j, sig->h[i]))
				continue;
			used[j] = 1;
			if (header_canon(f.field[j], f.flen[j], sig->hcanon, 1, &data) < 0) {
				*why = "message too large";
				goto out;
			}
			break;
		}
	}
	if (without_b(f.field[sig->field], f.flen[sig->field], &canon) < 0
	    || header_canon(canon.data, canon.len, sig->hcanon, 0, &data) < 0) {
		*why = "cannot rebuild the signature field";
		goto out;
	}
	if ((key = key_parse(txt, txtlen, sig->alg, &res, why)) == NULL)
		goto out;
	res = DKIM_FAIL;
	ctx = EVP_MD_CTX_new();
	if (sig->alg == DKIM_RSA_SHA256) {
		if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) != 1
		    || EVP_DigestVerify(ctx, sig->b, sig->blen, (const unsigned char *)data.data,
		    data.len) != 1) {
			*why = "signature does not verify (a signed header field was changed?)";
			goto out;
		}
	} else {
		if (EVP_Digest(data.data, data.len, dig, &dlen, EVP_sha256(), NULL) != 1
		    || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1
		    || EVP_DigestVerify(ctx, sig->b, sig->blen, dig, dlen) != 1) {
			*why = "signature does not verify (a signed header field was changed?)";
			goto out;
		}
	}
	res = DKIM_PASS;
	*why = "pass";
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	buf_fini(&canon);
	buf_fini(&data);
	return res;
}
