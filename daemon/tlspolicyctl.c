/*
 * tlspolicyctl - administer a running tlspolicyd.
 *
 *   tlspolicyctl [-c FILE] query DOMAIN [MAPNAME]
 *   tlspolicyctl [-c FILE] status
 *   tlspolicyctl [-c FILE] reload
 *   tlspolicyctl [-c FILE] check-config
 *   tlspolicyctl [-c FILE] results [--day D] [--domain D] [--json]
 *   tlspolicyctl [-c FILE] ingest FILE|-
 *   tlspolicyctl [-c FILE] store-accept
 *   tlspolicyctl [-c FILE] receive < MESSAGE
 *   tlspolicyctl [-c FILE] reports [--day D] [--json]
 *
 * query, status and reload talk to the daemon over its control socket
 * (control_socket in the configuration); check-config reads the
 * configuration and the local policy table and prints every setting;
 * results, ingest and store-accept work on the store directly
 * (ctlstore.c), as do receive and reports (ctlreceive.c).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "server.h"
#include "control.h"
#include "ctlclient.h"
#include "ctlreceive.h"
#include "ctlstore.h"
#include "endpoint.h"
#include "localpolicy.h"
#include "log.h"
#include "mtahost.h"
#include "settings.h"

#define CTL_TIMEOUT_MSEC 10000

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: tlspolicyctl [-hV] [-c config_file] command [args]\n"
	    "commands:\n"
	    "  query DOMAIN [MAPNAME]  show the answer the daemon gives for DOMAIN, and why\n"
	    "  flush DOMAIN [dane|mta-sts]  drop DOMAIN's cached DANE result and MTA-STS policy\n"
	    "  list                    list the MTA-STS policy cache\n"
	    "  status                  show counters of the running daemon\n"
	    "  reload                  re-read the configuration and the local policy table\n"
	    "  results [--day YYYY-MM-DD|today|yesterday] [--domain DOMAIN] [--json]\n"
	    "                          print the stored TLS session counts\n"
	    "  ingest FILE|-           count the TLS sessions of a Postfix or Exim log (\"-\": stdin)\n"
	    "  store-accept            accept lost or damaged counts or log positions and go on\n"
	    "  receive                 store the TLSRPT report of the message on stdin (MTA pipe)\n"
	    "  reports [--day YYYY-MM-DD] [--json]\n"
	    "                          list and summarise the TLSRPT reports received\n"
	    "  check-config            check the configuration and print every setting\n");
}

/* ctl_call - send one command, read one reply into out; -1 on failure */
static int
ctl_call(const struct settings_endpoints *control, const char *cmd, struct buf *out)
{
	char why[512];

	if (control->n == 0) {
		fprintf(stderr, "tlspolicyctl: control_socket is empty in the configuration\n");
		return -1;
	}
	if (strlen(cmd) > CONTROL_REQUEST_MAX) {
		fprintf(stderr, "tlspolicyctl: command too long\n");
		return -1;
	}
	if (ctlclient_call(&control->v[0], cmd, CONTROL_REPLY_MAX, CTL_TIMEOUT_MSEC, out, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, "tlspolicyctl: %s\n", why);
		return -1;
	}
	return 0;
}

/* report_identity - the reports' identity in effect, with the defaults
 * taken from the MTA, and whether tlspolicy-report would send with it */
static void
report_identity(const struct settings *s)
{
	char from[320], contact[320], submitter[256], org[256], host[256], why[512];
	const char *how = mtahost_name(s->exim_path, host, sizeof(host));

	settings_report_from(s, from, sizeof(from));
	settings_report_contact(s, contact, sizeof(contact));
	settings_report_submitter(s, submitter, sizeof(submitter));
	settings_report_organization(s, org, sizeof(org));
	fprintf(stderr, "tlspolicyctl: reports in effect: report_from = %s, report_contact = %s, "
	    "report_submitter = %s, report_organization = %s (host name %s from %s)\n",
	    from, contact, submitter, org, host, how);
	if (settings_report_check(s, why, sizeof(why)) < 0)
		fprintf(stderr, "tlspolicyctl: warning: %s; tlspolicy-report sends no reports "
		    "until then\n", why);
}

static int
check_config(struct settings *s)
{
	char line[2048];

	if (s->local_policy_file[0]) {
		char err[1024];
		struct localpolicy *lp = localpolicy_load(s->local_policy_file, err, sizeof(err));

		if (lp == NULL) {
			fprintf(stderr, "tlspolicyctl: local_policy_file: %s\n", err);
			return 1;
		}
		fprintf(stderr, "tlspolicyctl: local policy table %s: %zu entries\n",
		    s->local_policy_file, localpolicy_count(lp));
		localpolicy_free(lp);
	}
	settings_print(s, stdout);
	report_identity(s);
	/* after the print, which shows the file's settings as they are */
	settings_report_domains(s);
	settings_report_domains_text(s, line, sizeof(line));
	fprintf(stderr, "tlspolicyctl: %s\n", line);
	fprintf(stderr, "tlspolicyctl: configuration %s OK\n", s->source);
	return 0;
}

