/*
 * settings - every configuration key of tlspolicyd, its tlspolicyctl and
 * its reporter, in one table: name, type, default, bounds.
 *
 * All defaults live here, so the programs run with no file at all.  A
 * file may set any subset; unknown keys, repeated keys and out-of-range
 * values are errors ("file, line N: key: reason").  tlspolicyd.conf(5)
 * documents each row; a test checks that the two agree.
 *
 * Every value is parsed once, when it is read, into the typed field below
 * (numbers, endpoints, word lists, domain sets, host maps); programs use
 * the fields as they are and never split a setting again.  The struct
 * owns everything its fields point to: the strings, the arrays and the
 * maps, with the keys and values in them.  Users borrow them read-only
 * for as long as the struct lives; settings_fini() frees them all.
 */
#ifndef TLSPOLICY_SETTINGS_H
#define TLSPOLICY_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

#include "endpoint.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define SETTINGS_DEFAULT_FILE SYSCONFDIR "/tlspolicyd/tlspolicyd.conf"

struct strmap;

/* a list of endpoints, in the order configured */
struct settings_endpoints {
	struct endpoint *v;
	size_t n;
};

/* a network: addr/prefix (family AF_INET or AF_INET6, addr in network
 * byte order, 4 or 16 bytes used) */
struct settings_cidr {
	int family;
	unsigned char addr[16];
	unsigned prefix;
};

/* a list of networks, in the order configured */
struct settings_cidrs {
	struct settings_cidr *v;
	size_t n;
};

/* settings_cidr_match - is the address addr (4 or 16 bytes of family)
 * inside one of the networks of l? */
int settings_cidr_match(const struct settings_cidrs *l, int family, const void *addr);

/* a list of words, in the order configured */
struct settings_words {
	char **v;
	size_t n;
};

struct settings {
	struct settings_endpoints socketmap_listen; /* one or more */
	unsigned socketmap_socket_mode;
	char *socketmap_socket_group;    /* "" = postfix when it exists */
	unsigned socketmap_max_connections;
	unsigned socketmap_idle_timeout; /* seconds */
	unsigned socketmap_request_timeout; /* seconds */
	unsigned socketmap_buffer_limit; /* MiB, all connections together */
	struct settings_endpoints exim_listen; /* none or more */
	unsigned exim_socket_mode;
	char *exim_socket_group;         /* "" = Debian-exim when it exists */
	struct settings_endpoints control_socket; /* none or one */
	char *state_directory;
	char *user;                      /* "" = do not change user */
	char *local_policy_file;         /* "" = none */
	int log_level;
	int syslog_facility;
	struct settings_words dns_resolver; /* "IP[:PORT]" words; none = /etc/resolv.conf */
	unsigned mta_sts;                /* 0 or 1 */
	unsigned dane;                   /* 0 or 1 */
	struct strmap *dane_required_domains; /* domain names (normalized) -> non-NULL */
	char *sts_ca_file;               /* "" = system store */
	unsigned sts_https_port;
	unsigned sts_fetch_timeout;      /* seconds */
	unsigned sts_check_interval;     /* seconds */
	unsigned policy_cache_size;      /* MTA-STS and DANE entries kept in memory, each */
	unsigned answer_cache_size;      /* domains whose answers are kept; 0: none */
	unsigned lookup_timeout;         /* seconds, 0 = never wait */
	struct settings_words log_source; /* log files to follow, absolute paths */
	struct strmap *sending_mta_ip;   /* host name -> IP address (char *, as
	                                    inet_ntop writes it) */
	struct settings_words postfix_syslog_names; /* syslog names, "NAME*" prefixes;
	                                    one or more */
	struct settings_words decision_syslog_names; /* syslog names whose
	                                    decision lines are taken; none: off */
	unsigned result_retention;       /* seconds */
	char *report_from;               /* "" = tlsrpt-noreply@<host name> */
	char *report_organization;       /* "" = the submitter domain */
	char *report_contact;            /* "" = report_from */
	char *report_submitter;          /* "" = the contact's domain; else normalized */
	char *sendmail_path;
	struct strmap *report_exclude_domains; /* domain names (normalized) -> non-NULL */
	unsigned report_delay_max;       /* seconds */
	char *report_archive_directory;  /* "" = none */
	unsigned report_only_with_failures;
	struct settings_endpoints http_listen; /* none or more, inet only */
	struct settings_cidrs http_allow; /* clients allowed besides loopback */
	unsigned http_max_connections;
	unsigned http_max_connections_per_ip;
	unsigned http_timeout;           /* seconds */
	unsigned http_tlsrpt;            /* POST /tlsrpt takes reports */
	struct strmap *report_domains;   /* our domains whose incoming reports are
	                                    kept (normalized) -> non-NULL; empty:
	                                    the MTA's (settings_report_domains) */
	char *exim_path;                 /* "" = Exim in the usual places, after
	                                    Postfix (mtahost.h) */
	char *incoming_quarantine_directory; /* "" = state_directory/quarantine */
	unsigned incoming_retention;     /* seconds */
	char *incoming_trusted_authserv_id; /* "" = Authentication-Results not trusted */
	char *public_suffix_list;        /* "" = none */
	char *source;                    /* file the settings came from, or "(defaults)",
	                                    or "(defaults: FILE not found)" */
	char *report_domains_from;       /* NULL until settings_report_domains();
	                                    then where report_domains came from:
	                                    source, "postconf mydestination, ...",
	                                    "exim -bP local_domains", or "" */
	char *report_domains_notes;      /* what of the MTA's configuration was
	                                    not read, or "" */
};

