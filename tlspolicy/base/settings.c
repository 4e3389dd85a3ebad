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
#include "mtahost.h"
#include "numparse.h"
#include "settings.h"
#include "strmap.h"
#include "xalloc.h"

enum settings_type {
	T_STR,        /* any text */
	T_PATH,       /* absolute path, or empty when allowed */
	T_ENDPOINTS,  /* list of unix:/inet: endpoints */
	T_UINT,
	T_DURATION,   /* seconds, with optional s/m/h/d/w unit */
	T_MODE,       /* octal file mode */
	T_LOGLEVEL,
	T_FACILITY,
	T_BOOL,       /* yes or no */
	T_SERVERS,    /* list of IP[:PORT] */
	T_DOMAINS,    /* set of domain names */
	T_DOMAIN,     /* one domain name, or empty */
	T_PATHS,      /* list of absolute paths */
	T_HOSTIPS,    /* map HOST=IP */
	T_ADDRESS,    /* an e-mail address local@domain, or empty */
	T_NAMES,      /* list of syslog names, each optionally ending in '*' */
	T_HTTPADDRS,  /* list of IP:PORT, [IPv6]:PORT (or inet:...) */
	T_CIDRS,      /* list of networks IP[/PREFIX] */
};

/*
 * A row: for numbers min and max bound the value; for lists they bound
 * the number of words (max 0: no limit); for T_PATH min=1 means "may be
 * empty".
 */
