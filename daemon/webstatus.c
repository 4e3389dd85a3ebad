/*
 * webstatus - status page and JSON API, see webstatus.h.
 */
#include "config.h"

#include "buf.h"
#include "daemon.h"
#include "webstatus.h"

unsigned
webstatus_page(struct daemon *d, const char *url, struct buf *out, const char **ctype)
{
	(void)d;
	(void)url;
	*ctype = "text/plain; charset=utf-8";
	buf_puts(out, "not found\n");
	return 404;
}
