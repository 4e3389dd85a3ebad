#!/bin/sh
# TLS results from real Postfix deliveries: a sending Postfix configured
# with contrib/postfix and tlspolicyd (MTA-STS and DANE through the test
# world) delivers once to each of several loopback MX hosts - valid
# STARTTLS, no STARTTLS, an expired certificate, a certificate for
# another name, one from an untrusted CA, a DANE mismatch - and
# tlspolicyd, following the sending Postfix's log, stores one session per
# delivery under the policy in force.  The same log in every other
# envelope format gives the same sessions.  Then tlspolicy-report sends
# the reports: by mail through the same Postfix (to a Maildir on the
# receiving side, checked header by header and against a JSON Schema of
# RFC 8460) and by HTTPS POST, once per domain and endpoint however often
# it runs, retrying what failed.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
need_root
need nsd unbound ldns-signzone dig openssl python3 postfix postconf sendmail unshare

WORLD_DNS53=127.0.53.96   # its own: tests run side by side
world_dns_up
world_https_up
P=$T/pki
pki_leaf "$P" good ca mx.good.test
pki_leaf "$P" expired ca mx.certexpired.test expired
pki_leaf "$P" other ca mx.other.test
pki_leaf "$P" rogueleaf rogue mx.untrusted-mx.test
pki_leaf "$P" danebad ca mx.dane-bad.test
chmod 644 "$P"/*.key

world_dns_batch
for d in good nostarttls certexpired wrongname untrusted-mx; do
	world_sts "$d.test" 20261124 "$(world_sts_body enforce 86400 "mx.$d.test")"
done
world_sts testing.test 7 "$(world_sts_body testing 86400 mx.elsewhere.test)"
world_mx good.test 127.0.3.41
world_mx testing.test 127.0.3.41
world_mx nostarttls.test 127.0.3.42
world_mx plain.test 127.0.3.42
world_mx certexpired.test 127.0.3.43
world_mx wrongname.test 127.0.3.44
world_mx untrusted-mx.test 127.0.3.45
world_mx dane-bad.test 127.0.3.46
world_dns_set "_25._tcp.mx.dane-bad.test. TLSA 3 1 1 $(pki_spki "$P/good.crt")"
# where the reports go
world_mx reports.test 127.0.3.41
world_dns_set "rua.test. A 127.0.0.1"
R=https://rua.test:$WORLD_HTTPS_PORT
world_dns_set "_smtp._tls.good.test. TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@reports.test\""
world_dns_set "_smtp._tls.certexpired.test. TXT \"v=TLSRPTv1;rua=$R/v1/tlsrpt\""
world_dns_set "_smtp._tls.wrongname.test. TXT \"v=TLSRPTv1; rua=mailto:-oi@reports.test, mailto:wrong@reports.test,$R/fail; x-ext=1\""
world_dns_set "_smtp._tls.untrusted-mx.test. TXT \"v=TLSRPTv1; rua=$R/fail\""
world_dns_set "_smtp._tls.testing.test. TXT \"v=TLSRPTv1; rua=mailto:a@reports.test\""
world_dns_set "_smtp._tls.testing.test. TXT \"v=TLSRPTv1; rua=mailto:b@reports.test\""
world_dns_set "_smtp._tls.dane-bad.test. TXT \"v=TLSRPTv1; rua=mailto:dane@reports.test\""
world_dns_set "_smtp._tls.mx.dane-bad.test. TXT \"v=TLSRPTv1; rua=mailto:hostmaster@reports.test\""
pki_leaf "$P" rua.test ca rua.test
cp "$P/rua.test.crt" "$P/rua.test.key" "$T/certs/"
mkdir -p "$T/www/rua.test"
echo 500 > "$T/www/rua.test/fail.status"
world_dns_commit
world_https_stop
world_https_start
world_resolv

# the receiving side: one Postfix, a listener per kind of MX
pf_receiver mx "good.test testing.test nostarttls.test plain.test certexpired.test wrongname.test untrusted-mx.test dane-bad.test reports.test"
pf_listener mx 127.0.3.41 "$P/good"
pf_listener mx 127.0.3.42 none
pf_listener mx 127.0.3.43 "$P/expired"
pf_listener mx 127.0.3.44 "$P/other"
pf_listener mx 127.0.3.45 "$P/rogueleaf"
pf_listener mx 127.0.3.46 "$P/danebad"
check "receiving Postfix starts" pf_start mx

# the sending side, configured with contrib/postfix/main.cf.snippet;
# one attempt per message (no retries, no bounces) keeps counts exact
pf_sender out
postconf -c "$T/out" -e "smtp_tls_CAfile = $P/ca.crt" "maximal_queue_lifetime = 0" "bounce_queue_lifetime = 0"
touch "$T/out/maillog"
chmod 644 "$T/out/maillog"

world_conf <<C
mta_sts = yes
dane = yes
socketmap_socket_mode = 0666
log_source = $T/out/maillog
sending_mta_ip = out.localdomain=192.0.2.25
report_from = tlsrpt-noreply@out.localdomain
C
check "tlspolicyd starts" start_daemon
check "sending Postfix starts (resolving through the test world)" pf_start out "$T/resolv.conf"

for d in good testing nostarttls plain certexpired wrongname untrusted-mx dane-bad; do
	pf_send out "<>" "user@$d.test"
	check "delivery to $d.test attempted" pf_wait out "to=<user@$d.test>, relay=mx.$d.test.*status=(sent|bounced|deferred)"
done
# the reporter's own message: delivered, not counted
pf_send out tlsrpt-noreply@out.localdomain user@good.test
check "the report message was delivered" pf_wait out "to=<user@good.test>.*status=sent.*" 
wait_for 10 sh -c "[ \$(grep -c 'to=<user@good.test>.*status=sent' '$T/out/maillog') -ge 2 ]"
like "$(grep 'user@good.test' "$T/out/maillog" | head -1)" "status=sent" "good.test: sent"
check "the daemon has read the whole maillog" wait_for 10 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | grep -q 'sessions=8 .*excluded=1'"
ctl status | grep '^log ' | sed 's/^/# /'

D=$(date -u +%Y-%m-%d)
ctl results > "$T/results.txt"
sed 's/^/# /' "$T/results.txt"
r() { grep -A1 "^$D $1 " "$T/results.txt"; }
like "$(r good.test)" "^$D good.test sts 20261124 successes=1 failures=0" "valid STARTTLS, MTA-STS enforce: one success under the sts policy"
like "$(r testing.test)" "sts 7 successes=0 failures=1.*certificate-host-mismatch count=1 mx=mx.testing.test ip=127.0.3.41 sending=192.0.2.25 reason=\"mx-not-in-policy\"" \
    "MTA-STS testing: the delivery is judged as enforce would have (MX outside the policy)"
like "$(r nostarttls.test)" "sts 20261124 successes=0 failures=1.*starttls-not-supported count=1 mx=mx.nostarttls.test ip=127.0.3.42" "no STARTTLS under enforce: starttls-not-supported"
like "$(r plain.test)" "no-policy-found successes=1 failures=0" "plaintext without a policy: a no-policy-found success"
like "$(r certexpired.test)" "sts 20261124 successes=0 failures=1.*certificate-expired count=1 mx=mx.certexpired.test ip=127.0.3.43" "expired certificate: certificate-expired"
like "$(r wrongname.test)" "sts 20261124 successes=0 failures=1.*certificate-host-mismatch count=1 mx=mx.wrongname.test ip=127.0.3.44" "certificate for another name: certificate-host-mismatch"
like "$(r untrusted-mx.test)" "sts 20261124 successes=0 failures=1.*certificate-not-trusted count=1 mx=mx.untrusted-mx.test ip=127.0.3.45" "untrusted CA: certificate-not-trusted"
like "$(r dane-bad.test)" "tlsa mx.dane-bad.test successes=0 failures=1.*validation-failure count=1 mx=mx.dane-bad.test ip=127.0.3.46 sending=192.0.2.25 reason=\"num=65:no matching DANE TLSA records\"" \
    "DANE mismatch: validation-failure under the tlsa policy"
is "$(grep -c "^$D " "$T/results.txt")" 8 "one policy entry per domain, nothing else"
ctl results --json --domain dane-bad.test > "$T/dane.json"
check "results --json is JSON" python3 -c "import json,sys; d=json.load(open('$T/dane.json')); assert d[0]['policy-type']=='tlsa' and d[0]['failure-details'][0]['failed-session-count']==1"

# the same deliveries in the other envelope formats: the same sessions
now=$(date +%s)
"$top_builddir/t/logparse" -s "$now" < "$T/out/maillog" | sed 's/ host=[^ ]*//' > "$T/sessions.ref"
check "the maillog has sessions" test "$(wc -l < "$T/sessions.ref")" -ge 9
for f in traditional rfc3339 rfc5424 short-iso; do
	python3 "$top_srcdir/t/reformat.py" "$f" < "$T/out/maillog" > "$T/maillog.$f"; rc=$?
	"$top_builddir/t/logparse" -s "$now" < "$T/maillog.$f" | sed 's/ host=[^ ]*//' > "$T/sessions.$f"
	# a log not rewritten would be compared with itself
	check "$f envelope: the log rewritten, the same sessions" \
	    sh -c "[ $rc = 0 ] && ! cmp -s '$T/out/maillog' '$T/maillog.$f' && cmp -s '$T/sessions.ref' '$T/sessions.$f'"