static const struct settings_row {
	const char *name;
	enum settings_type type;
	const char *def;
	uint64_t min, max;
	size_t off, size;    /* the field in struct settings */
} rows[] = {
#define OFF(f) offsetof(struct settings, f), sizeof(((struct settings *)0)->f)
	/* inside Postfix's queue directory: a chrooted smtp(8) reaches it as
	 * socketmap:unix:tlspolicyd/postfix.sock:postfix, an unchrooted one too
	 * (Postfix daemons run in the queue directory) */
	{ "socketmap_listen", T_ENDPOINTS, "unix:/var/spool/postfix/tlspolicyd/postfix.sock", 1, 0,
	  OFF(socketmap_listen) },
	{ "socketmap_socket_mode", T_MODE, "0660", 0, 0777, OFF(socketmap_socket_mode) },
	{ "socketmap_socket_group", T_STR, "", 0, 0, OFF(socketmap_socket_group) },
	{ "socketmap_max_connections", T_UINT, "1000", 1, 100000,
	  OFF(socketmap_max_connections) },
	{ "socketmap_idle_timeout", T_DURATION, "60s", 1, 3600, OFF(socketmap_idle_timeout) },
	{ "socketmap_request_timeout", T_DURATION, "10s", 1, 3600,
	  OFF(socketmap_request_timeout) },
	{ "socketmap_buffer_limit", T_UINT, "64", 1, 4096, OFF(socketmap_buffer_limit) },
	{ "exim_listen", T_ENDPOINTS, "", 0, 0, OFF(exim_listen) },
	{ "exim_socket_mode", T_MODE, "0660", 0, 0777, OFF(exim_socket_mode) },
	{ "exim_socket_group", T_STR, "", 0, 0, OFF(exim_socket_group) },
	{ "control_socket", T_ENDPOINTS, "unix:" DEFAULT_RUNDIR "/control.sock", 0, 1,
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
	{ "policy_cache_size", T_UINT, "20000", 100, 100000000, OFF(policy_cache_size) },
	{ "answer_cache_size", T_UINT, "2000000", 0, 100000000, OFF(answer_cache_size) },
	{ "lookup_timeout", T_DURATION, "5s", 0, 60, OFF(lookup_timeout) },
	{ "log_source", T_PATHS, "", 0, 0, OFF(log_source) },
	{ "sending_mta_ip", T_HOSTIPS, "", 0, 0, OFF(sending_mta_ip) },
	{ "postfix_syslog_names", T_NAMES, "postfix postfix-*", 1, 0, OFF(postfix_syslog_names) },
	{ "decision_syslog_names", T_NAMES, "tlspolicyd", 0, 0, OFF(decision_syslog_names) },
	{ "result_retention", T_DURATION, "30d", 86400, 3650u * 86400, OFF(result_retention) },
	{ "report_from", T_ADDRESS, "", 0, 0, OFF(report_from) },
	{ "report_organization", T_STR, "", 0, 0, OFF(report_organization) },
	{ "report_contact", T_ADDRESS, "", 0, 0, OFF(report_contact) },
	{ "report_submitter", T_DOMAIN, "", 0, 1, OFF(report_submitter) },
	{ "sendmail_path", T_PATH, "/usr/sbin/sendmail", 0, 0, OFF(sendmail_path) },
	{ "report_exclude_domains", T_DOMAINS, "", 0, 0, OFF(report_exclude_domains) },
	{ "report_delay_max", T_DURATION, "0", 0, 86400, OFF(report_delay_max) },
	{ "report_archive_directory", T_PATH, "", 1, 0, OFF(report_archive_directory) },
	{ "report_only_with_failures", T_BOOL, "no", 0, 1, OFF(report_only_with_failures) },
	{ "http_listen", T_HTTPADDRS, "", 0, 0, OFF(http_listen) },
	{ "http_allow", T_CIDRS, "", 0, 0, OFF(http_allow) },
	{ "http_max_connections", T_UINT, "64", 1, 10000, OFF(http_max_connections) },
	{ "http_max_connections_per_ip", T_UINT, "16", 1, 10000,
	  OFF(http_max_connections_per_ip) },
	{ "http_timeout", T_DURATION, "10s", 1, 600, OFF(http_timeout) },
	{ "http_tlsrpt", T_BOOL, "no", 0, 1, OFF(http_tlsrpt) },
	{ "report_domains", T_DOMAINS, "", 0, 0, OFF(report_domains) },
	{ "exim_path", T_PATH, "", 1, 0, OFF(exim_path) },
	{ "incoming_quarantine_directory", T_PATH, "", 1, 0, OFF(incoming_quarantine_directory) },
	{ "incoming_retention", T_DURATION, "400d", 86400, 3650u * 86400, OFF(incoming_retention) },
	{ "incoming_trusted_authserv_id", T_STR, "", 0, 0, OFF(incoming_trusted_authserv_id) },
	{ "public_suffix_list", T_PATH, "/usr/share/publicsuffix/public_suffix_list.dat", 1, 0,
	  OFF(public_suffix_list) },
#undef OFF
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* a value of any type, as it is built before it replaces a field */
union settings_value {
	char *str;
	unsigned u;
	int i;
	struct settings_endpoints eps;
	struct settings_words words;
	struct settings_cidrs cidrs;
	struct strmap *map;
};

/*
 * A type: set parses value into *out (zeroed first; on failure *out holds
 * only what fini frees).  A list type's set is set_list(), which calls the
 * type's word function on each word (a list of words: its check_word, and
 * keeps the word); a string type's set is set_string(),
 * which calls its check if any: both return NULL, or why the value is
 * refused.  item names one word in count errors (for a choice: what is
 * expected).  fini frees what a value owns (NULL: nothing), print writes
 * it in canonical form.
 */
struct settings_kind {
	int (*set)(const struct settings_row *row, const char *value, union settings_value *out,
	    char *err, size_t errlen);
	const char *(*word)(const struct settings_row *row, const char *w, size_t len,
	    union settings_value *out);
	const char *(*check_word)(const char *w, size_t len);  /* a word list's */
	const char *(*check)(const struct settings_row *row, const char *value);
	const char *item;
	const char *const *names;      /* a choice: the names, NULL-terminated */
	int (*value_of)(const char *name);  /* a name's value; NULL: its index */
	size_t size;                   /* of the field in struct settings */
	void (*fini)(union settings_value *v);
	void (*print)(const struct settings_row *row, const union settings_value *v, FILE *fp);
};

static const struct settings_kind *kind_of(enum settings_type type);

/* present - the value of a set's members */
static char present[] = "";

/* list_next - the next word of a list separated by blanks or commas: its
 * start, and its length in *len; NULL at the end */
static const char *
list_next(const char **pos, size_t *len)
{
	const char *p = *pos, *start;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (*p == '\0') {
		*pos = p;
		return NULL;
	}
	start = p;
	while (*p && *p != ' ' && *p != '\t' && *p != ',')
		p++;
	*len = (size_t)(p - start);
	*pos = p;
	return start;
}

/* words_add - append w[0..len) to a word list */
static void
words_add(struct settings_words *l, const char *w, size_t len)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n] = xmalloc(len + 1);
	memcpy(l->v[l->n], w, len);
	l->v[l->n++][len] = '\0';
}

