#!/bin/sh
# TLS results from real Exim deliveries: Debian's Exim 4.96 (GnuTLS)
# configured with contrib/exim/exim.conf as shipped (paths substituted)
# delivers once to each of several loopback MX hosts - valid STARTTLS, no
# STARTTLS, an expired certificate, one for another name, one from an
# untrusted CA, an MX outside the policy, DANE good and bad, a testing
# policy, a failed policy fetch - and tlspolicyd, following Exim's
# mainlog, stores one session per attempt under the policy in force, with
# the RFC 8460 result type the GnuTLS log alone cannot give (the event
# ACL's certificate lines).  Killed with SIGKILL and restarted across a
# log rotation it counts every later attempt once; the reporter's mail
# goes out through Exim's sendmail, reaches the domain, and is not
# counted itself.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
. "$top_srcdir/t/exim.sh"
need_root
need nsd unbound unbound-control ldns-signzone dig openssl python3 postfix postconf unshare apt-get dpkg

: > "$T/resolv.conf"
exim_setup "$T/resolv.conf" || { done_testing; exit 1; }
ok "private Exim $EXIM_VERSION"

WORLD_DNS53=127.0.53.88   # its own: tests run side by side
world_dns_up
world_https_up
P=$T/pki
pki_leaf "$P" good ca mx.good.test
pki_leaf "$P" expired ca mx.certexpired.test expired
pki_leaf "$P" other ca mx.other.test
pki_leaf "$P" rogueleaf rogue mx.untrusted-mx.test
pki_leaf "$P" danegood ca mx.dane-good.test
pki_leaf "$P" danebad ca mx.dane-bad.test
chmod 644 "$P"/*.key
spki() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1; }

world_dns_batch
mx() {   # mx DOMAIN ADDRESS
	world_dns_set "$1. MX 10 mx.$1."
	world_dns_set "mx.$1. A $2"
}
enforce() { printf 'version: STSv1\nmode: enforce\nmx: %s\nmax_age: 86400\n' "$1"; }
for d in good nostarttls certexpired wrongname untrusted-mx; do
	world_sts "$d.test" 20261201 "$(enforce "mx.$d.test")"
done
world_sts badmx.test 3 "$(enforce mx.elsewhere.test)"
world_sts testing.test 7 "$(printf 'version: STSv1\nmode: testing\nmx: mx.testing.test\nmax_age: 86400\n')"
# a TXT record, but no policy server: the fetch fails
world_dns_set "_mta-sts.fetchfail.test. TXT \"v=STSv1; id=9\""
mx good.test 127.0.3.101
mx nostarttls.test 127.0.3.102
mx plain.test 127.0.3.102
mx certexpired.test 127.0.3.103
mx wrongname.test 127.0.3.104
mx untrusted-mx.test 127.0.3.105
mx badmx.test 127.0.3.101
mx testing.test 127.0.3.104
mx fetchfail.test 127.0.3.101
mx dane-good.test 127.0.3.106
mx dane-bad.test 127.0.3.107
world_dns_set "_25._tcp.mx.dane-good.test. TLSA 3 1 1 $(spki "$P/danegood.crt")"
world_dns_set "_25._tcp.mx.dane-bad.test. TLSA 3 1 1 $(spki "$P/good.crt")"
mx reports.test 127.0.3.101
world_dns_set "_smtp._tls.good.test. TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@reports.test\""
world_dns_commit
world_https_stop
world_https_start
printf 'nameserver %s\noptions trust-ad\n' "$WORLD_DNS53" > "$T/resolv.conf"

# the receiving side: one Postfix, a listener per kind of MX
DOMAINS="good nostarttls plain certexpired wrongname untrusted-mx badmx testing fetchfail dane-good dane-bad"
pf_instance mx
mkdir -p "$T/mail"
chown nobody "$T/mail"
postconf -c "$T/mx" -e "inet_interfaces = all" \
    "virtual_mailbox_domains = $(for d in $DOMAINS reports; do printf '%s.test ' "$d"; done)" \
    "virtual_mailbox_base = $T/mail" "virtual_mailbox_maps = static:box/" \
    "virtual_uid_maps = static:$(id -u nobody)" "virtual_gid_maps = static:$(id -g nobody)" \
    "smtpd_tls_security_level = may"
postconf -c "$T/mx" -M# smtp/inet
listener() {   # listener ADDRESS CERT|none
	if [ "$2" = none ]; then
		postconf -c "$T/mx" -M "$1:smtp/inet=$1:smtp inet n - n - - smtpd -o smtpd_tls_security_level=none"
	else
		postconf -c "$T/mx" -M "$1:smtp/inet=$1:smtp inet n - n - - smtpd -o smtpd_tls_cert_file=$P/$2.crt -o smtpd_tls_key_file=$P/$2.key"
	fi
}
listener 127.0.3.101 good
listener 127.0.3.102 none
listener 127.0.3.103 expired
listener 127.0.3.104 other
listener 127.0.3.105 rogueleaf
listener 127.0.3.106 danegood
listener 127.0.3.107 danebad
check "receiving Postfix starts" pf_start mx

write_conf <<W
exim_listen = unix:$T/run/exim.sock
exim_socket_mode = 0666
mta_sts = yes
dane = yes
dns_resolver = $WORLD_DNS
sts_ca_file = $WORLD_CA
sts_https_port = $WORLD_HTTPS_PORT
sts_fetch_timeout = 3s
lookup_timeout = 5s
log_source = $EXIM_LOG
sending_mta_ip = $(uname -n)=192.0.2.26
report_from = tlsrpt-noreply@out.localdomain
W
# the daemon reads the mainlog as nobody (on Debian: a member of adm)
log_readable() {
	: >> "$EXIM_LOG"
	chown "$EXIM_UID:$EXIM_UID" "$EXIM_LOG"
	chmod 644 "$EXIM_LOG"
}
log_readable
check "daemon starts" start_daemon

cat > "$EXIM_DIR/local.conf" <<L
$(exim_private)
TLSPOLICY_CA = $P/ca.crt
L
chmod 644 "$EXIM_DIR/local.conf"
sed -e "s|/etc/exim/local.conf|$EXIM_DIR/local.conf|" -e "s|/run/tlspolicyd/exim.sock|$T/run/exim.sock|" \
    -e "s|/var/mail/|$EXIM_DIR/mail/|" "$top_srcdir/contrib/exim/exim.conf" > "$EXIM_DIR/exim.conf"
chmod 644 "$EXIM_DIR/exim.conf"
exim -bV > "$T/exim-bV2.log" 2>&1
check "exim accepts contrib/exim/exim.conf" test $? -eq 0

send() {   # send DOMAIN: one message, one delivery attempt
	_id=$(exim_send sender@out.localdomain "user@$1") || return 1
	exim_deliver_now "$_id" || return 1
	echo "$_id"
}
for d in $DOMAINS; do
	send "$d.test" > /dev/null
done
check "the daemon has counted the 11 attempts" wait_for 20 sh -c "[ \"\$('$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | sed -n 's/^log .* sessions=\([0-9]*\) .*/\1/p')\" = 11 ]"
ctl status | grep '^log ' | sed 's/^/# /'
grep -v ' <= \| Completed$' "$EXIM_LOG" | sed 's/^/# /'

