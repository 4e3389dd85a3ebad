/*
 * settings - the configuration table, see settings.h.
 */
#include "config.h"

#include <arpa/inet.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "domain.h"
#include "endpoint.h"
#include "fileio.h"
#include "log.h"
#include "numparse.h"
#include "settings.h"
#include "xalloc.h"

enum settings_type {
	T_STR,        /* any text */
	T_PATH,       /* absolute path, or empty when allowed */
	T_ENDPOINTS,  /* list of unix:/inet: endpoints */
	T_ENDPOINT,   /* one endpoint or empty */
	T_UINT,
	T_DURATION,   /* seconds, with optional s/m/h/d/w unit */
	T_MODE,       /* octal file mode */
	T_LOGLEVEL,
	T_FACILITY,
	T_BOOL,       /* yes or no */
	T_SERVERS,    /* list of IP[:PORT] */
	T_DOMAINS,    /* list of domain names */
	T_DOMAIN,     /* one domain name, or empty */
	T_PATHS,      /* list of absolute paths */
	T_HOSTIPS,    /* list of HOST=IP */
	T_ADDRESS,    /* an e-mail address local@domain, or empty */
	T_NAMES,      /* list of syslog names, each optionally ending in '*' */
};

static const struct settings_row {
	const char *name;
	enum settings_type type;
	const char *def;
	uint64_t min, max;  /* numbers; for T_PATH min=1 means "may be empty" */
	size_t off;
} rows[] = {
#define OFF(f) offsetof(struct settings, f)
	{ "socketmap_listen", T_ENDPOINTS, "unix:" DEFAULT_RUNDIR "/postfix.sock", 0, 0,
	  OFF(socketmap_listen) },
	{ "socketmap_socket_mode", T_MODE, "0660", 0, 0777, OFF(socketmap_socket_mode) },
	{ "socketmap_socket_group", T_STR, "", 0, 0, OFF(socketmap_socket_group) },
	{ "socketmap_max_connections", T_UINT, "1000", 1, 100000,
	  OFF(socketmap_max_connections) },
	{ "socketmap_idle_timeout", T_DURATION, "60s", 1, 3600, OFF(socketmap_idle_timeout) },
	{ "socketmap_request_timeout", T_DURATION, "10s", 1, 3600,
	  OFF(socketmap_request_timeout) },
	{ "socketmap_buffer_limit", T_UINT, "64", 1, 4096, OFF(socketmap_buffer_limit) },
	{ "control_socket", T_ENDPOINT, "unix:" DEFAULT_RUNDIR "/control.sock", 0, 0,
	  OFF(control_socket) },
	{ "state_directory", T_PATH, DEFAULT_STATEDIR, 0, 0, OFF(state_directory) },
	{ "user", T_STR, DEFAULT_USER, 0, 0, OFF(user) },
	{ "local_policy_file", T_PATH, "", 1, 0, OFF(local_policy_file) },
	{ "log_level", T_LOGLEVEL, "info", 0, 0, OFF(log_level) },
	{ "syslog_facility", T_FACILITY, "mail", 0, 0, OFF(syslog_facility) },
	{ "dns_resolver", T_SERVERS, "", 0, 0, OFF(dns_resolver) },
	{ "mta_sts", T_BOOL, "yes", 0, 1, OFF(mta_sts) },
	{ "dane", T_BOOL, "yes", 0, 1, OFF(dane) },
	{ "dane_required_domains", T_DOMAINS, "", 0, 0, OFF(dane_required_domains) },
	{ "sts_ca_file", T_PATH, "", 1, 0, OFF(sts_ca_file) },
	{ "sts_https_port", T_UINT, "443", 1, 65535, OFF(sts_https_port) },
	{ "sts_fetch_timeout", T_DURATION, "20s", 1, 120, OFF(sts_fetch_timeout) },
	{ "sts_check_interval", T_DURATION, "1h", 10, 86400, OFF(sts_check_interval) },
	{ "lookup_timeout", T_DURATION, "5s", 0, 60, OFF(lookup_timeout) },
	{ "log_source", T_PATHS, "", 0, 0, OFF(log_source) },
	{ "sending_mta_ip", T_HOSTIPS, "", 0, 0, OFF(sending_mta_ip) },
	{ "postfix_syslog_names", T_NAMES, "postfix postfix-*", 0, 0, OFF(postfix_syslog_names) },
	{ "result_retention", T_DURATION, "30d", 86400, 3650u * 86400, OFF(result_retention) },
	{ "report_from", T_ADDRESS, "", 0, 0, OFF(report_from) },
	{ "report_organization", T_STR, "", 0, 0, OFF(report_organization) },
	{ "report_contact", T_ADDRESS, "", 0, 0, OFF(report_contact) },
	{ "report_submitter", T_DOMAIN, "", 0, 0, OFF(report_submitter) },
	{ "sendmail_path", T_PATH, "/usr/sbin/sendmail", 0, 0, OFF(sendmail_path) },
	{ "report_exclude_domains", T_DOMAINS, "", 0, 0, OFF(report_exclude_domains) },
	{ "report_delay_max", T_DURATION, "0", 0, 86400, OFF(report_delay_max) },
	{ "report_archive_directory", T_PATH, "", 1, 0, OFF(report_archive_directory) },
	{ "report_only_with_failures", T_BOOL, "no", 0, 1, OFF(report_only_with_failures) },
#undef OFF
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

struct settings_ctx {
	struct settings *s;
	unsigned char seen[NROWS];
};

#define FIELD(s, row, type) ((type *)(void *)((char *)(s) + (row)->off))

/* server_check - one resolver address: IPv4[:port], [IPv6][:port], IPv6 */
static int
server_check(const char *w, size_t len)
{
	char one[80];
	const char *colon = memchr(w, ':', len), *why;
	struct endpoint ep;
	int n;

	if (len > 60)
		return -1;
	if (w[0] == '[')          /* [v6] or [v6]:port */
		n = snprintf(one, sizeof(one), "inet:%.*s%s", (int)len, w, w[len - 1] == ']' ? ":53" : "");
	else if (colon && memchr(colon + 1, ':', len - (size_t)(colon - w) - 1))
		n = snprintf(one, sizeof(one), "inet:[%.*s]:53", (int)len, w);   /* bare v6 */
	else
		n = snprintf(one, sizeof(one), "inet:%.*s%s", (int)len, w, colon ? "" : ":53");
	return n > 0 && (size_t)n < sizeof(one) && strstr(one, "localhost") == NULL
	    && endpoint_parse(one, &ep, &why) == 0 ? 0 : -1;
}

/* settings_set - validate value for row and store it */
static int
settings_set(struct settings *s, const struct settings_row *row, const char *value,
    char *err, size_t errlen)
{
	size_t len = strlen(value);
	const char *why = NULL;
	uint64_t n;
	int v;

	switch (row->type) {
	case T_STR:
		break;
	case T_PATH:
		if (len == 0 && row->min == 1)
			break;
		if (value[0] != '/') {
			snprintf(err, errlen, "%s: must be an absolute path", row->name);
			return -1;
		}
		break;
	case T_ENDPOINTS:
	case T_ENDPOINT: {
		struct endpoint ep;
		char one[sizeof(ep.text)];
		unsigned count = 0;
		const char *pos = value, *word;

		while ((word = list_next(&pos, &len)) != NULL) {
			if (len >= sizeof(one)) {
				snprintf(err, errlen, "%s: address too long", row->name);
				return -1;
			}
			memcpy(one, word, len);
			one[len] = '\0';
			if (endpoint_parse(one, &ep, &why) < 0) {
				snprintf(err, errlen, "%s: %s: \"%s\"", row->name, why, one);
				return -1;
			}
			count++;
		}
		if (row->type == T_ENDPOINTS && count == 0) {
			snprintf(err, errlen, "%s: at least one address is needed", row->name);
			return -1;
		}
		if (row->type == T_ENDPOINT && count > 1) {
			snprintf(err, errlen, "%s: only one address is allowed", row->name);
			return -1;
		}
		break;
	}
	case T_UINT:
	case T_DURATION:
	case T_MODE:
		if ((row->type == T_UINT ? numparse_uint(value, len, UINT32_MAX, &n)
		    : row->type == T_MODE ? numparse_octal(value, len, row->max, &n)
		    : numparse_duration(value, len, UINT32_MAX, &n)) < 0
		    || n < row->min || n > row->max) {
			if (row->type == T_MODE)
				snprintf(err, errlen, "%s: expected an octal mode up to %llo: \"%.40s\"",
				    row->name, (unsigned long long)row->max, value);
			else
				snprintf(err, errlen, "%s: expected %s from %llu to %llu: \"%.40s\"",
				    row->name, row->type == T_DURATION ? "a duration (seconds)" : "a number",
				    (unsigned long long)row->min, (unsigned long long)row->max, value);
			return -1;
		}
		*FIELD(s, row, unsigned) = (unsigned)n;
		return 0;
	case T_LOGLEVEL:
		if ((v = log_level_parse(value)) < 0) {
			snprintf(err, errlen, "%s: expected error, warning, info or debug: \"%.40s\"",
			    row->name, value);
			return -1;
		}
		*FIELD(s, row, int) = v;
		return 0;
	case T_BOOL:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			snprintf(err, errlen, "%s: expected yes or no: \"%.40s\"", row->name, value);
			return -1;
		}
		*FIELD(s, row, unsigned) = value[0] == 'y';
		return 0;
	case T_SERVERS: {
		const char *pos = value, *word;

		while ((word = list_next(&pos, &len)) != NULL)
			if (server_check(word, len) < 0) {
				snprintf(err, errlen, "%s: expected IP, IP:PORT or [IPv6]:PORT: \"%.*s\"",
				    row->name, (int)(len > 60 ? 60 : len), word);
				return -1;
			}
		break;
	}
	case T_DOMAINS:
	case T_DOMAIN: {
		const char *pos = value, *word;
		char name[DOMAIN_MAX + 1];
		unsigned count = 0;

		while ((word = list_next(&pos, &len)) != NULL) {
			if (len > DOMAIN_MAX + 1 || domain_normalize(word, len, name, NULL) != DOMAIN_OK) {
				snprintf(err, errlen, "%s: not a domain name: \"%.*s\"", row->name,
				    (int)(len > 60 ? 60 : len), word);
				return -1;
			}
			if (row->type == T_DOMAIN && ++count > 1) {
				snprintf(err, errlen, "%s: one domain name only", row->name);
				return -1;
			}
		}
		break;
	}
	case T_PATHS: {
		const char *pos = value, *word;

		while ((word = list_next(&pos, &len)) != NULL)
			if (word[0] != '/' || len > 1024) {
				snprintf(err, errlen, "%s: expected absolute paths: \"%.*s\"", row->name,
				    (int)(len > 60 ? 60 : len), word);
				return -1;
			}
		break;
	}
	case T_NAMES: {
		const char *pos = value, *word;
		unsigned count = 0;

		while ((word = list_next(&pos, &len)) != NULL) {
			for (size_t i = 0; i < len; i++) {
				char c = word[i];

				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
				    || c == '-' || c == '_' || c == '.' || c == '/' || (c == '*' && i == len - 1))
				    || len > 63) {
					snprintf(err, errlen, "%s: expected syslog names (letters, digits, "
					    "'-', '_', '.', '/', a final '*'): \"%.*s\"", row->name,
					    (int)(len > 60 ? 60 : len), word);
					return -1;
				}
			}
			count++;
		}
		if (count == 0) {
			snprintf(err, errlen, "%s: at least one name is needed", row->name);
			return -1;
		}
		break;
	}
	case T_HOSTIPS: {
		const char *pos = value, *word, *eq;
		char ip[64];
		unsigned char addr[16];

		while ((word = list_next(&pos, &len)) != NULL) {
			eq = memchr(word, '=', len);
			if (eq == NULL || eq == word || (size_t)(eq - word) > 255
			    || len - (size_t)(eq - word) - 1 >= sizeof(ip)) {
				snprintf(err, errlen, "%s: expected HOST=IP: \"%.*s\"", row->name,
				    (int)(len > 60 ? 60 : len), word);
				return -1;
			}
			memcpy(ip, eq + 1, len - (size_t)(eq - word) - 1);
			ip[len - (size_t)(eq - word) - 1] = '\0';
			if (inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1) {
				snprintf(err, errlen, "%s: not an IP address: \"%.60s\"", row->name, ip);
				return -1;
			}
		}
		break;
	}
	case T_ADDRESS: {
		const char *at = strrchr(value, '@');
		char name[DOMAIN_MAX + 1];

		if (len == 0)
			break;
		if (at == NULL || at == value || len > 254 || strpbrk(value, " \t<>()[],;:\\\"") != NULL
		    || domain_normalize(at + 1, strlen(at + 1), name, NULL) != DOMAIN_OK) {
			snprintf(err, errlen, "%s: expected an address local@domain: \"%.60s\"", row->name,
			    value);
			return -1;
		}
		for (const char *c = value; *c; c++)
			if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
				snprintf(err, errlen, "%s: expected an address local@domain: \"%.60s\"",
				    row->name, value);
				return -1;
			}
		break;
	}
	case T_FACILITY:
		if ((v = log_facility_parse(value)) < 0) {
			snprintf(err, errlen, "%s: expected mail, daemon, user or local0..local7: \"%.40s\"",
			    row->name, value);
			return -1;
		}
		*FIELD(s, row, int) = v;
		return 0;
	}
	free(*FIELD(s, row, char *));
	*FIELD(s, row, char *) = xstrdup(value);
	return 0;
}