/* set_list - the one list loop: every word through the type's word
 * function, then the row's bounds on the count */
static int
set_list(const struct settings_row *row, const char *value, union settings_value *out,
    char *err, size_t errlen)
{
	const struct settings_kind *k = kind_of(row->type);
	const char *pos = value, *word, *why;
	uint64_t count = 0;
	size_t len;

	if (row->type == T_DOMAINS || row->type == T_HOSTIPS)
		out->map = strmap_new();
	while ((word = list_next(&pos, &len)) != NULL) {
		why = k->check_word ? k->check_word(word, len) : k->word(row, word, len, out);
		if (why != NULL) {
			snprintf(err, errlen, "%s: %s: \"%.*s\"", row->name, why,
			    (int)(len > 60 ? 60 : len), word);
			return -1;
		}
		if (k->check_word)
			words_add(&out->words, word, len);
		count++;
	}
	if (count < row->min) {
		snprintf(err, errlen, "%s: at least one %s is needed", row->name, k->item);
		return -1;
	}
	if (row->max > 0 && count > row->max) {
		snprintf(err, errlen, "%s: only one %s is allowed", row->name, k->item);
		return -1;
	}
	return 0;
}

static const char *
word_endpoint(const struct settings_row *row, const char *w, size_t len,
    union settings_value *out)
{
	struct settings_endpoints *l = &out->eps;
	struct endpoint ep;
	char one[sizeof(ep.text)];
	const char *why;

	(void)row;
	if (len >= sizeof(one))
		return "address too long";
	memcpy(one, w, len);
	one[len] = '\0';
	if (endpoint_parse(one, &ep, &why) < 0)
		return why;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = ep;
	return NULL;
}

/* word_httpaddr - an HTTP listener: IP:PORT, [IPv6]:PORT, localhost:PORT
 * or the same after "inet:" (as the canonical form prints it) */
static const char *
word_httpaddr(const struct settings_row *row, const char *w, size_t len,
    union settings_value *out)
{
	char one[200];
	int n;

	if (len >= 5 && memcmp(w, "unix:", 5) == 0)
		return "expected IP:PORT or [IPv6]:PORT (no unix sockets)";
	if (len >= 5 && memcmp(w, "inet:", 5) == 0)
		n = snprintf(one, sizeof(one), "%.*s", (int)len, w);
	else
		n = snprintf(one, sizeof(one), "inet:%.*s", (int)len, w);
	if (n < 0 || (size_t)n >= sizeof(one) - 40)
		return "address too long";
	return word_endpoint(row, one, (size_t)n, out);
}

/* word_cidr - a network IP/PREFIX, or one address IP */
static const char *
word_cidr(const struct settings_row *row, const char *w, size_t len,
    union settings_value *out)
{
	struct settings_cidrs *l = &out->cidrs;
	struct settings_cidr c;
	const char *slash = memchr(w, '/', len);
	size_t alen = slash ? (size_t)(slash - w) : len;
	char ip[INET6_ADDRSTRLEN + 1];
	uint64_t prefix;
	unsigned max;

	(void)row;
	memset(&c, 0, sizeof(c));
	if (alen == 0 || alen >= sizeof(ip))
		return "expected IP or IP/PREFIX";
	memcpy(ip, w, alen);
	ip[alen] = '\0';
	if (inet_pton(AF_INET, ip, c.addr) == 1) {
		c.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, ip, c.addr) == 1) {
		c.family = AF_INET6;
		max = 128;
	} else
		return "expected IP or IP/PREFIX";
	prefix = max;
	if (slash && numparse_uint(slash + 1, len - alen - 1, max, &prefix) < 0)
		return "expected IP or IP/PREFIX";
	c.prefix = (unsigned)prefix;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = c;
	return NULL;
}

