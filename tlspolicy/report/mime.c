/*
 * mime - the MIME structure of an incoming report message, see mime.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "base64.h"
#include "buf.h"
#include "mime.h"

#define BOUNDARY_MAX 200

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t
mime_header_end(const char *msg, size_t len, size_t *hlen)
{
	size_t i = 0;

	/* the header ends at the first empty line; one at the very start
	 * means no header at all */
	for (;;) {
		if (i < len && msg[i] == '\n') {
			*hlen = i;
			return i + 1;
		}
		if (i + 1 < len && msg[i] == '\r' && msg[i + 1] == '\n') {
			*hlen = i;
			return i + 2;
		}
		while (i < len && msg[i] != '\n')
			i++;
		if (i >= len)
			break;
		i++;
	}
	*hlen = len;
	return len;
}

int
mime_header_next(const char *hdr, size_t hlen, size_t *pos, const char **name,
    size_t *namelen, const char **field, size_t *fieldlen)
{
	size_t i = *pos;

	while (i < hlen) {
		size_t start = i, colon = 0, end;

		/* one field: its first line and the continuation lines */
		for (;;) {
			while (i < hlen && hdr[i] != '\n')
				i++;
			if (i >= hlen)
				break;
			i++;
			if (i >= hlen || (hdr[i] != ' ' && hdr[i] != '\t'))
				break;
		}
		end = i;
		while (end > start && (hdr[end - 1] == '\n' || hdr[end - 1] == '\r'))
			end--;
		while (colon < end - start && hdr[start + colon] != ':' && hdr[start + colon] != '\n')
			colon++;
		if (colon == 0 || start + colon >= end || hdr[start + colon] != ':')
			continue;   /* not a field */
		*name = hdr + start;
		*namelen = colon;
		while (*namelen > 0 && (hdr[start + *namelen - 1] == ' '
		    || hdr[start + *namelen - 1] == '\t'))
			(*namelen)--;
		*field = hdr + start;
		*fieldlen = end - start;
		*pos = i;
		return 1;
	}
	*pos = hlen;
	return 0;
}

/* unfold - the value of field[0..len) after its colon, unfolded, blanks
 * at both ends removed, into out[outlen] */
static void
unfold(const char *field, size_t len, char *out, size_t outlen)
{
	const char *colon = memchr(field, ':', len);
	size_t o = 0, i;

	i = colon ? (size_t)(colon - field) + 1 : len;
	while (i < len && blank(field[i]))
		i++;
	for (; i < len && o + 1 < outlen; i++) {
		if (field[i] == '\r' || field[i] == '\n')
			continue;
		out[o++] = field[i];
	}
	while (o > 0 && blank(out[o - 1]))
		o--;
	out[o] = '\0';
}

int
mime_header_get(const char *hdr, size_t hlen, const char *name, char *out, size_t outlen)
{
	size_t pos = 0, nlen, flen, want = strlen(name);
	const char *n, *f;

	while (mime_header_next(hdr, hlen, &pos, &n, &nlen, &f, &flen))
		if (nlen == want && strncasecmp(n, name, want) == 0) {
			unfold(f, flen, out, outlen);
			return 1;
		}
	if (outlen > 0)
		out[0] = '\0';
	return 0;
}

int
mime_param(const char *value, const char *pname, char *out, size_t outlen)
{
	size_t want = strlen(pname);
	const char *p = value;
	int quoted = 0;

	/* skip the leading value (type/subtype, disposition) */
	for (; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted)
			break;
	}
	while (*p == ';') {
		const char *nm, *eq;
		size_t o = 0;

		p++;
		while (blank(*p))
			p++;
		nm = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		if (*p != '=') {
			continue;
		}
		eq = p;
		while (eq > nm && blank(eq[-1]))
			eq--;
		p++;
		while (blank(*p))
			p++;
		if ((size_t)(eq - nm) == want && strncasecmp(nm, pname, want) == 0) {
			if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && p[1])
						p++;
					if (o + 1 < outlen)
						out[o++] = *p;
				}
			} else {
				for (; *p && *p != ';' && !blank(*p); p++)
					if (o + 1 < outlen)
						out[o++] = *p;
			}
			if (outlen > 0)
				out[o] = '\0';
			return 1;
		}
		/* skip this parameter's value */
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p == '"')
				p++;
		}
		while (*p && *p != ';')
			p++;
	}
	if (outlen > 0)
		out[0] = '\0';
	return 0;
}

/* lower - s in lower case, in place */
static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* ctype_of - "type/subtype" of a Content-Type value, lower case */
static void
ctype_of(const char *value, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *p = value; *p && *p != ';' && !blank(*p) && o + 1 < outlen; p++)
		out[o++] = *p;
	out[o] = '\0';
	lower(out);
	if (o == 0 || strchr(out, '/') == NULL)
		snprintf(out, outlen, "text/plain");
}

struct walk {
	mime_part_cb *cb;
	void *arg;
	unsigned parts;
	const char *why;
};

