/* Unit tests for tlspolicy/base/conf and tlspolicy/base/settings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <sys/socket.h>

#include "conf.h"
#include "endpoint.h"
#include "settings.h"
#include "strmap.h"
#include "tap.h"

static const struct {
	const char *text;
	const char *err; /* NULL: accepted; else a substring of the error */
	size_t len;      /* 0: strlen(text) */
} cases[] = {
	{ "", NULL },
	{ "# comment only\n\n   \n", NULL },
	{ "log_level = debug\n", NULL },
	{ "log_level=debug", NULL },
	{ "socketmap_listen = unix:/run/x.sock\n  inet:127.0.0.1:8461\n", NULL },
	{ "socketmap_listen = unix:/run/x.sock, inet:[::1]:8461", NULL },
	{ "socketmap_socket_mode = 0666", NULL },
	{ "socketmap_idle_timeout = 5m", NULL },
	{ "socketmap_max_connections = 100000", NULL },
	{ "socketmap_max_connections = 100001", "line 1: socketmap_max_connections" },
	{ "socketmap_max_connections = 0", "from 1 to 100000" },
	{ "socketmap_idle_timeout = 3601", "socketmap_idle_timeout" },
	{ "socketmap_socket_mode = 0999", "octal" },
	{ "socketmap_socket_mode = 1777", "octal" },
	{ "log_level = loud", "line 1: log_level" },
	{ "syslog_facility = kern", "syslog_facility" },
	{ "\n\nnosuch = 1\n", "line 3: unknown setting \"nosuch\"" },
	{ "log_level = info\nlog_level = debug\n", "line 2: log_level is set more than once" },
	{ "  log_level = info\n", "line 1: continuation line without a setting" },
	{ "log_level info\n", "line 1: expected \"name = value\"" },
	{ "report_submitter = sender.example", NULL },
	{ "report_submitter = a.example b.example", "report_submitter: only one domain name" },
	{ "report_submitter = -x-.example", "report_submitter: not a domain name" },
	{ "report_from = tlsrpt@sender.example", NULL },
	{ "report_from = tlsrpt@sender.example Bcc:x@y.example", "report_from: expected an address" },
	{ "report_contact = <x@y.example>", "report_contact: expected an address" },
	{ "sending_mta_ip = mta1=192.0.2.1 mta2.example=2001:db8::1", NULL },
	{ "sending_mta_ip = mta1=999.1.1.1", "sending_mta_ip: not an IP address" },
	{ "sending_mta_ip = mta1", "sending_mta_ip: expected HOST=IP" },
	{ "sending_mta_ip = =192.0.2.1", "sending_mta_ip: expected HOST=IP" },
	{ "sending_mta_ip = mta1=192.0.2.1 mta1=192.0.2.2",
	  "line 1: sending_mta_ip: host named twice: \"mta1=192.0.2.2\"" },
	{ "\ndane_required_domains = a.example, -bad-.example",
	  "test.conf, line 2: dane_required_domains: not a domain name: \"-bad-.example\"" },
	{ "\n\nreport_exclude_domains = a..example",
	  "test.conf, line 3: report_exclude_domains: not a domain name: \"a..example\"" },
	{ "dns_resolver = 127.0.0.1:5353 [::1]:53 ::1 192.0.2.1", NULL },
	{ "dns_resolver = 127.0.0.1 localhost", "line 1: dns_resolver: expected IP, IP:PORT" },
	{ "dns_resolver = 127.0.0.1:99999", "dns_resolver: expected IP, IP:PORT" },
	{ "http_listen = 127.0.0.1:9468 [::1]:9468 inet:127.0.0.2:80", NULL },
	{ "http_listen = unix:/run/x.sock", "http_listen: expected IP:PORT or [IPv6]:PORT" },
	{ "http_listen = 127.0.0.1", "http_listen: expected inet:host:port" },
	{ "http_allow = 192.0.2.0/24 2001:db8::/32 198.51.100.7 ::1", NULL },
	{ "http_allow = 192.0.2.0/33", "http_allow: expected IP or IP/PREFIX" },
	{ "http_allow = example.com/8", "http_allow: expected IP or IP/PREFIX" },
	{ "http_allow = /8", "http_allow: expected IP or IP/PREFIX" },
	{ "log_source = /var/log/mail.log\n  var/log/x.log",
	  "test.conf, line 1: log_source: expected absolute paths: \"var/log/x.log\"" },
	{ "postfix_syslog_names = postfix, postfix-* mta/relay", NULL },
	{ "postfix_syslog_names = evil*x", "postfix_syslog_names: expected syslog names" },
	{ "postfix_syslog_names = post\xff-fix", "postfix_syslog_names: expected syslog names" },
	{ "postfix_syslog_names = ,", "postfix_syslog_names: at least one name" },
	{ "log_source = /var/log/mail.log, /var/log/postfix.log", NULL },
	{ "log_source = mail.log", "log_source: expected absolute paths" },
	{ "result_retention = 12h", "result_retention" },
	{ "= info\n", "expected \"name = value\"" },
	{ "Log_Level = info", "line 1: setting names are lower case: \"Log_Level\" is \"log_level\"" },
	{ "socketmap_listn = unix:/x", "unknown setting \"socketmap_listn\" (did you mean \"socketmap_listen\"?)" },
	{ "sts_ca_fle = /x", "(did you mean \"sts_ca_file\"?)" },
	{ "stateDirectory = /x", "(did you mean \"state_directory\"?)" },
	/* every error of a file at once, each with its line */
	{ "log_level = loud\nlog_level info\nnosuch = 1\n  \ndane = maybe\n",
	  "test.conf, line 1: log_level: expected error, warning, info or debug: \"loud\"\n"
	  "test.conf, line 2: expected \"name = value\": \"log_level info\"\n"
	  "test.conf, line 3: unknown setting \"nosuch\"\n"
	  "test.conf, line 5: dane: expected yes or no: \"maybe\"" },
	{ "socketmap_listen = tcp:1.2.3.4:5", "unix: or inet:" },
	{ "socketmap_listen = unix:relative.sock", "absolute" },
	{ "socketmap_listen = inet:127.0.0.1:0", "port" },
	{ "socketmap_listen = inet:127.0.0.1:65536", "port" },
	{ "socketmap_listen = inet:example.com:8461", "numeric" },
	{ "socketmap_listen =", "at least one address" },
	{ "control_socket = unix:/a unix:/b", "only one" },
	{ "control_socket =", NULL },
	{ "state_directory = var/lib", "absolute path" },
	{ "local_policy_file =", NULL },
	{ "local_policy_file = /etc/tlspolicyd/local", NULL },
	{ "log_level = info\0x\n", "NUL byte", 19 },
};

