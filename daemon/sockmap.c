/*
 * sockmap - socketmap request handling, see sockmap.h.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "daemon.h"
#include "log.h"
#include "lookup.h"
#include "metrics.h"
#include "resolve.h"
#include "server.h"
#include "sockmap.h"

/* server_req_once() bits */
#define ONCE_CONTROL_KEY 0

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
	const char *sp = memchr(req, ' ', len), *key;
	char shown[80];
	size_t klen;
	int map;

	d->stats.lookups++;
	if (sp == NULL) {
		d->stats.errors++;
		log_warnx("socketmap: %s: malformed request \"%s\": expected NAME KEY", peer,
		    log_printable(shown, sizeof(shown), req, len));
		buf_puts(reply, "PERM malformed request: expected NAME KEY");
		metrics_lookup(METRICS_MAP_NONE, METRICS_ANSWER_ERROR, 0);
		return SERVER_DONE;
	}
	if ((map = resolve_map_name(req, (size_t)(sp - req))) < 0) {
		d->stats.errors++;
		log_warnx("socketmap: %s: unknown map name \"%s\"", peer,
		    log_printable(shown, sizeof(shown), req, (size_t)(sp - req)));
		buf_puts(reply, "PERM unknown map name: use postfix or postfix-tlsrpt");
		metrics_lookup(METRICS_MAP_NONE, METRICS_ANSWER_ERROR, 0);
		return SERVER_DONE;
	}
	key = sp + 1;
	klen = len - (size_t)(sp - req) - 1;
	for (size_t i = 0; i < klen; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		/* Postfix never sends these; a NUL would cut the key short */
		d->stats.errors++;
		if (server_req_once(sr, ONCE_CONTROL_KEY))
			log_warnx("socketmap: %s: key with control bytes refused: \"%s\""
			    " (logged once per connection)", peer,
			    log_printable(shown, sizeof(shown), key, klen));
		buf_puts(reply, "PERM invalid key");
		metrics_lookup(map == RESOLVE_MAP_POSTFIX ? METRICS_MAP_POSTFIX
		    : METRICS_MAP_POSTFIX_TLSRPT, METRICS_ANSWER_ERROR, 0);
		return SERVER_DONE;
	}
	return lookup_run(d, (enum resolve_map)map, key, klen, reply, sr, sockmap_format,
	    log_level_enabled(LOG_LEVEL_DEBUG), map == RESOLVE_MAP_POSTFIX ? METRICS_MAP_POSTFIX
	    : METRICS_MAP_POSTFIX_TLSRPT);
}
