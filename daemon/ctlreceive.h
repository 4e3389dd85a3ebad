/*
 * ctlreceive - the tlspolicyctl commands for TLSRPT reports other mail
 * systems send about our domains:
 *
 *   receive   one RFC 5322 message on stdin, as an MTA pipes it
 *             (Postfix pipe(8) or mailbox_command, Exim pipe transport):
 *             the report is found (mime.h), parsed (rptparse.h), checked
 *             against report_domains (when that is empty, the domains the
 *             MTA receives mail for: settings_report_domains()), trusted
 *             only with a DKIM signature
 *             that verifies for the From domain or a parent of it (or an
 *             Authentication-Results field of incoming_trusted_authserv_id)
 *             and stored (incoming.h), borrowing the store from a running
 *             daemon.  The exit code follows sysexits(3), for the MTA:
 *               EX_OK        stored, or a duplicate of a stored report
 *               EX_DATAERR   not a report, not about our domains, damaged:
 *                            refused and kept in the quarantine directory
 *               EX_NOPERM    not trusted (DKIM): refused and quarantined
 *               EX_TEMPFAIL  store busy, DNS failing, no report_domains
 *                            (none set, none in the MTA's configuration),
 *                            quarantine not writable: the MTA retries
 *             with one reason line on stderr.
 *   reports   list and summarise the stored reports.
 */
#ifndef TLSPOLICYD_CTLRECEIVE_H
#define TLSPOLICYD_CTLRECEIVE_H

struct settings;

/* ctl_receive - tlspolicyctl receive; returns the exit code */
int ctl_receive(struct settings *s, int argc, char **argv);
/* ctl_reports - tlspolicyctl reports [--day D] [--json] */
int ctl_reports(const struct settings *s, int argc, char **argv);

#endif