void
settings_init(struct settings *s)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < NROWS; i++)
		if (settings_set(s, &rows[i], rows[i].def, err, sizeof(err)) < 0)
			log_fatalx("built-in default: %s", err);
	s->source = xstrdup("(defaults)");
}

void
settings_fini(struct settings *s)
{
	for (size_t i = 0; i < NROWS; i++) {
		const struct settings_row *row = &rows[i];

		if (row->type != T_UINT && row->type != T_DURATION && row->type != T_MODE
		    && row->type != T_LOGLEVEL && row->type != T_FACILITY && row->type != T_BOOL)
			free(*FIELD(s, row, char *));
	}
	free(s->source);
	memset(s, 0, sizeof(*s));
}

static int
settings_cb(void *arg, const char *key, const char *value, char *err, size_t errlen)
{
	struct settings_ctx *ctx = arg;

	for (size_t i = 0; i < NROWS; i++) {
		if (strcmp(rows[i].name, key) != 0)
			continue;
		if (ctx->seen[i]) {
			snprintf(err, errlen, "%s is set more than once", key);
			return -1;
		}
		ctx->seen[i] = 1;
		return settings_set(ctx->s, &rows[i], value, err, errlen);
	}
	snprintf(err, errlen, "unknown setting \"%.64s\"", key);
	return -1;
}