/* typed - every list type lands parsed in its field */
static void
typed(void)
{
	static const char t[] =
	    "socketmap_listen = unix:/run/x.sock,\n  inet:127.0.0.1:8461 inet:[::1]:8462\n"
	    "control_socket =\n"
	    "dns_resolver = 127.0.0.1:5353, [::1]:53\n"
	    "dane_required_domains = Required.EXAMPLE. b.example, required.example\n"
	    "log_source = /var/log/mail.log /var/log/other.log\n"
	    "sending_mta_ip = mta1=192.0.2.1 mta2.example=2001:DB8:0::1\n"
	    "postfix_syslog_names = postfix/relay, mta-*\n"
	    "report_exclude_domains = x.example\n"
	    "report_submitter = Sender.Example.\n";
	struct settings s;
	char err[512];

	settings_init(&s);
	is_int(settings_parse(&s, t, sizeof(t) - 1, "typed.conf", err, sizeof(err)), 0,
	    "typed values parse (%s)", err);
	is_int((int)s.socketmap_listen.n, 3, "three listeners");
	is_str(s.socketmap_listen.v[0].text, "unix:/run/x.sock", "listener 1 text");
	is_str(endpoint_path(&s.socketmap_listen.v[0]), "/run/x.sock", "listener 1 is a unix path");
	is_int(s.socketmap_listen.v[1].family, AF_INET, "listener 2 is IPv4");
	is_int(s.socketmap_listen.v[2].family, AF_INET6, "listener 3 is IPv6");
	is_int((int)s.control_socket.n, 0, "empty control_socket: none");
	ok(s.dns_resolver.n == 2 && strcmp(s.dns_resolver.v[0], "127.0.0.1:5353") == 0
	    && strcmp(s.dns_resolver.v[1], "[::1]:53") == 0, "two resolvers, in order");
	is_int((int)strmap_count(s.dane_required_domains), 2, "a set: the duplicate is one");
	ok(strmap_get(s.dane_required_domains, "required.example") != NULL,
	    "domains are normalized");
	ok(strmap_get(s.dane_required_domains, "b.example") != NULL, "second domain");
	ok(strmap_get(s.dane_required_domains, "c.example") == NULL, "not a member");
	ok(s.log_source.n == 2 && strcmp(s.log_source.v[1], "/var/log/other.log") == 0,
	    "two log sources");
	is_int((int)strmap_count(s.sending_mta_ip), 2, "two sending MTAs");
	is_str(strmap_get(s.sending_mta_ip, "mta1"), "192.0.2.1", "mta1's address");
	is_str(strmap_get(s.sending_mta_ip, "mta2.example"), "2001:db8::1",
	    "mta2's address, in canonical form");
	ok(s.postfix_syslog_names.n == 2 && strcmp(s.postfix_syslog_names.v[0], "postfix/relay") == 0
	    && strcmp(s.postfix_syslog_names.v[1], "mta-*") == 0, "syslog names, in order");
	ok(strmap_get(s.report_exclude_domains, "x.example") != NULL, "excluded domain");
	is_str(s.report_submitter, "sender.example", "report_submitter is normalized");
	settings_fini(&s);
}