/* is_delim - does s[i..len) start a delimiter line for b: "--" b, then
 * "--", blanks or the end of the line (so that boundary "b" does not take
 * the lines of an inner boundary "b1")? */
static int
is_delim(const char *s, size_t len, size_t i, const char *b, size_t blen)
{
	size_t e = i + 2 + blen;

	if (!((i == 0 || s[i - 1] == '\n') && len - i >= blen + 2 && s[i] == '-'
	    && s[i + 1] == '-' && memcmp(s + i + 2, b, blen) == 0))
		return 0;
	return e == len || s[e] == '\r' || s[e] == '\n' || s[e] == ' ' || s[e] == '\t'
	    || (s[e] == '-' && e + 1 < len && s[e + 1] == '-');
}

static int walk_entity(struct walk *w, const char *e, size_t len, unsigned depth);

/* walk_multipart - the parts between the delimiters of body[0..len) */
static int
walk_multipart(struct walk *w, const char *body, size_t len, const char *b, unsigned depth)
{
	size_t blen = strlen(b), i = 0, start = 0;
	int in_part = 0, rc;

	for (; i < len; i++) {
		size_t end, next;

		if (!is_delim(body, len, i, b, blen))
			continue;
		/* the CRLF before the delimiter belongs to it */
		end = i;
		if (end > 0 && body[end - 1] == '\n')
			end--;
		if (end > 0 && body[end - 1] == '\r')
			end--;
		if (in_part && end >= start) {
			if ((rc = walk_entity(w, body + start, end - start, depth + 1)) != 0)
				return rc;
		}
		next = i + 2 + blen;
		if (len - next >= 2 && body[next] == '-' && body[next + 1] == '-')
			return 0;   /* close delimiter */
		while (next < len && body[next] != '\n')
			next++;
		start = next < len ? next + 1 : len;
		in_part = 1;
		i = start > 0 ? start - 1 : 0;
	}
	/* no close delimiter: the last part runs to the end */
	if (in_part && start < len)
		return walk_entity(w, body + start, len - start, depth + 1);
	return 0;
}

/* walk_entity - one entity: headers, then a leaf or a multipart */
static int
walk_entity(struct walk *w, const char *e, size_t len, unsigned depth)
{
	struct mime_part p;
	char ct[1024], cd[1024], boundary[BOUNDARY_MAX + 1];
	size_t hlen, body = mime_header_end(e, len, &hlen);

	if (depth > MIME_DEPTH_MAX) {
		w->why = "MIME parts nested too deep";
		return -1;
	}
	if (++w->parts > MIME_PARTS_MAX) {
		w->why = "too many MIME parts";
		return -1;
	}
	memset(&p, 0, sizeof(p));
	mime_header_get(e, hlen, "Content-Type", ct, sizeof(ct));
	ctype_of(ct, p.ctype, sizeof(p.ctype));
	if (strncmp(p.ctype, "multipart/", 10) == 0) {
		if (!mime_param(ct, "boundary", boundary, sizeof(boundary)) || boundary[0] == '\0') {
			w->why = "multipart without a boundary";
			return -1;
		}
		return walk_multipart(w, e + body, len - body, boundary, depth);
	}
	if (mime_header_get(e, hlen, "Content-Transfer-Encoding", p.encoding, sizeof(p.encoding)))
		lower(p.encoding);
	if (mime_header_get(e, hlen, "Content-Disposition", cd, sizeof(cd)))
		mime_param(cd, "filename", p.name, sizeof(p.name));
	if (p.name[0] == '\0')
		mime_param(ct, "name", p.name, sizeof(p.name));
	p.whole = depth == 0;
	p.body = e + body;
	p.len = len - body;
	return w->cb(w->arg, &p) ? 1 : 0;
}

