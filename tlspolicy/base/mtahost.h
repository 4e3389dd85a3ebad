/*
 * mtahost - this mail host's name as its MTA knows it, for the defaults
 * of the report identity (report_from, report_contact, report_submitter).
 *
 * In order: Postfix's myhostname ("postconf -h myhostname", which honours
 * MAIL_CONFIG), Exim's primary_hostname ("exim4 -bP primary_hostname" or
 * exim's), else gethostname().  The programs are run with execve, no
 * shell, standard input and error on /dev/null, their output read up to
 * a small limit within a few seconds; a program that fails, prints
 * nothing or prints something that is not a host name is skipped.  The
 * answer is looked up once per process and then kept: a daemon asks
 * early, before it holds anything a child must not keep.
 */
#ifndef TLSPOLICY_MTAHOST_H
#define TLSPOLICY_MTAHOST_H

#include <stddef.h>

/* mtahost_name - the host name into out; returns where it came from:
 * "Postfix myhostname", "Exim primary_hostname" or "gethostname" */
const char *mtahost_name(char *out, size_t outlen);

/* mtahost_qualified - name looks like a fully qualified domain name: two
 * labels or more; with strict, also not in a pseudo top-level domain
 * (localdomain, localhost, local, internal, invalid, lan, home) */
int mtahost_qualified(const char *name, int strict);

#endif