int
settings_parse(struct settings *s, const char *data, size_t len, const char *name,
    char *err, size_t errlen)
{
	struct settings_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.s = s;
	if (conf_parse(data, len, name, settings_cb, &ctx, err, errlen) < 0)
		return -1;
	free(s->source);
	s->source = xstrdup(name);
	return 0;
}

int
settings_load(struct settings *s, const char *path, char *err, size_t errlen)
{
	char *data;
	size_t len;
	int rc;

	settings_init(s);
	if (path == NULL) {
		if (access(SETTINGS_DEFAULT_FILE, F_OK) < 0 && errno == ENOENT)
			return 0;
		path = SETTINGS_DEFAULT_FILE;
	}
	if ((data = file_read(path, CONF_FILE_MAX, &len, err, errlen)) == NULL)
		return -1;
	rc = settings_parse(s, data, len, path, err, errlen);
	free(data);
	return rc;
}

static const char *
facility_name(int facility)
{
	static const char *const names[] = { "mail", "daemon", "user", "local0", "local1",
		"local2", "local3", "local4", "local5", "local6", "local7" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (log_facility_parse(names[i]) == facility)
			return names[i];
	return "?";
}

void
settings_print(const struct settings *s, FILE *fp)
{
	static const char *const levels[] = { "error", "warning", "info", "debug" };

	for (size_t i = 0; i < NROWS; i++) {
		const struct settings_row *row = &rows[i];

		fprintf(fp, "%s = ", row->name);
		switch (row->type) {
		case T_UINT:
			fprintf(fp, "%u\n", *FIELD(s, row, const unsigned));
			break;
		case T_DURATION:
			fprintf(fp, "%us\n", *FIELD(s, row, const unsigned));
			break;
		case T_MODE:
			fprintf(fp, "%04o\n", *FIELD(s, row, const unsigned));
			break;
		case T_LOGLEVEL:
			fprintf(fp, "%s\n", levels[*FIELD(s, row, const int)]);
			break;
		case T_FACILITY:
			fprintf(fp, "%s\n", facility_name(*FIELD(s, row, const int)));
			break;
		case T_BOOL:
			fprintf(fp, "%s\n", *FIELD(s, row, const unsigned) ? "yes" : "no");
			break;
		default:
			fprintf(fp, "%s\n", *FIELD(s, row, char *const));
			break;
		}
	}
}

/* host_name - this host's name, for defaults */
static void
host_name(char *out, size_t outlen)
{
	if (gethostname(out, outlen) < 0 || out[0] == '\0')
		snprintf(out, outlen, "localhost");
	out[outlen - 1] = '\0';
}

void
settings_report_from(const struct settings *s, char *out, size_t outlen)
{
	char host[256];

	if (s->report_from[0]) {
		snprintf(out, outlen, "%s", s->report_from);
		return;
	}
	host_name(host, sizeof(host));
	snprintf(out, outlen, "tlsrpt-noreply@%s", host);
}

void
settings_report_contact(const struct settings *s, char *out, size_t outlen)
{
	if (s->report_contact[0])
		snprintf(out, outlen, "%s", s->report_contact);
	else
		settings_report_from(s, out, outlen);
}

void
settings_report_submitter(const struct settings *s, char *out, size_t outlen)
{
	char contact[320];
	const char *at;

	if (s->report_submitter[0]) {
		snprintf(out, outlen, "%s", s->report_submitter);
		return;
	}
	settings_report_contact(s, contact, sizeof(contact));
	at = strrchr(contact, '@');
	snprintf(out, outlen, "%s", at ? at + 1 : contact);
}

void
settings_report_organization(const struct settings *s, char *out, size_t outlen)
{
	if (s->report_organization[0])
		snprintf(out, outlen, "%s", s->report_organization);
	else
		settings_report_submitter(s, out, outlen);
}