int
settings_cidr_match(const struct settings_cidrs *l, int family, const void *addr)
{
	const unsigned char *a = addr;

	for (size_t i = 0; i < l->n; i++) {
		const struct settings_cidr *c = &l->v[i];
		unsigned full = c->prefix / 8, rest = c->prefix % 8;

		if (c->family != family || memcmp(c->addr, a, full) != 0)
			continue;
		if (rest == 0 || ((c->addr[full] ^ a[full]) & (0xffu << (8 - rest)) & 0xffu) == 0)
			return 1;
	}
	return 0;
}

/* server_check - one resolver address: IPv4[:port], [IPv6][:port], IPv6 */
static const char *
server_check(const char *w, size_t len)
{
	char one[80];
	const char *colon = memchr(w, ':', len), *why;
	struct endpoint ep;
	int n;

	if (len > 60)
		n = -1;
	else if (w[0] == '[')          /* [v6] or [v6]:port */
		n = snprintf(one, sizeof(one), "inet:%.*s%s", (int)len, w, w[len - 1] == ']' ? ":53" : "");
	else if (colon && memchr(colon + 1, ':', len - (size_t)(colon - w) - 1))
		n = snprintf(one, sizeof(one), "inet:[%.*s]:53", (int)len, w);   /* bare v6 */
	else
		n = snprintf(one, sizeof(one), "inet:%.*s%s", (int)len, w, colon ? "" : ":53");
	if (n < 0 || (size_t)n >= sizeof(one) || strstr(one, "localhost") != NULL
	    || endpoint_parse(one, &ep, &why) < 0)
		return "expected IP, IP:PORT or [IPv6]:PORT";
	return NULL;
}

static const char *
word_domain(const struct settings_row *row, const char *w, size_t len,
    union settings_value *out)
{
	char name[DOMAIN_MAX + 1];

	if (len > DOMAIN_MAX + 1 || domain_normalize(w, len, name, NULL) != DOMAIN_OK)
		return "not a domain name";
	if (row->type == T_DOMAINS)
		strmap_put(out->map, name, present);
	else {
		free(out->str);
		out->str = xstrdup(name);
	}
	return NULL;
}

static const char *
path_word_check(const char *w, size_t len)
{
	return w[0] != '/' || len > 1024 ? "expected absolute paths" : NULL;
}

/* name_check - a syslog name, "NAME*" for a prefix */
static const char *
name_check(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = w[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		    || c == '-' || c == '_' || c == '.' || c == '/' || (c == '*' && i == len - 1))
		    || len > 63)
			return "expected syslog names (letters, digits, '-', '_', '.', '/', a final '*')";
	}
	return NULL;
}

static const char *
word_hostip(const struct settings_row *row, const char *w, size_t len,
    union settings_value *out)
{
	const char *eq = memchr(w, '=', len);
	char host[256], ip[64], text[INET6_ADDRSTRLEN];
	unsigned char addr[16];
	int af = AF_INET;
	size_t hlen;

	(void)row;
	if (eq == NULL || eq == w || (hlen = (size_t)(eq - w)) >= sizeof(host)
	    || len - hlen - 1 >= sizeof(ip))
		return "expected HOST=IP";
	memcpy(host, w, hlen);
	host[hlen] = '\0';
	memcpy(ip, eq + 1, len - hlen - 1);
	ip[len - hlen - 1] = '\0';
	if (inet_pton(af, ip, addr) != 1 && inet_pton(af = AF_INET6, ip, addr) != 1)
		return "not an IP address";
	if (strmap_get(out->map, host) != NULL)
		return "host named twice";
	inet_ntop(af, addr, text, sizeof(text));
	strmap_put(out->map, host, xstrdup(text));
	return NULL;
}

/* path_check - an absolute path, or empty when the row allows it */
static const char *
path_check(const struct settings_row *row, const char *value)
{
	if (value[0] != '/' && !(value[0] == '\0' && row->min == 1))
		return "must be an absolute path";
	return NULL;
}