done

# --- the reports of the day ---------------------------------------------
# The reporter runs as root here only because the test Postfix's sendmail
# needs "-C", which Postfix allows root alone.
printf '#!/bin/sh\nexec /usr/sbin/sendmail -C %s "$@"\n' "$T/out" > "$T/sendmail"
chmod 755 "$T/sendmail"
sed '/^user =/d' "$T/tlspolicyd.conf" > "$T/report.conf"
cat >> "$T/report.conf" <<C
user =
report_organization = Test "Org" \\ <with> {json} breakers
report_contact = tlsrpt-noreply@out.localdomain
sendmail_path = $T/sendmail
C
report() {
	"$top_builddir/reporter/tlspolicy-report" -v -c "$T/report.conf" --day "$D" "$@" >> "$T/report.log" 2>&1
}
mails() { ls "$T/mail/box/new" | wc -l; }
posts() { ls "$T/www/rua.test/v1/" 2>/dev/null | grep -c 'tlsrpt.posted.[0-9]*$'; }
before=$(mails)
now=$(date +%s)

# 1. no DNS: nothing sent, nothing marked
sed 's/^dns_resolver = .*/dns_resolver = 127.0.0.1:9/' "$T/report.conf" > "$T/report-nodns.conf"
"$top_builddir/reporter/tlspolicy-report" -v -c "$T/report-nodns.conf" --day "$D" >> "$T/report.log" 2>&1
like "$(cat "$T/report.log")" "domain=good.test: _smtp._tls lookup failed" "DNS down: the lookup failure is logged"
# 2. sendmail fails: mail deliveries stay pending; the https endpoint gets its POST
sed "s|^sendmail_path = .*|sendmail_path = /bin/false|" "$T/report.conf" > "$T/report-nomail.conf"
"$top_builddir/reporter/tlspolicy-report" -v -c "$T/report-nomail.conf" --day "$D" --at "$now" >> "$T/report.log" 2>&1
like "$(cat "$T/report.log")" "to=mailto:tlsrpt@reports.test: not delivered \(/bin/false exited with status 1\), retried" \
    "sendmail failing: not delivered, to be retried"
