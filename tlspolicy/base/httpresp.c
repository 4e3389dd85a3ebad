/*
 * httpresp - HTTP/1.x response parsing, see httpresp.h.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "httpresp.h"
#include "numparse.h"

/* find_crlf - offset of the next "\r\n" at or after pos, or len */
static size_t
find_crlf(const char *in, size_t pos, size_t len)
{
	for (size_t i = pos; i + 1 < len; i++)
		if (in[i] == '\r' && in[i + 1] == '\n')
			return i;
	return len;
}

/* dechunk - decode a chunked body starting at pos */
static enum httpresp_status
dechunk(const char *in, size_t pos, size_t len, struct buf *body, const char **why)
{
	for (;;) {
		size_t eol = find_crlf(in, pos, len), size = 0, i;

		if (eol == len)
			return HTTPRESP_MORE;
		for (i = pos; i < eol && numparse_hexdigit(in[i]) >= 0; i++) {
			if (size > (body->max + 1) / 16) {
				*why = "body too large";
				return HTTPRESP_TOOLARGE;
			}
			size = size * 16 + (size_t)numparse_hexdigit(in[i]);
		}
		if (i == pos || (i < eol && in[i] != ';')) {
			*why = "malformed chunk size";
			return HTTPRESP_MALFORMED;
		}
		pos = eol + 2;
		if (size == 0)
			return HTTPRESP_OK;   /* trailers are ignored */
		if (len - pos < size + 2)
			return HTTPRESP_MORE;
		if (buf_append(body, in + pos, size) < 0) {
			*why = "body too large";
			return HTTPRESP_TOOLARGE;
		}
		if (in[pos + size] != '\r' || in[pos + size + 1] != '\n') {
			*why = "malformed chunk";
			return HTTPRESP_MALFORMED;
		}
		pos += size + 2;
	}
}

enum httpresp_status
httpresp_parse(const char *in, size_t len, int eof, struct httpresp *r, struct buf *body,
    const char **why)
{
	size_t pos, eol, clen = 0;
	int chunked = 0, have_len = 0;
	const char *end = NULL;

	memset(r, 0, sizeof(*r));
	buf_reset(body);
	for (size_t i = 0; i + 3 < len && i < HTTPRESP_HEAD_MAX; i++)
		if (memcmp(in + i, "\r\n\r\n", 4) == 0) {
			end = in + i;
			break;
		}
	if (end == NULL) {
		if (len >= HTTPRESP_HEAD_MAX) {
			*why = "response head too large";
			return HTTPRESP_TOOLARGE;
		}
		*why = eof ? "connection closed in the response head" : "incomplete head";
		return eof ? HTTPRESP_MALFORMED : HTTPRESP_MORE;
	}
	/* status line: HTTP/1.x SP 3DIGIT SP reason */
	eol = find_crlf(in, 0, len);
	if (eol < 12 || memcmp(in, "HTTP/1.", 7) != 0 || in[8] != ' '
	    || in[9] < '1' || in[9] > '5' || in[10] < '0' || in[10] > '9'
	    || in[11] < '0' || in[11] > '9' || (eol > 12 && in[12] != ' ')) {
		*why = "malformed status line";
		return HTTPRESP_MALFORMED;
	}
	r->code = (in[9] - '0') * 100 + (in[10] - '0') * 10 + (in[11] - '0');
	pos = eol + 2;
	while (in + pos < end + 2) {
		const char *line = in + pos, *colon, *v;
		size_t llen, nlen, vlen;

		eol = find_crlf(in, pos, len);
		llen = eol - pos;
		pos = eol + 2;
		if (llen == 0)
			break;
		colon = memchr(line, ':', llen);
		if (colon == NULL || colon == line) {
			*why = "malformed header line";
			return HTTPRESP_MALFORMED;
		}
		nlen = (size_t)(colon - line);
		v = colon + 1;
		vlen = llen - nlen - 1;
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (nlen == 12 && strncasecmp(line, "content-type", 12) == 0) {
			size_t t = 0;

			while (t < vlen && v[t] != ';' && v[t] != ' ' && t + 1 < sizeof(r->content_type)) {
				char c = v[t];
				r->content_type[t++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
			}
			r->content_type[t] = '\0';
		} else if (nlen == 14 && strncasecmp(line, "content-length", 14) == 0) {
			size_t n = 0;

			if (vlen == 0 || have_len) {
				*why = "bad or repeated Content-Length";
				return HTTPRESP_MALFORMED;
			}
			for (size_t k = 0; k < vlen; k++) {
				if (v[k] < '0' || v[k] > '9') {
					*why = "bad Content-Length";
					return HTTPRESP_MALFORMED;
				}
				if (n > body->max) {
					*why = "body too large";
					return HTTPRESP_TOOLARGE;
				}
				n = n * 10 + (size_t)(v[k] - '0');
			}
			clen = n;
			have_len = 1;
		} else if (nlen == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) {
			if (vlen == 7 && strncasecmp(v, "chunked", 7) == 0)
				chunked = 1;
			else {
				*why = "unsupported Transfer-Encoding";
				return HTTPRESP_MALFORMED;
			}
		} else if (nlen == 8 && strncasecmp(line, "location", 8) == 0) {
			r->has_location = 1;
		}
	}
	pos = (size_t)(end - in) + 4;
	if (chunked) {
		enum httpresp_status st = dechunk(in, pos, len, body, why);

		if (st == HTTPRESP_MORE && eof) {
			*why = "connection closed in a chunk";
			return HTTPRESP_MALFORMED;
		}
		if (st == HTTPRESP_MORE)
			*why = "incomplete body";
		return st;
	}
	if (have_len) {
		if (clen > body->max) {
			*why = "body too large";
			return HTTPRESP_TOOLARGE;
		}
		if (len - pos < clen) {
			*why = eof ? "connection closed before the end of the body" : "incomplete body";
			return eof ? HTTPRESP_MALFORMED : HTTPRESP_MORE;
		}
		buf_append(body, in + pos, clen);
		return HTTPRESP_OK;
	}
	/* delimited by the end of the connection */
	if (len - pos > body->max) {
		*why = "body too large";
		return HTTPRESP_TOOLARGE;
	}
	if (!eof) {
		*why = "incomplete body";
		return HTTPRESP_MORE;
	}
	buf_append(body, in + pos, len - pos);
	return HTTPRESP_OK;
}
