/*
 * sockmap - socketmap request handling, see sockmap.h.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "daemon.h"
#include "log.h"
#include "lookup.h"
#include "resolve.h"
#include "sockmap.h"

/* sockmap_format - the socketmap reply for a decision */
static void
sockmap_format(struct daemon *d, const struct resolve_result *res, struct buf *reply)
{
	switch (res->status) {
	case RESOLVE_OK:
		d->stats.ok++;
		if (buf_puts(reply, "OK ") < 0 || buf_puts(reply, res->answer) < 0) {
			buf_reset(reply);
			buf_puts(reply, "TEMP answer too long");
		}
		break;
	case RESOLVE_NOTFOUND:
	case RESOLVE_PENDING:
		d->stats.notfound++;
		buf_puts(reply, "NOTFOUND ");
		break;
	case RESOLVE_TEMP:
	case RESOLVE_PERM:
		d->stats.errors++;
		buf_printf(reply, "%s %s", res->status == RESOLVE_TEMP ? "TEMP" : "PERM", res->why);
		break;
	}
	if (log_level_enabled(LOG_LEVEL_DEBUG))
		log_debug("lookup domain=%s reply=\"%.200s\" reason=\"%s\"",
		    res->domain[0] ? res->domain : "-", reply->data, res->why);
}

enum server_result
sockmap_handle(void *arg, const char *req, size_t len, struct buf *reply, const char *peer,
    struct server_req *sr)
{
	struct daemon *d = arg;
	const char *sp = memchr(req, ' ', len);
	char shown[80];
	int map;

	d->stats.lookups++;
	if (sp == NULL) {
		d->stats.errors++;
		log_warnx("socketmap: %s: malformed request \"%s\": expected NAME KEY", peer,
		    log_printable(shown, sizeof(shown), req, len));
		buf_puts(reply, "PERM malformed request: expected NAME KEY");
		return SERVER_DONE;
	}
	if ((map = resolve_map_name(req, (size_t)(sp - req))) < 0) {
		d->stats.errors++;
		log_warnx("socketmap: %s: unknown map name \"%s\"", peer,
		    log_printable(shown, sizeof(shown), req, (size_t)(sp - req)));
		buf_puts(reply, "PERM unknown map name: use postfix or postfix-tlsrpt");
		return SERVER_DONE;
	}
	return lookup_run(d, (enum resolve_map)map, sp + 1, len - (size_t)(sp - req) - 1, reply,
	    sr, sockmap_format, log_level_enabled(LOG_LEVEL_DEBUG));
}
