/*
 * daemon - the operations on a running tlspolicyd that several of its
 * services share (see daemon.h); main.c starts and stops it, control.c
 * and the signal handler call into it.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "dns.h"
#include "dnswire.h"
#include "localpolicy.h"
#include "log.h"
#include "xalloc.h"

/* on_dnssec_probe - the answer to the root's DNSKEY */
static void
on_dnssec_probe(void *arg, enum dns_status status, const struct dns_msg *msg, const char *why)
{
	struct daemon *d = arg;
	const char *server = d->cfg.dns_resolver.n ? d->cfg.dns_resolver.v[0]
	    : "from /etc/resolv.conf";

	if (status != DNS_OK || msg->rcode != 0) {
		d->dnssec = DAEMON_DNSSEC_UNKNOWN;
		snprintf(d->dnssec_why, sizeof(d->dnssec_why), "no answer for the root's DNSKEY (%s)",
		    status != DNS_OK ? why : "an error rcode");
		log_warnx("DNSSEC check: resolver %s: %s; DANE needs a validating resolver", server,
		    d->dnssec_why);
	} else if (!msg->ad) {
		d->dnssec = DAEMON_DNSSEC_NOT_VALIDATING;
		snprintf(d->dnssec_why, sizeof(d->dnssec_why), "no AD bit on the root's DNSKEY");
		log_warnx("DNSSEC check: resolver %s does not validate (%s): every domain looks "
		    "unsigned to DANE; use a local validating resolver (unbound) in dns_resolver",
		    server, d->dnssec_why);
	} else {
		d->dnssec = DAEMON_DNSSEC_VALIDATING;
		snprintf(d->dnssec_why, sizeof(d->dnssec_why), "AD bit on the root's DNSKEY");
		log_info("DNSSEC check: resolver %s validates (%s)", server, d->dnssec_why);
	}
}

void
daemon_check_dnssec(struct daemon *d)
{
	if (d->dns == NULL || !d->cfg.dane)
		return;
	d->dnssec = DAEMON_DNSSEC_UNCHECKED;
	snprintf(d->dnssec_why, sizeof(d->dnssec_why), "checking");
	dns_query(d->dns, ".", DNS_TYPE_DNSKEY, on_dnssec_probe, d);
}

struct reload_ctx {
	struct daemon *d;
	struct settings *next;
	int table_moved;             /* local_policy_file changed */
};

/* reload_one - a setting changed in the file: apply it when it can change
 * at run time, else say that it needs a restart */
static void
reload_one(const char *name, void *arg)
{
	struct reload_ctx *rc = arg;

	if (strcmp(name, "report_domains") == 0) {
		struct strmap *old = rc->d->cfg.report_domains;
		char *from = rc->d->cfg.report_domains_from, *notes = rc->d->cfg.report_domains_notes;
		char line[2048];

		/* swapped: next frees the old ones */
		rc->d->cfg.report_domains = rc->next->report_domains;
		rc->d->cfg.report_domains_from = rc->next->report_domains_from;
		rc->d->cfg.report_domains_notes = rc->next->report_domains_notes;
		rc->next->report_domains = old;
		rc->next->report_domains_from = from;
		rc->next->report_domains_notes = notes;
		settings_report_domains_text(&rc->d->cfg, line, sizeof(line));
		log_info("reload: %s", line);
	} else if (strcmp(name, "log_level") == 0) {
		rc->d->cfg.log_level = rc->next->log_level;
		log_set_level((enum log_level)rc->next->log_level);
		log_info("reload: log_level changed");
	} else if (strcmp(name, "local_policy_file") == 0) {
		rc->table_moved = 1;     /* taken once the new table is loaded */
	} else {
		log_warnx("reload: %s changed in %s: it takes effect at the next restart", name,
		    rc->d->cfg.source);
	}
}

/* reload_settings - read the configuration file again and apply what
 * can change at run time; nothing on error.  *table: the new
 * local_policy_file (to free) when it changed, else NULL */
static int
reload_settings(struct daemon *d, char **table, char *err, size_t errlen)
{
	struct settings next;
	struct reload_ctx rc = { d, &next, 0 };
	const char *path = d->cfg.source[0] == '(' ? NULL : d->cfg.source;

	if (settings_load(&next, path, err, errlen) < 0) {
		settings_fini(&next);
		return -1;
	}
	if (next.http_tlsrpt)      /* as at start-up: the MTA's domains by default */
		settings_report_domains(&next);
	if (strcmp(next.source, d->cfg.source) != 0)
		log_warnx("reload: configuration %s instead of %s: settings that need a restart "
		    "keep their values until then", next.source, d->cfg.source);
	settings_diff(&d->cfg, &next, reload_one, &rc);
	*table = rc.table_moved ? xstrdup(next.local_policy_file) : NULL;
	settings_fini(&next);
	return 0;
}

int
daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct localpolicy *lp = NULL;
	char why[1024], *table = NULL;

	/* at start-up the settings were just read */
	if (d->started != 0 && reload_settings(d, &table, err, errlen) < 0)
		return -1;
	if (d->started != 0)
		daemon_check_dnssec(d);
	if (table != NULL) {
		/* the new table, or the error and the old one */
		if (table[0] != '\0' && (lp = localpolicy_load(table, why, sizeof(why))) == NULL) {
			snprintf(err, errlen, "local_policy_file: %s", why);
			free(table);
			return -1;
		}
		free(d->cfg.local_policy_file);
		d->cfg.local_policy_file = table;
		log_info("reload: local_policy_file is now \"%s\"", table);
		if (table[0] != '\0') {
			localpolicy_free(d->local);
			d->local = lp;
			d->rctx.local = lp;
			log_info("local policy table %s: %zu entries", table, localpolicy_count(lp));
			return 0;
		}
	}
	if (d->cfg.local_policy_file[0] == '\0') {
		if (d->local != NULL) {
			localpolicy_free(d->local);
			d->local = NULL;
			d->rctx.local = NULL;
			log_info("no local policy table");
		}
		return 0;
	}
	if ((lp = localpolicy_load(d->cfg.local_policy_file, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "local_policy_file: %s", why);
		return -1;
	}
	localpolicy_free(d->local);
	d->local = lp;
	d->rctx.local = lp;
	log_info("local policy table %s: %zu entries", d->cfg.local_policy_file,
	    localpolicy_count(lp));
	return 0;
}