/* address_check - local@domain in printable ASCII, or empty */
static const char *
address_check(const struct settings_row *row, const char *value)
{
	const char *at = strrchr(value, '@'), *c;
	char name[DOMAIN_MAX + 1];

	(void)row;
	for (c = value; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			break;
	if (value[0] != '\0' && (at == NULL || at == value || strlen(value) > 254 || *c != '\0'
	    || strpbrk(value, "<>()[],;:\\\"") != NULL
	    || domain_normalize(at + 1, strlen(at + 1), name, NULL) != DOMAIN_OK))
		return "expected an address local@domain";
	return NULL;
}

/* set_string - the value as it is, after the type's check if any */
static int
set_string(const struct settings_row *row, const char *value, union settings_value *out,
    char *err, size_t errlen)
{
	const struct settings_kind *k = kind_of(row->type);
	const char *why;

	if (k->check && (why = k->check(row, value)) != NULL) {
		snprintf(err, errlen, "%s: %s: \"%.60s\"", row->name, why, value);
		return -1;
	}
	out->str = xstrdup(value);
	return 0;
}

/* set_domain - one domain name (normalized), or empty */
static int
set_domain(const struct settings_row *row, const char *value, union settings_value *out,
    char *err, size_t errlen)
{
	if (set_list(row, value, out, err, errlen) < 0)
		return -1;
	if (out->str == NULL)
		out->str = xstrdup("");
	return 0;
}

/* set_number - T_UINT, T_DURATION and T_MODE within the row's bounds */
static int
set_number(const struct settings_row *row, const char *value, union settings_value *out,
    char *err, size_t errlen)
{
	size_t len = strlen(value);
	uint64_t n;

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
	out->u = (unsigned)n;
	return 0;
}

/* set_choice - one of the type's names (T_LOGLEVEL, T_FACILITY, T_BOOL) */
static int
set_choice(const struct settings_row *row, const char *value, union settings_value *out,
    char *err, size_t errlen)
{
	const struct settings_kind *k = kind_of(row->type);

	for (int i = 0; k->names[i] != NULL; i++)
		if (strcmp(value, k->names[i]) == 0) {
			out->i = k->value_of ? k->value_of(value) : i;
			return 0;
		}
	snprintf(err, errlen, "%s: expected %s: \"%.40s\"", row->name, k->item, value);
	return -1;
}

static void
fini_str(union settings_value *v)
{
	free(v->str);
}

static void
fini_endpoints(union settings_value *v)
{
	free(v->eps.v);
}

static void
fini_words(union settings_value *v)
{
	for (size_t i = 0; i < v->words.n; i++)
		free(v->words.v[i]);
	free(v->words.v);
}

static void
fini_cidrs(union settings_value *v)
{
	free(v->cidrs.v);
}

static void
fini_set(union settings_value *v)
{
	strmap_free(v->map, NULL);
}

static void
fini_map(union settings_value *v)
{
	strmap_free(v->map, free);
}

static void
print_str(const struct settings_row *row, const union settings_value *v, FILE *fp)
{
	(void)row;
	fputs(v->str, fp);
}

static void
print_number(const struct settings_row *row, const union settings_value *v, FILE *fp)
{
	fprintf(fp, row->type == T_MODE ? "%04o" : row->type == T_DURATION ? "%us" : "%u", v->u);
}

static void
print_choice(const struct settings_row *row, const union settings_value *v, FILE *fp)
{
	const struct settings_kind *k = kind_of(row->type);

	for (int i = 0; k->names[i] != NULL; i++)
		if ((k->value_of ? k->value_of(k->names[i]) : i) == v->i) {
			fputs(k->names[i], fp);
			return;
		}
	fputs("?", fp);
}

static void
print_endpoints(const struct settings_row *row, const union settings_value *v, FILE *fp)
{
	(void)row;
	for (size_t i = 0; i < v->eps.n; i++)
		fprintf(fp, "%s%s", i ? " " : "", v->eps.v[i].text);
}

static void
print_cidrs(const struct settings_row *row, const union settings_value *v, FILE *fp)
{
	char text[INET6_ADDRSTRLEN];

	(void)row;
	for (size_t i = 0; i < v->cidrs.n; i++) {
		const struct settings_cidr *c = &v->cidrs.v[i];

		inet_ntop(c->family, c->addr, text, sizeof(text));
		fprintf(fp, "%s%s/%u", i ? " " : "", text, c->prefix);
	}
}

static void
print_words(const struct settings_row *row, const union settings_value *v, FILE *fp)
{
	(void)row;
	for (size_t i = 0; i < v->words.n; i++)
		fprintf(fp, "%s%s", i ? " " : "", v->words.v[i]);
}

/* a map's entries as "key" or "key=value" words, to be sorted */
static void
collect_entry(const char *key, void *value, void *arg)
{
	struct settings_words *l = arg;
	char word[512];
	int n;

	if (value == present)
		n = snprintf(word, sizeof(word), "%s", key);
	else
		n = snprintf(word, sizeof(word), "%s=%s", key, (const char *)value);
	words_add(l, word, n > 0 && (size_t)n < sizeof(word) ? (size_t)n : 0);
}

static int
word_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* print_map - a set or a HOST=IP map, sorted */
static void
print_map(const struct settings_row *row, const union settings_value *v, FILE *fp)
{
	union settings_value l;

	memset(&l, 0, sizeof(l));
	strmap_foreach(v->map, collect_entry, &l.words);
	if (l.words.n > 1)
		qsort(l.words.v, l.words.n, sizeof(*l.words.v), word_cmp);
	print_words(row, &l, fp);
	fini_words(&l);
}

static const char *const levels[] = { "error", "warning", "info", "debug", NULL };
static const char *const facilities[] = { "mail", "daemon", "user", "local0", "local1",
	"local2", "local3", "local4", "local5", "local6", "local7", NULL };
static const char *const booleans[] = { "no", "yes", NULL };

#define STRING .size = sizeof(char *), .fini = fini_str, .print = print_str
#define NUMBER .set = set_number, .size = sizeof(unsigned), .print = print_number
#define CHOICE .set = set_choice, .size = sizeof(int), .print = print_choice
#define LIST(w, what) .set = set_list, .word = (w), .item = (what)
#define WORDS(c, what) .set = set_list, .check_word = (c), .item = (what), \
	.size = sizeof(struct settings_words), .fini = fini_words, .print = print_words
#define MAP .size = sizeof(struct strmap *), .print = print_map

static const struct settings_kind kinds[] = {
	[T_STR] = { .set = set_string, STRING },
	[T_PATH] = { .set = set_string, .check = path_check, STRING },
	[T_ADDRESS] = { .set = set_string, .check = address_check, STRING },
	[T_DOMAIN] = { .set = set_domain, .word = word_domain, .item = "domain name", STRING },
	[T_UINT] = { NUMBER },
	[T_DURATION] = { NUMBER },
	[T_MODE] = { NUMBER },
	[T_LOGLEVEL] = { CHOICE, .names = levels, .value_of = log_level_parse,
	    .item = "error, warning, info or debug" },
	[T_FACILITY] = { CHOICE, .names = facilities, .value_of = log_facility_parse,
	    .item = "mail, daemon, user or local0..local7" },
	[T_BOOL] = { CHOICE, .names = booleans, .item = "yes or no" },
	[T_ENDPOINTS] = { LIST(word_endpoint, "address"), .size = sizeof(struct settings_endpoints),
	    .fini = fini_endpoints, .print = print_endpoints },
	[T_HTTPADDRS] = { LIST(word_httpaddr, "address"),
	    .size = sizeof(struct settings_endpoints), .fini = fini_endpoints,
	    .print = print_endpoints },
	[T_CIDRS] = { LIST(word_cidr, "network"), .size = sizeof(struct settings_cidrs),
	    .fini = fini_cidrs, .print = print_cidrs },
	[T_SERVERS] = { WORDS(server_check, "server") },
	[T_PATHS] = { WORDS(path_word_check, "path") },
	[T_NAMES] = { WORDS(name_check, "name") },
	[T_DOMAINS] = { LIST(word_domain, "domain name"), MAP, .fini = fini_set },
	[T_HOSTIPS] = { LIST(word_hostip, "HOST=IP"), MAP, .fini = fini_map },
};

#undef STRING
#undef NUMBER
#undef CHOICE
#undef LIST
#undef WORDS
#undef MAP

static const struct settings_kind *
kind_of(enum settings_type type)
{
	return &kinds[type];
}

/* field_put - free what row's field in s owns, then set it to *v (NULL:
 * zero) */
static void
field_put(struct settings *s, const struct settings_row *row, const union settings_value *v)
{
	const struct settings_kind *k = kind_of(row->type);
	char *field = (char *)s + row->off;
	union settings_value old;

	memset(&old, 0, sizeof(old));
	memcpy(&old, field, k->size);
	if (k->fini)
		k->fini(&old);
	if (v)
		memcpy(field, v, k->size);
	else
		memset(field, 0, k->size);
}

struct settings_ctx {
	struct settings *s;
	unsigned char seen[NROWS];
};

/* settings_set - parse value for row; on success it replaces the field */
static int
settings_set(struct settings *s, const struct settings_row *row, const char *value,
    char *err, size_t errlen)
{
	const struct settings_kind *k = kind_of(row->type);
	union settings_value v;

	memset(&v, 0, sizeof(v));
	if (k->set(row, value, &v, err, errlen) < 0) {
		if (k->fini)
			k->fini(&v);
		return -1;
	}
	field_put(s, row, &v);
	return 0;
}

void
settings_init(struct settings *s)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < NROWS; i++) {
		if (rows[i].size != kind_of(rows[i].type)->size)
			log_fatalx("built-in table: %s: field and type differ", rows[i].name);
		if (settings_set(s, &rows[i], rows[i].def, err, sizeof(err)) < 0)
			log_fatalx("built-in default: %s", err);
	}
	s->source = xstrdup("(defaults)");
}