/* failed_line_keeps - a refused value leaves the field as it was */
static void
failed_line_keeps(void)
{
	static const char good[] = "dane_required_domains = a.example\n";
	static const char bad[] =
	    "socketmap_listen = unix:/run/a.sock tcp:1.2.3.4:5\n";
	static const char bad2[] = "report_exclude_domains = ok.example, bad_.-x\n";
	struct settings s;
	char err[512];

	settings_init(&s);
	is_int(settings_parse(&s, good, sizeof(good) - 1, "x", err, sizeof(err)), 0, "good line");
	is_int(settings_parse(&s, bad, sizeof(bad) - 1, "x", err, sizeof(err)), -1, "bad line");
	ok(s.socketmap_listen.n == 1 && strstr(s.socketmap_listen.v[0].text, "postfix.sock"),
	    "refused listen list: the default stays whole");
	is_int(settings_parse(&s, bad2, sizeof(bad2) - 1, "x", err, sizeof(err)), -1,
	    "bad domain refused");
	is_int((int)strmap_count(s.report_exclude_domains), 0, "refused set: still empty");
	ok(strmap_get(s.dane_required_domains, "a.example") != NULL, "earlier line kept");
	settings_fini(&s);
}

/* print_settings - settings_print into a string (free it) */
static char *
print_settings(const struct settings *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (fp == NULL)
		return NULL;
	settings_print(s, fp);
	fclose(fp);
	return text;
}