int
mime_walk(const char *msg, size_t len, mime_part_cb *cb, void *arg, const char **why)
{
	struct walk w = { cb, arg, 0, NULL };
	int rc = walk_entity(&w, msg, len, 0);

	if (rc < 0)
		*why = w.why;
	return rc;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
mime_decode(const char *body, size_t len, const char *enc, struct buf *out, const char **why)
{
	const unsigned char *s = (const unsigned char *)body;

	if (strcmp(enc, "base64") == 0) {
		/* anything that is not a base64 letter (line ends, blanks) is
		 * passed over, as senders wrap lines differently */
		size_t want = len / 4 * 3 + 3, room;
		long n;

		if (want > out->max - out->len)
			want = out->max - out->len;
		if (want == 0 || (room = buf_space(out, want)) == 0)
			goto full;
		if ((n = base64_decode(body, len, (unsigned char *)out->data + out->len, room,
		    BASE64_LOOSE)) < 0)
			goto full;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		return 0;
	}
	if (strcmp(enc, "quoted-printable") == 0) {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = s[i];

			if (c == '=' && i + 1 < len && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
				i++;            /* soft line break */
				if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
					i++;
				continue;
			}
			if (c == '=' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
				c = (unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
				i += 2;
			}
			if (buf_append(out, &c, 1) < 0)
				goto full;
		}
		return 0;
	}
	/* 7bit, 8bit, binary, none or unknown: as it is */
	if (buf_append(out, body, len) < 0)
		goto full;
	return 0;
full:
	*why = "report part too large";
	return -1;
}

int
mime_is_gzip(const void *in, size_t len)
{
	const unsigned char *p = in;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

int
mime_gunzip(const void *in, size_t len, struct buf *out, const char **why)
{
	z_stream z;
	int rc;

	buf_reset(out);
	if (!mime_is_gzip(in, len)) {
		*why = "not gzip data";
		return -1;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		*why = "zlib initialisation failed";
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	/* gzip members are small; a length past uInt is refused below */
	if (len > 0xffffffffu) {
		inflateEnd(&z);
		*why = "gzip data too large";
		return -1;
	}
	z.avail_in = (uInt)len;
	for (;;) {
		size_t left = out->max - out->len, room;

		if (left == 0) {
			inflateEnd(&z);
			*why = "the report inflates past the size limit (a decompression bomb?)";
			return -1;
		}
		room = buf_space(out, left < 65536 ? left : 65536);
		if (room > 0x40000000u)
			room = 0x40000000u;
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)room;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += room - z.avail_out;
		out->data[out->len] = '\0';
		if (rc == Z_STREAM_END)
			break;
		if ((rc != Z_OK && rc != Z_BUF_ERROR) || (rc == Z_BUF_ERROR && z.avail_in == 0)) {
			inflateEnd(&z);
			*why = "damaged gzip data";
			return -1;
		}
	}
	inflateEnd(&z);
	return 0;
}

/* how well a part fits as the report: higher is better, 0 not at all */
static int
score(const struct mime_part *p, const char *dec, size_t declen)
{
	const char *n = p->name;
	size_t nl = strlen(n);
	int gz = mime_is_gzip(dec, declen), js = 0, named;

	for (size_t i = 0; i < declen; i++)
		if (!blank(dec[i])) {
			js = dec[i] == '{';
			break;
		}
	named = (nl > 8 && strcasecmp(n + nl - 8, ".json.gz") == 0)
	    || (nl > 5 && strcasecmp(n + nl - 5, ".json") == 0)
	    || (nl > 3 && strcasecmp(n + nl - 3, ".gz") == 0)
	    || (nl > 6 && strcasecmp(n + nl - 6, ".jsonz") == 0);
	if (!gz && !js)
		return 0;
	if (strcmp(p->ctype, "application/tlsrpt+gzip") == 0
	    || strcmp(p->ctype, "application/tlsrpt+json") == 0)
		return 4;
	if (named)
		return 3;
	if (strcmp(p->ctype, "application/gzip") == 0 || strcmp(p->ctype, "application/x-gzip") == 0
	    || strcmp(p->ctype, "application/json") == 0
	    || strcmp(p->ctype, "application/octet-stream") == 0)
		return 2;
	/* JSON in a text part without a name is taken only when it is the
	 * whole message: in a multipart it is the human-readable part */
	return gz || p->whole ? 1 : 0;
}

struct pick {
	struct buf dec;       /* the decoded part being looked at */
	struct buf best;      /* the best one so far */
	int best_score;
	char what[MIME_CTYPE_MAX + MIME_NAME_MAX + 8];
	const char *why;
	int failed;
};

static int
consider(void *arg, const struct mime_part *p)
{
	struct pick *k = arg;
	const char *why;
	int sc;

	buf_reset(&k->dec);
	if (mime_decode(p->body, p->len, p->encoding, &k->dec, &why) < 0) {
		k->why = why;
		k->failed = 1;
		return 0;
	}
	sc = score(p, k->dec.data ? k->dec.data : "", k->dec.len);
	if (sc > k->best_score) {
		struct buf t = k->best;

		k->best = k->dec;
		k->dec = t;
		k->best_score = sc;
		snprintf(k->what, sizeof(k->what), "%s%s%s", p->ctype, p->name[0] ? " " : "", p->name);
	}
	return sc == 4 ? 1 : 0;
}

int
mime_report(const char *msg, size_t len, struct buf *json, char *what, size_t whatlen,
    const char **why)
{
	struct pick k;
	int rc;

	memset(&k, 0, sizeof(k));
	buf_reset(json);
	buf_init(&k.dec, json->max);
	buf_init(&k.best, json->max);
	if (mime_walk(msg, len, consider, &k, why) < 0) {
		rc = -1;
	} else if (k.best_score == 0) {
		*why = k.failed ? k.why : "no TLSRPT report in the message (no application/tlsrpt+gzip "
		    "or +json part, no .json.gz or .json attachment)";
		rc = k.failed ? -1 : 1;
	} else if (mime_is_gzip(k.best.data, k.best.len)) {
		rc = mime_gunzip(k.best.data, k.best.len, json, why);
	} else {
		rc = buf_append(json, k.best.data, k.best.len);
		if (rc < 0)
			*why = "report part too large";
	}
	if (what != NULL && whatlen > 0)
		snprintf(what, whatlen, "%s", k.what);
	buf_fini(&k.dec);
	buf_fini(&k.best);
	return rc;
}