void
settings_fini(struct settings *s)
{
	for (size_t i = 0; i < NROWS; i++)
		field_put(s, &rows[i], NULL);
	free(s->source);
	free(s->report_domains_from);
	free(s->report_domains_notes);
	memset(s, 0, sizeof(*s));
}

/* distance - edits (insert, delete, change, swap of neighbours) from a to
 * b, for names up to 63 bytes; larger when longer */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[64][64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
			    && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

/* unknown_setting - why key is not a setting: upper case, or unknown,
 * with the nearest name when one is close */
static void
unknown_setting(const char *key, char *err, size_t errlen)
{
	char lower[64];
	size_t n = strlen(key), best = 64, bi = 0;
	int upper = 0;

	for (size_t i = 0; i < n && i < sizeof(lower) - 1; i++) {
		upper |= key[i] >= 'A' && key[i] <= 'Z';
		lower[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] - 'A' + 'a' : key[i]);
	}
	lower[n < sizeof(lower) ? n : sizeof(lower) - 1] = '\0';
	for (size_t i = 0; i < NROWS; i++) {
		size_t d = distance(lower, rows[i].name);

		if (d < best) {
			best = d;
			bi = i;
		}
	}
	if (upper && best == 0)
		snprintf(err, errlen, "setting names are lower case: \"%.64s\" is \"%s\"", key,
		    rows[bi].name);
	else if (best <= 2 || (best <= 4 && best * 4 <= n))
		snprintf(err, errlen, "unknown setting \"%.64s\" (did you mean \"%s\"?)", key,
		    rows[bi].name);
	else
		snprintf(err, errlen, "unknown setting \"%.64s\"", key);
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
	unknown_setting(key, err, errlen);
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
		if (access(SETTINGS_DEFAULT_FILE, F_OK) < 0 && errno == ENOENT) {
			free(s->source);
			s->source = xstrdup("(defaults: " SETTINGS_DEFAULT_FILE " not found)");
			return 0;
		}
		path = SETTINGS_DEFAULT_FILE;
	}
	if ((data = file_read(path, CONF_FILE_MAX, &len, err, errlen)) == NULL)
		return -1;
	rc = settings_parse(s, data, len, path, err, errlen);
	free(data);
	return rc;
}

