/* Unit tests for tlspolicy/base/conf and tlspolicy/base/settings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "conf.h"
#include "settings.h"
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
	{ "report_submitter = a.example b.example", "report_submitter: one domain name only" },
	{ "report_from = tlsrpt@sender.example", NULL },
	{ "report_from = tlsrpt@sender.example Bcc:x@y.example", "report_from: expected an address" },
	{ "report_contact = <x@y.example>", "report_contact: expected an address" },
	{ "sending_mta_ip = mta1=192.0.2.1 mta2.example=2001:db8::1", NULL },
	{ "sending_mta_ip = mta1=999.1.1.1", "sending_mta_ip: not an IP address" },
	{ "sending_mta_ip = mta1", "sending_mta_ip: expected HOST=IP" },
	{ "postfix_syslog_names = postfix, postfix-* mta/relay", NULL },
	{ "postfix_syslog_names = evil*x", "postfix_syslog_names: expected syslog names" },
	{ "postfix_syslog_names = post\xff-fix", "postfix_syslog_names: expected syslog names" },
	{ "postfix_syslog_names = ,", "postfix_syslog_names: at least one name" },
	{ "log_source = /var/log/mail.log, /var/log/postfix.log", NULL },
	{ "log_source = mail.log", "log_source: expected absolute paths" },
	{ "result_retention = 12h", "result_retention" },
	{ "= info\n", "expected \"name = value\"" },
	{ "Log_Level = info\n", "expected \"name = value\"" },
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

	/* values land where they should */
	settings_init(&s);
	is_int(s.log_level, 2, "default log_level is info");
	is_int(s.syslog_facility, LOG_MAIL, "default facility is mail");
	is_int(s.socketmap_max_connections, 1000, "default max connections");
	is_int(s.socketmap_idle_timeout, 60, "default idle timeout");
	ok(strstr(s.socketmap_listen, "postfix.sock") != NULL, "default listen is a unix socket");
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
	/* loading a missing file is an error naming it */
	ok(settings_load(&s, "/nonexistent/tlspolicyd.conf", err, sizeof(err)) == -1
	    && strstr(err, "/nonexistent/tlspolicyd.conf") != NULL, "missing file: %s", err);
	settings_fini(&s);
	return tap_done();
}
