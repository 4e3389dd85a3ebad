/*
 * httptlsrpt - TLSRPT reports received by HTTPS POST, see httptlsrpt.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "buf.h"
#include "daemon.h"
#include "httptlsrpt.h"
#include "incoming.h"
#include "log.h"
#include "mime.h"
#include "rptparse.h"
#include "store.h"
#include "strmap.h"
#include "xalloc.h"

/* media - is ctype one of RFC 8460's (parameters allowed)? */
static int
media(const char *ctype, const char *want)
{
	size_t n = strlen(want);

	return ctype != NULL && strncasecmp(ctype, want, n) == 0
	    && (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ');
}

unsigned
httptlsrpt_post(struct daemon *d, const char *body, size_t len, const char *ctype, struct buf *out)
{
	struct incoming_rec *rec;
	struct buf json;
	const char *data = body ? body : "", *w;
	size_t dlen = len;
	char why[256], others[512];
	unsigned code;
	int rc;

	if (!media(ctype, "application/tlsrpt+gzip") && !media(ctype, "application/tlsrpt+json")) {
		buf_puts(out, "unsupported media type: application/tlsrpt+gzip or application/tlsrpt+json\n");
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	}
	/* report_domains, else the MTA's domains, were taken at start-up or
	 * reload (settings_report_domains) */
	if (strmap_count(d->cfg.report_domains) == 0) {
		buf_puts(out, "not accepting reports now: no report_domains\n");
		log_warnx("http: a TLSRPT report POSTed, but report_domains is empty and the MTA's "
		    "configuration names no domain: refused for now");
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	buf_init(&json, RPT_JSON_MAX);
	rec = xcalloc(1, sizeof(*rec));
	if (media(ctype, "application/tlsrpt+gzip")) {
		if (!mime_is_gzip(body, len) || mime_gunzip(body, len, &json, &w) < 0) {
			buf_printf(out, "not a report: %s\n", mime_is_gzip(body, len) ? w : "not gzip data");
			code = MHD_HTTP_BAD_REQUEST;
			goto out;
		}
		data = json.data ? json.data : "";
		dlen = json.len;
	}
	if (rptparse_json(data, dlen, &rec->r, why, sizeof(why)) < 0) {
		buf_printf(out, "not a report: %s\n", why);
		code = MHD_HTTP_BAD_REQUEST;
		goto out;
	}
	if (incoming_keep_domains(&rec->r, d->cfg.report_domains, others, sizeof(others)) == 0) {
		buf_printf(out, "the report is about %s, none of ours\n", others);
		code = MHD_HTTP_BAD_REQUEST;
		goto out;
	}
	if (!store_is_open(d->store)) {
		buf_puts(out, "store busy, try again\n");
		code = MHD_HTTP_SERVICE_UNAVAILABLE;
		goto out;
	}
	snprintf(rec->via, sizeof(rec->via), "https");
	snprintf(rec->trust, sizeof(rec->trust), "none (HTTP POST)");
	rec->received = (uint64_t)time(NULL);
	if ((rc = incoming_store(d->store, rec, data, dlen)) < 0) {
		buf_printf(out, "not stored: %s\n", store_strerror(d->store));
		code = MHD_HTTP_SERVICE_UNAVAILABLE;
		goto out;
	}
	log_info("http: %s report %s from %s (%s, %zu polic%s)%s%s",
	    rc == INCOMING_DUPLICATE ? "duplicate" : "stored", rec->r.id, rec->r.org, rec->r.day,
	    rec->r.npolicies, rec->r.npolicies == 1 ? "y" : "ies", rec->r.notes[0] ? "; notes: " : "",
	    rec->r.notes);
	buf_printf(out, "%s\n", rc == INCOMING_DUPLICATE ? "duplicate, stored before" : "stored");
	if (rc == 0) {
		/* as tlspolicyctl receive does: reports past incoming_retention go */
		time_t cut = time(NULL) - (time_t)d->cfg.incoming_retention;
		struct tm tm;
		char cutoff[16];

		gmtime_r(&cut, &tm);
		strftime(cutoff, sizeof(cutoff), "%Y-%m-%d", &tm);
		if (incoming_purge(d->store, cutoff) < 0)
			log_warnx("http: purging old reports: %s", store_strerror(d->store));
	}
	code = rc == INCOMING_DUPLICATE ? MHD_HTTP_OK : MHD_HTTP_CREATED;
out:
	if (code == MHD_HTTP_BAD_REQUEST)
		log_info("http: a POSTed TLSRPT report refused: %.*s", (int)(out->len ? out->len - 1 : 0),
		    out->data ? out->data : "");
	free(rec);
	buf_fini(&json);
	return code;
}