void
settings_print(const struct settings *s, FILE *fp)
{
	for (size_t i = 0; i < NROWS; i++) {
		const struct settings_row *row = &rows[i];
		const struct settings_kind *k = kind_of(row->type);
		union settings_value v;

		memset(&v, 0, sizeof(v));
		memcpy(&v, (const char *)s + row->off, k->size);
		fprintf(fp, "%s = ", row->name);
		k->print(row, &v, fp);
		fputc('\n', fp);
	}
}

/* row_text - one row's value in canonical form (free it) */
static char *
row_text(const struct settings *s, const struct settings_row *row)
{
	const struct settings_kind *k = kind_of(row->type);
	union settings_value v;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	if ((fp = open_memstream(&text, &len)) == NULL)
		return NULL;
	memset(&v, 0, sizeof(v));
	memcpy(&v, (const char *)s + row->off, k->size);
	k->print(row, &v, fp);
	fclose(fp);
	return text;
}

void
settings_diff(const struct settings *a, const struct settings *b,
    void (*fn)(const char *name, void *arg), void *arg)
{
	for (size_t i = 0; i < NROWS; i++) {
		char *ta = row_text(a, &rows[i]), *tb = row_text(b, &rows[i]);

		if (ta == NULL || tb == NULL || strcmp(ta, tb) != 0)
			fn(rows[i].name, arg);
		free(ta);
		free(tb);
	}
}