int
main(int argc, char **argv)
{
	struct settings s;
	const char *cfgfile = NULL;
	char err[1024], cmd[1100];
	struct buf reply;
	int ch, rc;

	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': cfgfile = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("tlspolicyctl %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fprintf(stderr, "tlspolicyctl: no command given\n");
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[0], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[0], "query") == 0 && (argc == 2 || argc == 3)) {
		if (snprintf(cmd, sizeof(cmd), "query %s%s%s", argv[1], argc == 3 ? " " : "",
		    argc == 3 ? argv[2] : "") >= (int)sizeof(cmd)) {
			fprintf(stderr, "tlspolicyctl: domain too long\n");
			return 2;
		}
	} else if (strcmp(argv[0], "flush") == 0 && (argc == 2 || argc == 3)) {
		if (snprintf(cmd, sizeof(cmd), "flush %s%s%s", argv[1], argc == 3 ? " " : "",
		    argc == 3 ? argv[2] : "") >= (int)sizeof(cmd)) {
			fprintf(stderr, "tlspolicyctl: domain too long\n");
			return 2;
		}
	} else if (strcmp(argv[0], "results") == 0 || strcmp(argv[0], "ingest") == 0
	    || strcmp(argv[0], "store-accept") == 0 || strcmp(argv[0], "receive") == 0
	    || strcmp(argv[0], "reports") == 0) {
		snprintf(cmd, sizeof(cmd), "%s", argv[0]);
	} else if ((strcmp(argv[0], "status") == 0 || strcmp(argv[0], "reload") == 0
	    || strcmp(argv[0], "list") == 0 || strcmp(argv[0], "check-config") == 0) && argc == 1) {
		snprintf(cmd, sizeof(cmd), "%s", argv[0]);
	} else {
		static const char *const known[] = { "query", "flush", "list", "status", "reload",
			"results", "ingest", "store-accept", "check-config", NULL };
		int k;

		for (k = 0; known[k] != NULL && strcmp(known[k], argv[0]) != 0; k++)
			;
		if (known[k] != NULL)
			fprintf(stderr, "tlspolicyctl: %s: wrong number of arguments\n", argv[0]);
		else
			fprintf(stderr, "tlspolicyctl: unknown command \"%.64s\"\n", argv[0]);
		usage(stderr);
		return 2;
	}
	log_init("tlspolicyctl", 1, 0);
	if (settings_load(&s, cfgfile, err, sizeof(err)) < 0) {
		fprintf(stderr, "tlspolicyctl: %s\n", err);
		settings_fini(&s);
		return strcmp(cmd, "receive") == 0 ? 75 : 1;   /* EX_TEMPFAIL: the MTA retries */
	}
	if (strcmp(cmd, "receive") == 0 || strcmp(cmd, "reports") == 0) {
		rc = strcmp(cmd, "receive") == 0 ? ctl_receive(&s, argc, argv) : ctl_reports(&s, argc, argv);
		settings_fini(&s);
		return rc;
	}
	if (strcmp(cmd, "check-config") == 0 || strcmp(cmd, "results") == 0
	    || strcmp(cmd, "ingest") == 0 || strcmp(cmd, "store-accept") == 0) {
		rc = strcmp(cmd, "results") == 0 ? ctl_results(&s, argc, argv)
		    : strcmp(cmd, "ingest") == 0 ? ctl_ingest(&s, argc, argv)
		    : strcmp(cmd, "store-accept") == 0 ? ctl_store_accept(&s, argc, argv)
		    : check_config(&s);
		settings_fini(&s);
		return rc;
	}
	buf_init(&reply, CONTROL_REPLY_MAX);
	rc = ctl_call(&s.control_socket, cmd, &reply);
	if (rc == 0 && reply.len >= 3 && memcmp(reply.data, "OK ", 3) == 0) {
		fputs(reply.data + 3, stdout);
	} else if (rc == 0) {
		fprintf(stderr, "tlspolicyctl: %s\n",
		    reply.len > 4 && memcmp(reply.data, "ERR ", 4) == 0 ? reply.data + 4 : reply.data);
		rc = 1;
	} else {
		rc = 1;
	}
	buf_fini(&reply);
	settings_fini(&s);
	return rc;
}