D=$(date -u +%Y-%m-%d)
ctl results > "$T/results.txt"
sed 's/^/# /' "$T/results.txt"
r() { grep -A1 "^$D $1 " "$T/results.txt" | tr '\n' ' '; }
like "$(r good.test)" "^$D good.test sts 20261201 successes=1 failures=0" "enforce, valid certificate: one success under the sts policy"
like "$(r nostarttls.test)" "sts 20261201 successes=0 failures=1 .*starttls-not-supported count=1 mx=mx.nostarttls.test ip=127.0.3.102 sending=192.0.2.26" \
    "enforce, no STARTTLS: starttls-not-supported"
like "$(r plain.test)" "no-policy-found successes=1 failures=0" "plaintext without a policy: a no-policy-found success"
like "$(r certexpired.test)" "sts 20261201 successes=0 failures=1 .*certificate-expired count=1 mx=mx.certexpired.test ip=127.0.3.103" \
    "enforce, expired certificate (GnuTLS: \"certificate invalid\"): certificate-expired"
like "$(r wrongname.test)" "sts 20261201 successes=0 failures=1 .*certificate-host-mismatch count=1 mx=mx.wrongname.test ip=127.0.3.104" \
    "enforce, certificate for another name (GnuTLS: no reason): certificate-host-mismatch"
like "$(r untrusted-mx.test)" "sts 20261201 successes=0 failures=1 .*certificate-not-trusted count=1 mx=mx.untrusted-mx.test ip=127.0.3.105" \
    "enforce, certificate from another CA (GnuTLS: \"certificate invalid\"): certificate-not-trusted"
like "$(r badmx.test)" "sts 3 successes=0 failures=1 .*certificate-host-mismatch count=1 .*reason=\"mx-not-in-policy\"" \
    "enforce, no MX in the policy (never contacted): certificate-host-mismatch mx-not-in-policy"
like "$(r testing.test)" "sts 7 successes=0 failures=1 .*certificate-host-mismatch count=1 mx=mx.testing.test ip=127.0.3.104" \
    "testing, certificate for another name: delivered, judged certificate-host-mismatch"
