/*
 * httpresp - parse an HTTP/1.x response held in memory.
 *
 * Pure and bounded: the status line, headers (at most HTTPRESP_HEAD_MAX
 * bytes) and a body delimited by Content-Length, chunked encoding or the
 * end of the connection, decoded into a caller buffer with its own size
 * limit.  It tells "need more bytes" from "malformed" from "too large".
 */
#ifndef TLSPOLICY_HTTPRESP_H
#define TLSPOLICY_HTTPRESP_H

#include <stddef.h>

struct buf;

#define HTTPRESP_HEAD_MAX 16384

enum httpresp_status {
	HTTPRESP_OK,
	HTTPRESP_MORE,       /* incomplete; call again with more bytes (or eof) */
	HTTPRESP_MALFORMED,
	HTTPRESP_TOOLARGE,   /* head or body over its limit */
};

struct httpresp {
	int code;                  /* e.g. 200 */
	char content_type[128];    /* media type, lower case, no parameters */
	int has_location;
};

/*
 * httpresp_parse - parse in[0..len); eof says the peer closed.  The body
 * goes to body (reset first; its max is the body limit).  *why is set on
 * errors.
 */
enum httpresp_status httpresp_parse(const char *in, size_t len, int eof, struct httpresp *r,
    struct buf *body, const char **why);

#endif