is "$(posts)" 1 "the https endpoint got one POST"
like "$(cat "$T/report.log")" "rua \"mailto:-oi@reports.test\" skipped \(address starting with" "a malformed rua is skipped with a log line"
like "$(cat "$T/report.log")" "domain=testing.test: TLSRPT record unusable \(more than one" "two TLSRPT records: no report"
like "$(cat "$T/report.log")" "to=$R/fail: not delivered \(HTTP status 500\)" "a failing https endpoint: not delivered"
# 3. at once again: nothing is due yet (backoff)
report --at "$now"
# 4. ten minutes later: the mail deliveries are retried and succeed
report --at $((now + 600))
# 5. and twenty: nothing more to send, the failing endpoint fails again
report --at $((now + 1200))
report --at $((now + 1300))
check "the report messages arrive" wait_for 30 sh -c "[ \$(ls '$T/mail/box/new' | wc -l) -ge $((before + 4)) ]"
sleep 2
is "$(( $(mails) - before ))" 4 "exactly four report messages after five runs (tlsrpt@, wrong@, dane@, hostmaster@)"
is "$(posts)" 1 "still one POST: never sent twice"
is "$(grep -c "domain=untrusted-mx.test to=$R/fail: not delivered (HTTP status 500), retried" "$T/report.log")" 3 \
    "a failing endpoint is retried when due: at once, after 10 and after 20 minutes, not in between"
like "$(cat "$T/report.log")" "domain=wrongname.test to=$R/fail: delivered to another address, not retried" \
    "once the report reached one address, the failed one is not retried"
report --at $((now + 90000))
like "$(cat "$T/report.log")" "domain=untrusted-mx.test to=$R/fail: not delivered .*giving up after a day" \
    "after a day of retries it gives up"
report --at $((now + 95000))
is "$(grep -c "domain=untrusted-mx.test to=$R/fail: not delivered" "$T/report.log")" 4 "and stays given up"

