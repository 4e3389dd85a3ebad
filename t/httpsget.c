/*
 * httpsget - fetch one URL through tlspolicy's HTTPS client and print the
 * outcome, for the integration tests:
 *
 *   httpsget CAFILE ADDRESS PORT HOST PATH TIMEOUT_MS BODY_MAX
 *
 * Prints "result=<name> code=<n> type=<media type> length=<n>", then the
 * body, or "result=<name> why=<reason>".
 */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "evloop.h"
#include "httpresp.h"
#include "https.h"
#include "numparse.h"

static void
done(void *arg, enum https_result res, const struct httpresp *r, const struct buf *body,
    const char *why)
{
	struct evloop *loop = arg;

	if (res == HTTPS_OK) {
		printf("result=%s code=%d type=%s length=%zu\n", https_result_name(res), r->code,
		    r->content_type, body->len);
		fwrite(body->data ? body->data : "", 1, body->len, stdout);
	} else {
		printf("result=%s why=%s\n", https_result_name(res), why ? why : "-");
	}
	evloop_stop(loop);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct https_client *c;
	struct evloop *loop;
	char err[256];
	uint64_t port, ms, max;

	if (argc != 8 || inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1
	    || numparse_uint(argv[3], strlen(argv[3]), 65535, &port) < 0
	    || numparse_uint(argv[6], strlen(argv[6]), UINT_MAX, &ms) < 0
	    || numparse_uint(argv[7], strlen(argv[7]), SIZE_MAX, &max) < 0) {
		fprintf(stderr, "usage: httpsget CAFILE IPv4 PORT HOST PATH TIMEOUT_MS BODY_MAX\n");
		return 2;
	}
	sin.sin_port = htons((uint16_t)port);
	if ((c = https_client_new(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "httpsget: %s\n", err);
		return 1;
	}
	loop = evloop_new();
	https_get(c, loop, (struct sockaddr *)&sin, sizeof(sin), argv[4], argv[5],
	    (unsigned)ms, (size_t)max, done, loop);
	evloop_run(loop);
	evloop_free(loop);
	https_client_free(c);
	return 0;
}