like "$(r fetchfail.test)" "sts .*successes=0 failures=1 .*sts-policy-fetch-error count=1" \
    "TXT record without a policy server: sts-policy-fetch-error"
like "$(r dane-good.test)" "tlsa mx.dane-good.test successes=1 failures=0" "DANE, matching TLSA (CV=dane): a success under the tlsa policy"
like "$(r dane-bad.test)" "tlsa mx.dane-bad.test successes=0 failures=1 .*validation-failure count=1 mx=mx.dane-bad.test ip=127.0.3.107" \
    "DANE, TLSA not matching: validation-failure under the tlsa policy"
is "$(grep -c "^$D " "$T/results.txt")" 11 "one policy entry per domain, nothing else"

# killed with SIGKILL and restarted across a rotation (Exim opens its log
# anew in every process, so a renamed mainlog is followed by a new one):
# later attempts are counted once, earlier ones not again
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
mv "$EXIM_LOG" "$EXIM_LOG.1"
log_readable
rm -f "$T/run/exim.sock"
check "daemon restarts" start_daemon
for d in good certexpired testing; do
	send "$d.test" > /dev/null
done
check "after the restart: 3 more attempts counted, 14 in all" wait_for 20 sh -c "[ \"\$('$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | sed -n 's/^log .* sessions=\([0-9]*\) .*/\1/p')\" = 14 ]"
ctl results > "$T/results2.txt"
r() { grep -A1 "^$D $1 " "$T/results2.txt" | tr '\n' ' '; }
like "$(r good.test)" "sts 20261201 successes=2 failures=0" "good.test: two successes, once each"
like "$(r certexpired.test)" "sts 20261201 successes=0 failures=2 .*certificate-expired count=2" "certexpired.test: two failures"
like "$(r testing.test)" "sts 7 successes=0 failures=2 .*certificate-host-mismatch count=2" "testing.test: two judged failures"
like "$(r wrongname.test)" "successes=0 failures=1 " "wrongname.test: still one"

# the same mainlog read by tlspolicyctl ingest into another store gives
# the same number of sessions
sed -e "s|^state_directory = .*|state_directory = $T/state2|" -e "s|^control_socket = .*|control_socket = unix:$T/run/control2.sock|" \
    -e '/^exim_listen/d' -e '/^log_source/d' "$T/tlspolicyd.conf" > "$T/ingest.conf"
mkdir -p "$T/state2"
chown nobody "$T/state2" 2>/dev/null
cat "$EXIM_LOG.1" "$EXIM_LOG" > "$T/all.log"
chmod 644 "$T/all.log"
"$TLSPOLICYCTL" -c "$T/ingest.conf" ingest "$T/all.log" > "$T/ingest.out" 2>&1
like "$(cat "$T/ingest.out")" " 14 sessions counted" "tlspolicyctl ingest of the same mainlog: 14 sessions"

# the day's report through Exim's sendmail: delivered to the domain's
# rua (a TLS-Required: No message), and not counted itself
exim_wrapper "$T/sendmail"
sed '/^user =/d' "$T/tlspolicyd.conf" > "$T/report.conf"
cat >> "$T/report.conf" <<C
user =
report_organization = Test Org
report_contact = tlsrpt-noreply@out.localdomain
sendmail_path = $T/sendmail
C
"$top_builddir/reporter/tlspolicy-report" -v -c "$T/report.conf" --day "$D" > "$T/report.log" 2>&1
sed 's/^/# /' "$T/report.log"
like "$(cat "$T/report.log")" "domain=good.test to=mailto:tlsrpt@reports.test: delivered" "the reporter hands good.test's report to Exim"
check "the report arrives at reports.test" wait_for 60 sh -c "grep -l '^TLS-Report-Domain: good.test' '$T/mail/box/new/'* > /dev/null 2>&1"
rep=$(grep -l '^TLS-Report-Domain: good.test' "$T/mail/box/new/"* 2>/dev/null | head -n 1)
/usr/bin/python3 "$top_srcdir/t/checkreport.py" "$top_srcdir/t/tlsrpt-schema.json" $rep > "$T/checked.txt" 2>&1
is "$?" 0 "the report: headers, gzip, JSON Schema of RFC 8460"
like "$(cat "$T/checked.txt")" "domain=good.test policies=sts:good.test:2/0" "the report counts Exim's two sessions"
like "$(grep ' <= tlsrpt-noreply@out.localdomain ' "$EXIM_LOG")" "<= tlsrpt-noreply@out.localdomain" "Exim took the report"
check "the report's own delivery is excluded, not counted" wait_for 20 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | grep -q 'sessions=14 .*excluded=1'"
check "no results for reports.test" sh -c "! '$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' results | grep -q reports.test"
stop_daemon
pf_stop mx
done_testing