/* settings_init - fill s with the defaults */
void settings_init(struct settings *s);
/* settings_fini - free everything s owns */
void settings_fini(struct settings *s);

/*
 * settings_parse - apply "key = value" text data[0..len) named name on top
 * of the defaults already in s.  Returns 0 or -1 with a message in err
 * ("name, line N: key: reason", one line per error: every error of the
 * text); s then holds the good lines' settings, each one whole.
 */
int settings_parse(struct settings *s, const char *data, size_t len, const char *name,
    char *err, size_t errlen);

/*
 * settings_load - defaults, then path if given; with path NULL, the
 * default file if it exists.  Returns 0 or -1 with a message in err.
 */
int settings_load(struct settings *s, const char *path, char *err, size_t errlen);

/* settings_control - the control socket's endpoint (inside s), or NULL
 * when none is configured */
const struct endpoint *settings_control(const struct settings *s);
/* settings_report_from - the reporter's envelope sender: report_from, or
 * tlsrpt-noreply@ the host name as the MTA knows it (mtahost.h) */
void settings_report_from(const struct settings *s, char *out, size_t outlen);
/* the reports' contact-info, submitter domain and organization-name, with
 * their defaults applied */
void settings_report_contact(const struct settings *s, char *out, size_t outlen);
void settings_report_submitter(const struct settings *s, char *out, size_t outlen);
void settings_report_organization(const struct settings *s, char *out, size_t outlen);

/*
 * settings_report_domains - report_domains in effect: when the file left
 * it empty, the domains the MTA receives mail for (mtahost_domains(),
 * with exim_path), put into report_domains.  Sets report_domains_from and
 * report_domains_notes; returns the number of domains.  Asks the MTA once:
 * later calls only count.
 */
size_t settings_report_domains(struct settings *s);
/* settings_report_domains_text - after settings_report_domains(), one
 * line without a newline: "report_domains = a.example b.example (from
 * postconf mydestination)", or why it is empty, with the notes */
void settings_report_domains_text(const struct settings *s, char *out, size_t outlen);

/* settings_diff - call fn with the name of every setting whose value
 * differs between a and b */
void settings_diff(const struct settings *a, const struct settings *b,
    void (*fn)(const char *name, void *arg), void *arg);

/* settings_report_check - 0 when the reports' submitter (with the
 * defaults above, which take the MTA's host name) is a fully qualified
 * domain name; else -1 and in why what to set */
int settings_report_check(const struct settings *s, char *why, size_t whylen);

/* settings_print - write every key as "name = value", in table order, the
 * value in canonical form (lists joined by blanks, sets sorted, durations
 * in seconds): reading the output back gives the same settings */
void settings_print(const struct settings *s, FILE *fp);

#endif