/* round_trip - the printed settings read back as the same settings */
static void
round_trip(void)
{
	static const char t[] =
	    "socketmap_listen = unix:/run/x.sock, inet:127.0.0.1:8461\n"
	    "dns_resolver = 127.0.0.1:5353,::1\n"
	    "dane_required_domains = Z.example, a.EXAMPLE\n"
	    "log_source = /var/log/mail.log\n"
	    "sending_mta_ip = mta2=2001:db8::1, mta1=192.0.2.1\n"
	    "postfix_syslog_names = postfix,mta-*\n"
	    "report_exclude_domains = x.example\n"
	    "socketmap_idle_timeout = 2m\n"
	    "report_organization = Example Org\n";
	struct settings s1, s2;
	char err[512], *out1, *out2;

	settings_init(&s1);
	is_int(settings_parse(&s1, t, sizeof(t) - 1, "rt.conf", err, sizeof(err)), 0,
	    "round trip input (%s)", err);
	out1 = print_settings(&s1);
	ok(out1 != NULL, "printed");
	if (out1 == NULL)
		return;
	ok(strstr(out1, "\nsocketmap_listen = unix:/run/x.sock inet:127.0.0.1:8461\n") != NULL
	    || strncmp(out1, "socketmap_listen = unix:/run/x.sock inet:127.0.0.1:8461\n", 55) == 0,
	    "endpoints printed in order");
	ok(strstr(out1, "\ndns_resolver = 127.0.0.1:5353 ::1\n") != NULL, "resolvers printed");
	ok(strstr(out1, "\ndane_required_domains = a.example z.example\n") != NULL,
	    "a domain set printed sorted and normalized");
	ok(strstr(out1, "\nsending_mta_ip = mta1=192.0.2.1 mta2=2001:db8::1\n") != NULL,
	    "HOST=IP printed sorted");
	ok(strstr(out1, "\npostfix_syslog_names = postfix mta-*\n") != NULL, "names printed");
	ok(strstr(out1, "\nlog_source = /var/log/mail.log\n") != NULL, "paths printed");
	ok(strstr(out1, "\nsocketmap_idle_timeout = 120s\n") != NULL, "duration in seconds");
	ok(strstr(out1, "\ncontrol_socket = unix:") != NULL, "default control socket printed");
	settings_init(&s2);
	is_int(settings_parse(&s2, out1, strlen(out1), "printed", err, sizeof(err)), 0,
	    "the printed settings parse (%s)", err);
	out2 = print_settings(&s2);
	ok(out2 != NULL && strcmp(out1, out2) == 0, "and print the same again");
	free(out1);
	free(out2);
	settings_fini(&s1);
	settings_fini(&s2);
}

