/* Unit tests for tlspolicy/base/httpresp. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "httpresp.h"
#include "tap.h"

static const struct {
	const char *in;
	int eof;
	enum httpresp_status want;
	int code;
	const char *ctype, *body;
} cases[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello",
	  0, HTTPRESP_OK, 200, "text/plain", "hello" },
	{ "HTTP/1.0 200 OK\r\ncontent-type:TEXT/Plain\r\n\r\nbody till eof", 1, HTTPRESP_OK, 200,
	  "text/plain", "body till eof" },
	{ "HTTP/1.0 200 OK\r\n\r\nbody", 0, HTTPRESP_MORE, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n",
	  0, HTTPRESP_OK, 200, "", "hello world" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 0, HTTPRESP_MORE, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 1, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 0, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/1.1 301 Moved\r\nLocation: https://x/\r\nContent-Length: 0\r\n\r\n", 0, HTTPRESP_OK, 301, "", "" },
	{ "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!", 0, HTTPRESP_OK, 404, "", "no!" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 0, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0, HTTPRESP_TOOLARGE, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", 0, HTTPRESP_TOOLARGE, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", 0, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/2 200\r\n\r\n", 0, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "SSH-2.0-OpenSSH\r\n\r\n", 0, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\n", 0, HTTPRESP_MORE, 0, NULL, NULL },
	{ "HTTP/1.1 200 OK\r\n", 1, HTTPRESP_MALFORMED, 0, NULL, NULL },
	{ "", 1, HTTPRESP_MALFORMED, 0, NULL, NULL },
};

int
main(void)
{
	struct httpresp r;
	struct buf body;
	const char *why;

	buf_init(&body, 100);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum httpresp_status st = httpresp_parse(cases[i].in, strlen(cases[i].in), cases[i].eof,
		    &r, &body, &why);

		is_int(st, cases[i].want, "case %zu status", i);
		if (st == HTTPRESP_OK && cases[i].want == HTTPRESP_OK) {
			is_int(r.code, cases[i].code, "case %zu code", i);
			is_str(r.content_type, cases[i].ctype, "case %zu content type", i);
			is_str(body.data ? body.data : "", cases[i].body, "case %zu body", i);
		}
	}
	/* body limit +-1, all three framings */
	{
		char *big = malloc(300);
		size_t n;

		n = (size_t)snprintf(big, 300, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
		memset(big + n, 'x', 100);
		is_int(httpresp_parse(big, n + 100, 0, &r, &body, &why), HTTPRESP_OK, "100-byte body at a 100 limit");
		n = (size_t)snprintf(big, 300, "HTTP/1.1 200 OK\r\n\r\n");
		memset(big + n, 'x', 101);
		is_int(httpresp_parse(big, n + 101, 1, &r, &body, &why), HTTPRESP_TOOLARGE, "101 bytes to eof");
		is_int(httpresp_parse(big, n + 100, 1, &r, &body, &why), HTTPRESP_OK, "100 bytes to eof");
		n = (size_t)snprintf(big, 300, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n");
		memset(big + n, 'x', 101);
		memcpy(big + n + 101, "\r\n0\r\n\r\n", 7);
		is_int(httpresp_parse(big, n + 108, 0, &r, &body, &why), HTTPRESP_TOOLARGE, "101-byte chunk");
		free(big);
	}
	{
		char *head = malloc(HTTPRESP_HEAD_MAX + 10);
		memset(head, 'a', HTTPRESP_HEAD_MAX + 10);
		memcpy(head, "HTTP/1.1 200 OK\r\nX: ", 20);
		is_int(httpresp_parse(head, HTTPRESP_HEAD_MAX + 10, 0, &r, &body, &why), HTTPRESP_TOOLARGE,
		    "endless head refused");
		free(head);
	}
	buf_fini(&body);
	return tap_done();
}