reports=$(grep -l '^TLS-Report-Domain:' "$T/mail/box/new/"*)
is "$(printf '%s\n' $reports | grep -c .)" 4 "the four report messages are there to be checked"
/usr/bin/python3 "$top_srcdir/t/checkreport.py" "$top_srcdir/t/tlsrpt-schema.json" $reports \
    "$T/www/rua.test/v1/tlsrpt.posted.1" > "$T/checked.txt" 2>&1
rc=$?
sed 's/^/# /' "$T/checked.txt"
is "$rc" 0 "every report: headers, subject, file name, gzip, JSON Schema of RFC 8460"
c() { grep -F "$1" "$T/checked.txt"; }
like "$(c 'domain=good.test')" "to=tlsrpt@reports.test domain=good.test policies=sts:good.test:1/0 details=-" \
    "good.test: one success under its sts policy"
like "$(c 'domain=wrongname.test')" "to=wrong@reports.test domain=wrongname.test policies=sts:wrongname.test:0/1 details=certificate-host-mismatch:1" \
    "wrongname.test: the host mismatch"
like "$(c 'domain=dane-bad.test')" "to=dane@reports.test domain=dane-bad.test policies=tlsa:mx.dane-bad.test:0/1 details=validation-failure:1" \
    "dane-bad.test: the tlsa policy with its base domain"
like "$(c 'domain=mx.dane-bad.test')" "to=hostmaster@reports.test domain=mx.dane-bad.test policies=tlsa:mx.dane-bad.test:0/1" \
    "the MX host's own record gets a host report"
like "$(c 'post ')" "post policies=sts:certexpired.test:0/1 details=certificate-expired:1" "the POST carries certexpired.test's report"
is "$(cat "$T/www/rua.test/v1/tlsrpt.posted.1.type")" "application/tlsrpt+gzip" "POSTed as application/tlsrpt+gzip"
org=$(sed -n 's/^report_organization = //p' "$T/report.conf")
is "$(python3 -c 'import gzip,json,sys; print(json.loads(gzip.decompress(open(sys.argv[1],"rb").read()))["organization-name"])' "$T/www/rua.test/v1/tlsrpt.posted.1")" \
    "$org" "organization-name survives quotes, backslashes and brackets"
dane=$(grep -l '^To: dane@' $reports)
like "$(python3 -c 'import email,gzip,json,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); p=m.get_payload()[1]; print(json.dumps(json.loads(gzip.decompress(p.get_payload(decode=True)))["policies"][0]["policy"]))' "$dane")" \
    '"policy-string": \["3 1 1 [0-9A-Fa-f]{64}"\]' "the tlsa policy-string is the TLSA record"
good=$(grep -l '^To: tlsrpt@' $reports)
like "$(python3 -c 'import email,gzip,json,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); p=m.get_payload()[1]; print(json.dumps(json.loads(gzip.decompress(p.get_payload(decode=True)))["policies"][0]["policy"]))' "$good")" \
    '"policy-string": \["version: STSv1", "mode: enforce", "mx: mx.good.test", "max_age: 86400"\].*"mx-host": \["mx.good.test"\]' \
    "the sts policy-string and mx-host come from the policy served"
check "the reports' own deliveries are not counted" wait_for 10 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status | grep -q 'sessions=8 .*excluded=[4-9]'"
check "no results for reports.test" sh -c "! '$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' results | grep -q reports.test"

# dry run: files, no sending, no state
mkdir -p "$T/dry"
report --dry-run "$T/dry" --at $((now + 2000))
is "$(ls "$T/dry" | grep -c '\.eml$')" 4 "dry run: one message per mail endpoint"
check "dry run: the https report as JSON" sh -c "ls '$T/dry' | grep -q 'certexpired.test.*\.json$'"
check "dry run: nothing sent" sh -c "[ \$(ls '$T/mail/box/new' | wc -l) -eq $((before + 4)) ]"

# bounces: three for one address and it is skipped
for i in 1 2 3; do
	printf 'From: MAILER-DAEMON\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; dane@reports.test\nAction: failed\nStatus: 5.1.1\n\n--b--\n' |
	    "$top_builddir/reporter/tlspolicy-report" -v -c "$T/report.conf" --bounce >> "$T/report.log" 2>&1
done
like "$(cat "$T/report.log")" "bounce of a report to dane@reports.test counted" "--bounce counts a DSN's failed recipient"
report --dry-run "$T/dry" --at $((now + 2100))
like "$(cat "$T/report.log")" "to=mailto:dane@reports.test: skipped, reports to this address bounced repeatedly" \
    "an address that bounced three times is skipped"
stop_daemon
pf_stop out
pf_stop mx
done_testing
