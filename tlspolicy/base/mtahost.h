/*
 * mtahost - this mail host as its MTA knows it: the host name, for the
 * defaults of the report identity (report_from, report_contact,
 * report_submitter), and the domains it receives mail for, for the
 * default of report_domains.
 *
 * The host name, in order: Postfix's myhostname ("postconf -h
 * myhostname", which honours MAIL_CONFIG), Exim's primary_hostname
 * ("exim4 -bP primary_hostname" or exim's), else gethostname().  The
 * domains: Postfix's mydestination, virtual_mailbox_domains,
 * virtual_alias_domains and relay_domains ("postconf -x -h ...", so
 * $myhostname and the like are expanded; "/file/name" entries read,
 * "type:table" entries listed with "postmap -s" for the types that can
 * be listed: hash, btree, lmdb, cdb, dbm, texthash, inline), else Exim's
 * local_domains and relay_to_domains ("exim -bP +local_domains
 * +relay_to_domains", "@" being primary_hostname).  Only fully qualified
 * domain names are kept: localhost, names of one label or in a pseudo
 * top-level domain (mtahost_qualified() strict) and what is not a domain
 * name are dropped; lookups, wildcards, exclusions and expansions that
 * cannot be listed are skipped.  Both are told in the notes.
 *
 * Postfix is asked only where a main.cf exists (postconf fails only after
 * Postfix's one-second pause on fatal errors).  When the caller names an
 * Exim program (exim_path), Exim is asked first, with that program.
 *
 * The programs are run with execve, no shell, standard input and error on
 * /dev/null, their output read up to a limit within a few seconds; a
 * program that fails, prints nothing or prints something that is not a
 * host name is skipped.  The host name is looked up once per process and
 * then kept: a daemon asks early, before it holds anything a child must
 * not keep.  The domains are asked for on every call.
 */
#ifndef TLSPOLICY_MTAHOST_H
#define TLSPOLICY_MTAHOST_H

#include <stddef.h>

struct buf;
struct strmap;

/* mtahost_name - the host name into out; exim: the Exim program to ask
 * first, or NULL or "" for the usual places after Postfix; returns where
 * the name came from: "Postfix myhostname", "Exim primary_hostname" or
 * "gethostname" */
const char *mtahost_name(const char *exim, char *out, size_t outlen);

/* mtahost_qualified - name looks like a fully qualified domain name: two
 * labels or more; with strict, also not in a pseudo top-level domain
 * (localdomain, localhost, local, internal, invalid, lan, home) */
int mtahost_qualified(const char *name, int strict);

#define MTAHOST_DOMAINS_MAX 100000      /* more are dropped (and told) */

/* the domains this host receives mail for */
struct mtahost_domains {
	char **v;              /* normalized, each once, in the order found */
	size_t n;
	char from[256];        /* "postconf mydestination, relay_domains" or
	                          "exim -bP local_domains": where the kept ones
	                          came from; "" when none were found */
	char notes[1024];      /* what was skipped or dropped and why, "; "
	                          between parts; "" when nothing */
	struct strmap *seen;   /* v as a set */
};

/* mtahost_domains - ask the MTA (see above); exim as for mtahost_name.
 * Returns d->n; free d with mtahost_domains_fini() */
size_t mtahost_domains(const char *exim, struct mtahost_domains *d);
void mtahost_domains_fini(struct mtahost_domains *d);

/*
 * The parsers, without I/O of their own, for the tests.  A reader gives
 * the text of a table as "postmap -s" prints it (kind MTAHOST_TABLE,
 * name "type:name") or of a file (MTAHOST_FILE, an absolute path): 0, or
 * -1 with the reason in why.
 */
enum mtahost_kind { MTAHOST_TABLE, MTAHOST_FILE };
struct mtahost_reader {
	int (*read)(void *arg, enum mtahost_kind kind, const char *name, struct buf *out,
	    char *why, size_t whylen);
	void *arg;
};

/* mtahost_postconf_parse - the output of "postconf -x -h P1 P2 ...", one
 * line for each of the n parameters in params, into d (d zeroed first by
 * the caller) */
void mtahost_postconf_parse(const char *text, size_t len, const char *const *params, size_t n,
    const struct mtahost_reader *rd, struct mtahost_domains *d);

/* mtahost_exim_parse - the output of "exim -bP primary_hostname
 * +local_domains +relay_to_domains" into d (d zeroed first) */
void mtahost_exim_parse(const char *text, size_t len, struct mtahost_domains *d);

#endif
