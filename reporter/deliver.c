/*
 * deliver - report delivery to the TLSRPT addresses, see deliver.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "deliver.h"
#include "fileio.h"
#include "log.h"
#include "message.h"
#include "send.h"
#include "state.h"
#include "store.h"
#include "storelend.h"
#include "tlsrpt.h"

#define SENDMAIL_TIMEOUT 120
#define HTTPS_TIMEOUT_MS 60000

/* safe_name - uri as a file name part */
static void
safe_name(const char *uri, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *p = uri; *p && o + 1 < outlen; p++)
		out[o++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
		    || *p == '.' || *p == '-' || *p == '@' ? *p : '_';
	out[o] = '\0';
}

static int
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char err[600];

	if (file_write(dir, name, data, len, 0640, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

/* dry_file - the dry-run file of (day, domain, uri) with suffix */
static int
dry_file(const char *dir, const char *day, const char *domain, const char *uri,
    const char *suffix, const void *data, size_t len)
{
	char name[1024], safe[600];

	safe_name(uri, safe, sizeof(safe));
	snprintf(name, sizeof(name), "%s!%s!%s.%s", day, domain, safe, suffix);
	return write_file(dir, name, data, len);
}

int
deliver_archive(const char *dir, const struct message_info *mi, const struct buf *gz)
{
	char name[1024], path[4096];
	struct stat sb;

	message_filename(mi, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &sb) == 0)
		return 0;
	return write_file(dir, name, gz->data, gz->len);
}

/* deliver - one report to one URI; 1 when it is (now or before) delivered
 * there.  With delivered set (another URI has the report), an earlier
 * failure here is not retried. */
static int
deliver(struct deliver_ctx *x, const char *day, const char *domain,
    const struct tlsrpt_uri *u, const struct buf *json, const struct buf *gz,
    const struct message_info *mi0, int delivered)
{
	struct delivery dl;
	char err[512];
	int rc;

	if (state_get(x->st, day, domain, u->uri, &dl) < 0) {
		log_warnx("report day=%s domain=%s to=%s: state unreadable: %s", day, domain, u->uri,
		    store_strerror(x->st));
		return 0;
	}
	if (!x->dry_run && dl.state == DELIVERY_SENT) {
		x->already++;
		return 1;
	}
	if (!x->dry_run && delivered && dl.state == DELIVERY_PENDING) {
		log_debug("report day=%s domain=%s to=%s: delivered to another address, not retried",
		    day, domain, u->uri);
		x->skipped++;
		return 0;
	}
	if (!x->dry_run && !state_due(&dl, x->now)) {
		log_debug("report day=%s domain=%s to=%s: %s, nothing to do", day, domain, u->uri,
		    state_name(dl.state));
		if (dl.state == DELIVERY_PENDING)
			x->waiting++;
		else
			x->skipped++;
		return 0;
	}
	if (u->scheme == TLSRPT_MAILTO && state_suppressed(x->st, u->address, x->now)) {
		log_info("report day=%s domain=%s to=%s: skipped, reports to this address bounced "
		    "repeatedly", day, domain, u->uri);
		x->skipped++;
		return 0;
	}
	if (u->scheme == TLSRPT_MAILTO) {
		struct message_info mi = *mi0;
		struct buf msg;

		mi.to = u->address;
		buf_init(&msg, DELIVER_REPORT_MAX * 2);
		rc = message_build(&mi, gz, &msg);
		if (rc < 0) {
			snprintf(err, sizeof(err), "message too large");
		} else if (x->dry_run) {
			rc = dry_file(x->dry_run, day, domain, u->uri, "eml", msg.data, msg.len);
		} else {
			store_release(x->st);   /* the daemon's while sendmail runs */
			rc = send_mail(x->sendmail_path, x->from, u->address, msg.data, msg.len,
			    SENDMAIL_TIMEOUT, err, sizeof(err));
			store_hold(x->st, x->control);
		}
		buf_fini(&msg);
	} else if (x->dry_run) {
		rc = dry_file(x->dry_run, day, domain, u->uri, "json", json->data, json->len);
	} else {
		store_release(x->st);   /* and while HTTPS waits */
		rc = send_https(x->loop, x->dns, x->hc, u, gz->data, gz->len, HTTPS_TIMEOUT_MS, err,
		    sizeof(err));
		store_hold(x->st, x->control);
	}
	if (x->dry_run) {
		if (rc == 0)
			x->written++;
		else
			x->failed++;
		return 0;
	}
	state_attempted(&dl, x->now, rc == 0 ? NULL : err);
	if (state_put(x->st, day, domain, u->uri, &dl) < 0)
		log_warnx("report day=%s domain=%s to=%s: state not saved: %s", day, domain, u->uri,
		    store_strerror(x->st));
	if (rc == 0) {
		x->sent++;
		log_info("report day=%s domain=%s to=%s: delivered", day, domain, u->uri);
	} else {
		x->failed++;
		log_warnx("report day=%s domain=%s to=%s: not delivered (%s), %s", day, domain,
		    u->uri, err, dl.state == DELIVERY_GAVEUP ? "giving up after a day of retries"
		    : "retried on a later run");
	}
	return rc == 0;
}

void
deliver_report(struct deliver_ctx *x, const char *day, const char *domain,
    const struct tlsrpt_record *rec, const struct buf *json, const struct buf *gz,
    const struct message_info *mi)
{
	int delivered = 0;
	struct delivery dl;

	/* first: is the report already somewhere? */
	for (size_t i = 0; i < rec->nrua && !delivered; i++)
		delivered = state_get(x->st, day, domain, rec->rua[i].uri, &dl) == 0
		    && dl.state == DELIVERY_SENT;
	for (size_t i = 0; i < rec->nrua; i++)
		delivered |= deliver(x, day, domain, &rec->rua[i], json, gz, mi, delivered);
}