int
main(void)
{
	char err[512];
	struct settings s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		int rc;

		settings_init(&s);
		err[0] = '\0';
		rc = settings_parse(&s, cases[i].text, len, "test.conf", err, sizeof(err));
		if (cases[i].err == NULL)
			is_int(rc, 0, "accepts case %zu (%s)", i, err);
		else
			ok(rc == -1 && strstr(err, cases[i].err) != NULL,
			    "refuses case %zu: \"%s\" contains \"%s\"", i, err, cases[i].err);
		settings_fini(&s);
	}

	/* no guess when nothing is close */
	{
		static const char *const far[] = { "frobnicate = 1\n", "xyzzy_plugh = /x\n" };

		for (size_t i = 0; i < 2; i++) {
			settings_init(&s);
			ok(settings_parse(&s, far[i], strlen(far[i]), "t", err, sizeof(err)) == -1
			    && strstr(err, "unknown setting") != NULL && strstr(err, "did you mean") == NULL,
			    "no guess for %s (%s)", far[i], err);
			settings_fini(&s);
		}
	}

	/* values land where they should */
	settings_init(&s);
	is_int(s.log_level, 2, "default log_level is info");
	is_int(s.syslog_facility, LOG_MAIL, "default facility is mail");
	is_int(s.socketmap_max_connections, 1000, "default max connections");
	is_int(s.socketmap_idle_timeout, 60, "default idle timeout");
	ok(s.socketmap_listen.n == 1 && strstr(s.socketmap_listen.v[0].text, "postfix.sock") != NULL
	    && endpoint_path(&s.socketmap_listen.v[0]) != NULL, "default listen is a unix socket");
	is_int((int)s.control_socket.n, 1, "default control socket");
	is_int((int)s.dns_resolver.n, 0, "no resolvers: /etc/resolv.conf");
	is_int((int)s.log_source.n, 0, "no log sources");
	is_int((int)strmap_count(s.dane_required_domains), 0, "no DANE-required domains");
	is_int((int)strmap_count(s.report_exclude_domains), 0, "no excluded domains");
	is_int((int)strmap_count(s.sending_mta_ip), 0, "no sending MTA addresses");
	ok(s.postfix_syslog_names.n == 2 && strcmp(s.postfix_syslog_names.v[0], "postfix") == 0
	    && strcmp(s.postfix_syslog_names.v[1], "postfix-*") == 0, "default syslog names");
	{
		const char *t = "socketmap_idle_timeout = 2m\nsocketmap_socket_mode = 0600\n"
		    "user =\nlog_level = warning\n";
		is_int(settings_parse(&s, t, strlen(t), "x", err, sizeof(err)), 0, "parse values");
	}
	is_int(s.socketmap_idle_timeout, 120, "2m is 120 seconds");
	is_int(s.socketmap_socket_mode, 0600, "mode 0600");
	is_str(s.user, "", "empty user");
	is_int(s.log_level, 1, "warning level");
	is_str(s.source, "x", "source names the file");
	settings_fini(&s);

	typed();
	failed_line_keeps();
	round_trip();

	/* logical line limit +-1 */
	{
		size_t n = CONF_LINE_MAX;
		char *t = malloc(n + 2);
		int rc;

		memcpy(t, "user = ", 7);
		memset(t + 7, 'u', n - 7);
		t[n] = '\0';
		settings_init(&s);
		rc = settings_parse(&s, t, n, "x", err, sizeof(err));
		is_int(rc, 0, "logical line of CONF_LINE_MAX bytes");
		settings_fini(&s);
		t[n] = 'u';
		t[n + 1] = '\0';
		settings_init(&s);
		rc = settings_parse(&s, t, n + 1, "x", err, sizeof(err));
		ok(rc == -1 && strstr(err, "longer than") != NULL, "CONF_LINE_MAX+1 refused: %s", err);
		settings_fini(&s);
		free(t);
	}
	/* http_allow: matching addresses against the networks */
	{
		static const unsigned char in[4] = { 192, 0, 2, 200 }, out4[4] = { 192, 0, 3, 1 };
		static const unsigned char host[4] = { 198, 51, 100, 7 }, near[4] = { 198, 51, 100, 6 };
		static const unsigned char in6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 1 };
		static const unsigned char out6[16] = { 0x20, 0x01, 0x0d, 0xb9 };
		static const unsigned char v4bytes6[16] = { 192, 0, 2, 200 };
		static const unsigned char odd[4] = { 10, 1, 130, 0 }, even[4] = { 10, 1, 127, 255 };
		const char *t = "http_allow = 192.0.2.0/24 2001:db8::/32 198.51.100.7 10.1.128.0/17\n";

		settings_init(&s);
		is_int(settings_parse(&s, t, strlen(t), "x", err, sizeof(err)), 0, "http_allow parses");
		ok(settings_cidr_match(&s.http_allow, AF_INET, in), "address inside a /24");
		ok(!settings_cidr_match(&s.http_allow, AF_INET, out4), "address outside it");
		ok(settings_cidr_match(&s.http_allow, AF_INET, host), "a single address (/32)");
		ok(!settings_cidr_match(&s.http_allow, AF_INET, near), "its neighbour");
		ok(settings_cidr_match(&s.http_allow, AF_INET6, in6), "IPv6 inside a /32");
		ok(!settings_cidr_match(&s.http_allow, AF_INET6, out6), "IPv6 outside");
		ok(!settings_cidr_match(&s.http_allow, AF_INET6, v4bytes6), "no IPv4 network matches IPv6");
		ok(settings_cidr_match(&s.http_allow, AF_INET, odd), "a /17: the prefix ends inside a byte");
		ok(!settings_cidr_match(&s.http_allow, AF_INET, even), "... and the bit before it counts");
		settings_fini(&s);
	}
	/* loading a missing file is an error naming it */
	ok(settings_load(&s, "/nonexistent/tlspolicyd.conf", err, sizeof(err)) == -1
	    && strstr(err, "/nonexistent/tlspolicyd.conf") != NULL, "missing file: %s", err);
	settings_fini(&s);
	return tap_done();
}
