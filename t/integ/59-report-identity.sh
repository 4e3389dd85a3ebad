#!/bin/sh
# The reports' identity when report_* are unset: the MTA's host name
# (Postfix's myhostname, through the real postconf and MAIL_CONFIG), shown
# by "tlspolicyctl check-config"; a submitter that is not a fully
# qualified domain name is refused by tlspolicy-report, with what to set.
. "$top_srcdir/t/lib.sh"
need postconf

mkdir -p "$T/pf" "$T/state"
[ "$(id -u)" = 0 ] && chown nobody "$T/state"
write_conf </dev/null
pf() {   # pf MAIN.CF-LINES: Postfix's configuration for the programs below
	printf 'compatibility_level = 3.6\n%s\n' "$1" > "$T/pf/main.cf"
	touch -d '1 minute ago' "$T/pf/main.cf"
}
identity() { MAIL_CONFIG=$T/pf "$TLSPOLICYCTL" -c "$1" check-config 2>&1 >/dev/null; }
report() {
	MAIL_CONFIG=$T/pf "$top_builddir/reporter/tlspolicy-report" -c "$1" --day 2026-03-10 \
	    > "$T/report.out" 2>&1
}

pf 'myhostname = mta.example.net'
out=$(identity "$T/tlspolicyd.conf")
like "$out" "report_from = tlsrpt-noreply@mta\.example\.net, report_contact = tlsrpt-noreply@mta\.example\.net, report_submitter = mta\.example\.net, report_organization = mta\.example\.net \(host name mta\.example\.net from Postfix myhostname\)" \
    "check-config: the identity in effect, from Postfix's myhostname"
check "check-config: no warning for a qualified name" sh -c "! printf '%s' '$out' | grep -q warning"
report "$T/tlspolicyd.conf"; rc=$?
check "tlspolicy-report runs under it" test "$rc" = 0

pf 'myhostname = vm'
out=$(identity "$T/tlspolicyd.conf")
like "$out" "report_submitter = vm,.*warning: report submitter \"vm\" \(the host name, from Postfix myhostname\) is not a fully qualified domain name: set report_contact" \
    "check-config: a bare host name is shown and warned about"
report "$T/tlspolicyd.conf"; rc=$?
like "$rc $(cat "$T/report.out")" "^1 .*report submitter \"vm\" .*not a fully qualified domain name.*no reports are sent" \
    "tlspolicy-report refuses a bare host name"

pf ''      # Postfix's own default: the host name in .localdomain
out=$(identity "$T/tlspolicyd.conf")
like "$out" "warning: report submitter \"[^\"]*\.localdomain\".*not a fully qualified" \
    "Postfix's default myhostname (NAME.localdomain) is not taken for a domain"

printf 'report_contact = tlsrpt@example.org\n' >> "$T/tlspolicyd.conf"
out=$(identity "$T/tlspolicyd.conf")
like "$out" "report_from = tlsrpt-noreply@[^,]*, report_contact = tlsrpt@example\.org, report_submitter = example\.org" \
    "report_contact set: the submitter is its domain"
check "report_contact set: no warning" sh -c '! printf "%s" "$1" | grep -q warning' sh "$out"
report "$T/tlspolicyd.conf"; rc=$?
check "report_contact set: tlspolicy-report runs" test "$rc" = 0
done_testing
