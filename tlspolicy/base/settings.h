/*
 * settings - every configuration key of tlspolicyd, its tlspolicyctl and
 * its reporter, in one table: name, type, default, bounds.
 *
 * All defaults live here, so the programs run with no file at all.  A
 * file may set any subset; unknown keys, repeated keys and out-of-range
 * values are errors ("file, line N: reason").  tlspolicyd.conf(5)
 * documents each row; a test checks that the two agree.
 */
#ifndef TLSPOLICY_SETTINGS_H
#define TLSPOLICY_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define SETTINGS_DEFAULT_FILE SYSCONFDIR "/tlspolicyd/tlspolicyd.conf"

struct settings {
	char *socketmap_listen;          /* list of endpoints */
	unsigned socketmap_socket_mode;
	char *socketmap_socket_group;    /* "" = postfix when it exists */
	unsigned socketmap_max_connections;
	unsigned socketmap_idle_timeout; /* seconds */
	unsigned socketmap_request_timeout; /* seconds */
	unsigned socketmap_buffer_limit; /* MiB, all connections together */
	char *control_socket;            /* "" = none */
	char *state_directory;
	char *user;                      /* "" = do not change user */
	char *local_policy_file;         /* "" = none */
	int log_level;
	int syslog_facility;
	char *dns_resolver;              /* "" = /etc/resolv.conf */
	unsigned mta_sts;                /* 0 or 1 */
	unsigned dane;                   /* 0 or 1 */
	char *dane_required_domains;     /* list of domains */
	char *sts_ca_file;               /* "" = system store */
	unsigned sts_https_port;
	unsigned sts_fetch_timeout;      /* seconds */
	unsigned sts_check_interval;     /* seconds */
	unsigned lookup_timeout;         /* seconds, 0 = never wait */
	char *log_source;                /* list of log files to follow */
	char *sending_mta_ip;            /* list of HOST=IP */
	char *postfix_syslog_names;      /* list of syslog names, "NAME*" prefixes */
	unsigned result_retention;       /* seconds */
	char *report_from;               /* "" = tlsrpt-noreply@<host name> */
	char *report_organization;       /* "" = the submitter domain */
	char *report_contact;            /* "" = report_from */
	char *report_submitter;          /* "" = the contact's domain */
	char *sendmail_path;
	char *report_exclude_domains;    /* list of domains */
	unsigned report_delay_max;       /* seconds */
	char *report_archive_directory;  /* "" = none */
	unsigned report_only_with_failures;
	char *source;                    /* file the settings came from, or "(defaults)" */
};

/* settings_init - fill s with the defaults */
void settings_init(struct settings *s);
void settings_fini(struct settings *s);

/*
 * settings_parse - apply "key = value" text data[0..len) named name on top
 * of the defaults already in s.  Returns 0 or -1 with a message in err.
 */
int settings_parse(struct settings *s, const char *data, size_t len, const char *name,
    char *err, size_t errlen);

/*
 * settings_load - defaults, then path if given; with path NULL, the
 * default file if it exists.  Returns 0 or -1 with a message in err.
 */
int settings_load(struct settings *s, const char *path, char *err, size_t errlen);

/* settings_report_from - the reporter's envelope sender: report_from, or
 * tlsrpt-noreply@ the host name */
void settings_report_from(const struct settings *s, char *out, size_t outlen);
/* the reports' contact-info, submitter domain and organization-name, with
 * their defaults applied */
void settings_report_contact(const struct settings *s, char *out, size_t outlen);
void settings_report_submitter(const struct settings *s, char *out, size_t outlen);
void settings_report_organization(const struct settings *s, char *out, size_t outlen);

/* settings_print - write every key as "name = value", in table order */
void settings_print(const struct settings *s, FILE *fp);

#endif