/* host_name - this host's name as its MTA knows it, for defaults */
static void
host_name(const struct settings *s, char *out, size_t outlen)
{
	mtahost_name(s->exim_path, out, outlen);
}

int
settings_report_check(const struct settings *s, char *why, size_t whylen)
{
	char submitter[DOMAIN_MAX + 1], host[DOMAIN_MAX + 1];
	int derived = !s->report_submitter[0] && !s->report_contact[0] && !s->report_from[0];
	const char *how = derived ? mtahost_name(s->exim_path, host, sizeof(host)) : NULL;

	settings_report_submitter(s, submitter, sizeof(submitter));
	if (mtahost_qualified(submitter, derived))
		return 0;
	if (derived)
		snprintf(why, whylen, "report submitter \"%s\" (the host name, from %s) is not a "
		    "fully qualified domain name: set report_contact (or myhostname in Postfix's "
		    "main.cf)", submitter, how);
	else
		snprintf(why, whylen, "report submitter \"%s\" is not a fully qualified domain "
		    "name: set report_submitter or report_contact", submitter);
	return -1;
}

const struct endpoint *
settings_control(const struct settings *s)
{
	return s->control_socket.n > 0 ? &s->control_socket.v[0] : NULL;
}

void
settings_report_from(const struct settings *s, char *out, size_t outlen)
{
	char host[256];

	if (s->report_from[0]) {
		snprintf(out, outlen, "%s", s->report_from);
		return;
	}
	host_name(s, host, sizeof(host));
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

size_t
settings_report_domains(struct settings *s)
{
	struct mtahost_domains md;
	size_t n = strmap_count(s->report_domains);

	if (s->report_domains_from != NULL)
		return n;
	if (n > 0) {
		s->report_domains_from = xstrdup(s->source);
		s->report_domains_notes = xstrdup("");
		return n;
	}
	mtahost_domains(s->exim_path, &md);
	for (size_t i = 0; i < md.n; i++)
		strmap_put(s->report_domains, md.v[i], present);
	s->report_domains_from = xstrdup(md.from);
	s->report_domains_notes = xstrdup(md.notes);
	mtahost_domains_fini(&md);
	return strmap_count(s->report_domains);
}

void
settings_report_domains_text(const struct settings *s, char *out, size_t outlen)
{
	const struct settings_row *row = NULL;
	const char *notes = s->report_domains_notes ? s->report_domains_notes : "";
	char *list;

	for (size_t i = 0; i < NROWS; i++)
		if (strcmp(rows[i].name, "report_domains") == 0)
			row = &rows[i];
	if (strmap_count(s->report_domains) == 0) {
		snprintf(out, outlen, "report_domains is empty in %s and the MTA's configuration "
		    "names no domain%s%s", s->source, notes[0] ? ": " : "", notes);
		return;
	}
	list = row_text(s, row);
	snprintf(out, outlen, "report_domains = %s (from %s)%s%s", list ? list : "?",
	    s->report_domains_from ? s->report_domains_from : s->source,
	    notes[0] ? "; not taken: " : "", notes);
	free(list);
}
