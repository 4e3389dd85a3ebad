#!/bin/sh
# MTA-STS end to end: tlspolicyd resolves policies through a real DNS
# server and fetches them from a real HTTPS server; real Postfix postmap
# asks for them.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound unbound-control ldns-signzone dig openssl python3 postmap db5.3_dump

world_dns_up
world_https_up
world_dns_batch
# the policy server restarts with new certificates, so make them first
ENFORCE='version: STSv1
mode: enforce
mx: mx1.enforce.test
mx: *.mx.enforce.test
max_age: 86400
'
world_sts enforce.test 1 "$ENFORCE"
world_sts testing.test 1 "$(world_sts_body testing 86400 mx.testing.test)"
world_sts none.test 1 "$(world_sts_body none 86400)"
world_sts nohttps.test 1 "$ENFORCE"
world_dns_del "mta-sts.nohttps.test."
world_dns_set "mta-sts.nohttps.test. A 127.0.0.2"
world_sts twotxt.test 1 "$ENFORCE"
world_dns_set "_mta-sts.twotxt.test. TXT \"v=STSv1; id=2;\""
world_sts badname.test 1 "$ENFORCE"
world_cert badname.test ca "" mta-sts.other.test
world_sts expired.test 1 "$ENFORCE"
world_cert expired.test ca expired
world_sts untrusted.test 1 "$ENFORCE"
world_cert untrusted.test rogue
world_sts redirect.test 1 "$ENFORCE"
echo "301 https://mta-sts.enforce.test/.well-known/mta-sts.txt" > "$T/www/mta-sts.redirect.test/.well-known/mta-sts.txt.status"
world_sts wrongtype.test 1 "$ENFORCE"
echo text/html > "$T/www/mta-sts.wrongtype.test/.well-known/mta-sts.txt.type"
world_sts bigbody.test 1 "$ENFORCE$(python3 -c 'print("#" * 66560)')"
world_sts malformed.test 1 "<html><body>Not a policy</body></html>"
world_sts slow.test 1 "$ENFORCE"
echo 4 > "$T/www/mta-sts.slow.test/.well-known/mta-sts.txt.delay"
world_sts idchange.test 1 "$ENFORCE"
world_sts outage.test 1 "$ENFORCE"
world_sts expiry.test 1 "$(world_sts_body enforce 2 mx.expiry.test)"
world_sts flight.test 1 "$ENFORCE"
echo 0.5 > "$T/www/mta-sts.flight.test/.well-known/mta-sts.txt.delay"
world_sts slowok.test 1 "$ENFORCE"
echo 2 > "$T/www/mta-sts.slowok.test/.well-known/mta-sts.txt.delay"
world_dns_set "www.unsigned.test. A 127.0.0.9"
world_dns_set "www.bogus.test. A 127.0.0.9"
world_dns_commit
world_https_stop
world_https_start

# the resolver validates: the test zone is signed, the AD bit set
like "$("$DNSQ" "$WORLD_DNS" _mta-sts.enforce.test TXT)" "rcode=0 ad=1 .*TXT \"v=STSv1; id=1;\"" \
    "DNSSEC-validated TXT through the test world's unbound"
like "$("$DNSQ" "$WORLD_DNS" www.unsigned.test A)" "rcode=0 ad=0 .* A 127.0.0.9" "unsigned zone: answer without AD"
like "$("$DNSQ" "$WORLD_DNS" www.bogus.test A)" "rcode=2 ad=0" "expired signatures: SERVFAIL"

world_conf <<C
mta_sts = yes
sts_fetch_timeout = 3s
sts_check_interval = 10s
lookup_timeout = 1s
C
check "daemon starts" start_daemon
M="unix:$T/run/postfix.sock:postfix"
WANT="secure match=mx1.enforce.test:.mx.enforce.test servername=hostname"

# cold lookup: waits for DNS + HTTPS, then answers
is "$(pm_q enforce.test "$M")" "$WANT" "enforce: postmap gets secure match=... on the first lookup"
is "$(pm_q enforce.test "unix:$T/run/postfix.sock:postfix-tlsrpt")" \
    "$WANT policy_type=sts policy_domain=enforce.test mx_host_pattern=mx1.enforce.test mx_host_pattern=*.mx.enforce.test { policy_string = version: STSv1 } { policy_string = mode: enforce } { policy_string = mx: mx1.enforce.test } { policy_string = mx: *.mx.enforce.test } { policy_string = max_age: 86400 }" \
    "enforce: postfix-tlsrpt answer carries the TLSRPT attributes"

# single flight: 10 clients ask for a cold domain at once; one fetch
i=0
pids=
while [ $i -lt 10 ]; do
	pm_q flight.test "$M" > "$T/flight.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
is "$(cat "$T"/flight.* | sort | uniq -c | sed 's/^ *//')" "10 $WANT" "single flight: 10 concurrent cold lookups all get the policy"
is "$(grep -c 'mta-sts.flight.test "GET' "$T/httpsd.log")" "1" "single flight: one HTTPS fetch"

notfound() {   # notfound DOMAIN DESCRIPTION: NOTFOUND, and why from tlspolicyctl
	out=$(pm_q "$1" "$M"); rc=$?
	is "$rc:$out" "1:" "$2: NOTFOUND"
}
notfound testing.test "testing mode"
notfound none.test "mode none"
notfound notxt.test "no TXT record"
notfound twotxt.test "two TXT records"
notfound nohttps.test "TXT but no HTTPS server"
notfound badname.test "wrong certificate name"
notfound expired.test "expired certificate"
notfound untrusted.test "untrusted CA"
notfound redirect.test "redirect"
notfound wrongtype.test "wrong content type"
notfound bigbody.test "65 KiB body"
notfound malformed.test "malformed body"
t0=$(date +%s%N)
notfound slow.test "slow server beyond the deadline"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "slow server: answered after lookup_timeout (${ms} ms)" test "$ms" -lt 2000

# a policy slower than lookup_timeout but within the fetch deadline: the
# first lookup answers NOTFOUND, the resolution goes on, the next gets it
notfound slowok.test "slow policy: first lookup after lookup_timeout"
check "slow policy: later lookups get it" wait_for 10 sh -c \
    "postmap -c '$(postfix_dir)' -q slowok.test 'socketmap:$M' | grep -q '^secure match='"

why() { ctl query "$1" | sed -n 's/^mta-sts last error: //p'; }
like "$(why nohttps.test)" "^sts-policy-fetch-error: connect" "no HTTPS server: sts-policy-fetch-error"
like "$(why badname.test)" "^sts-webpki-invalid: certificate: hostname mismatch" "wrong name: sts-webpki-invalid"
like "$(why expired.test)" "^sts-webpki-invalid: certificate: certificate has expired" "expired: sts-webpki-invalid"
like "$(why untrusted.test)" "^sts-webpki-invalid: certificate: unable to get local issuer" "untrusted: sts-webpki-invalid"
like "$(why redirect.test)" "^sts-policy-fetch-error: HTTP status 301" "redirect: not followed"
like "$(why wrongtype.test)" "^sts-policy-invalid: content type \"text/html\"" "wrong content type: sts-policy-invalid"
like "$(why bigbody.test)" "^sts-policy-invalid: body too large" "65 KiB: sts-policy-invalid"
like "$(why malformed.test)" "^sts-policy-invalid: line is not" "malformed: sts-policy-invalid"
check "slow: sts-policy-fetch-error once the fetch deadline passes" wait_for 10 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' query slow.test | grep -q 'last error: sts-policy-fetch-error: deadline passed'"
like "$(ctl query testing.test)" "mta-sts mode: testing" "tlspolicyctl query shows the testing policy"
like "$(ctl query enforce.test)" "mta-sts policy: mx: \*\.mx\.enforce\.test" "tlspolicyctl query shows the policy lines"
like "$(ctl list)" "enforce.test enforce id=1 " "tlspolicyctl list"

# id change: the old policy is served until the new one arrives
world_policy idchange.test "$(world_sts_body enforce 86400 old.idchange.test)"
world_cert idchange.test
is "$(pm_q idchange.test "$M")" "secure match=old.idchange.test servername=hostname" "idchange: first policy"
world_policy idchange.test "$(world_sts_body enforce 86400 new.idchange.test)"
world_dns_del "_mta-sts.idchange.test."
world_dns_set "_mta-sts.idchange.test. TXT \"v=STSv1; id=2;\""
is "$(pm_q idchange.test "$M")" "secure match=old.idchange.test servername=hostname" "idchange: old policy served before the recheck"
check "idchange: new policy after the recheck interval" wait_for 20 sh -c \
    "postmap -c '$(postfix_dir)' -q idchange.test 'socketmap:$M' | grep -q new.idchange.test"

# a max_age below five minutes counts as five minutes (75-clock.sh lets
# such a policy expire)
is "$(pm_q expiry.test "$M")" "secure match=mx.expiry.test servername=hostname" "expiry: policy with max_age 2 cached"
like "$(ctl query expiry.test)" "mta-sts max_age: 2 .*mta-sts expires: in (2[0-9][0-9]|300)s" \
    "expiry: max_age 2 counts as 300 s"

# HTTPS outage with a changed id: the cached policy is still served
is "$(pm_q outage.test "$M")" "$WANT" "outage: policy cached"
world_https_stop
world_dns_del "_mta-sts.outage.test."
world_dns_set "_mta-sts.outage.test. TXT \"v=STSv1; id=9;\""
check "outage: refresh attempted and failed" wait_for 20 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' query outage.test | grep -q 'last error: sts-policy-fetch-error'"
is "$(pm_q outage.test "$M")" "$WANT" "outage: cached policy still served"
world_https_start

# DNS outage: nothing known answers NOTFOUND fast, known policies still served
world_dns_stop
t0=$(date +%s%N)
out=$(pm_q dnsdown.test "$M"); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$rc:$out" "1:" "DNS outage: unknown domain answers NOTFOUND, not TEMP"
check "DNS outage: within lookup_timeout (${ms} ms)" test "$ms" -lt 6000
is "$(pm_q enforce.test "$M")" "$WANT" "DNS outage: cached policy served"
world_dns_start

# decisions for the reporter: one record per day, domain and policy id
decisions_read
check "decision records read from the running daemon's store" test -n "$dump"
check "decision recorded for enforce.test" decided 'enforce.test\09sts\091'
check "failure recorded for expired.test" decided 'expired.test\09failure\09sts-webpki-invalid'
check "failure recorded for wrongtype.test" decided 'wrongtype.test\09failure\09sts-policy-invalid'
is "$(printf '%s\n' "$dump" | grep -c "enforce.test.09sts")" "1" "served many times, recorded once"

# mode none: the entry goes once the TXT record is gone
like "$(ctl list)" "none.test none id=1" "mode none cached"
world_dns_del "_mta-sts.none.test."
check "mode none: entry removed after the TXT record went" wait_for 25 sh -c \
    "postmap -c '$(postfix_dir)' -q none.test 'socketmap:$M'; ! '$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' list | grep -q '^none.test none '"

# restart: the cache survives
stop_daemon
world_https_stop
check "daemon restarts" start_daemon
is "$(pm_q enforce.test "$M")" "$WANT" "restart: policy served from the store with HTTPS down"

# nothing is loaded at start: after a restart, a domain not looked up
# yet is read from the store when asked for.  While the store is lent, it
# is resolved as a new one; with HTTPS down that fails, and the failure
# must not replace the policy the store has once the store is back.
stop_daemon
check "daemon restarts again" start_daemon
cat > "$T/holder.py" <<'PY'
import fcntl, os, socket, sys, time
ctl, lock, held, release = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX)
s.connect(ctl)
cmd = ("lend %d" % os.getpid()).encode()
s.sendall(b"%d:%s," % (len(cmd), cmd))
reply = s.recv(512)
f = open(lock, "r+")
fcntl.flock(f, fcntl.LOCK_EX)
open(held, "w").write(reply.decode(errors="replace"))
for _ in range(600):
    if os.path.exists(release):
        break
    time.sleep(0.1)
PY
python3 "$T/holder.py" "$T/run/control.sock" "$T/state/store.lock" "$T/held" "$T/release" &
HOLDER=$!
check "the store is lent and held" wait_for 20 test -s "$T/held"
out=$(pm_q enforce.test "$M"); rc=$?
is "$rc:$out" "1:" "store lent, policy not in memory, HTTPS down: resolved anew, NOTFOUND"
check "the failed fetch is over" wait_for 25 sh -c \
    "'$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' query enforce.test | grep -q 'last error: sts-policy-fetch-error'"
touch "$T/release"
wait "$HOLDER"
check "the daemon has its store again" wait_for 20 has_store
check "the stored policy survived the failure: served again" wait_for 20 sh -c \
    "[ \"\$(postmap -c '$(postfix_dir)' -q enforce.test 'socketmap:$M')\" = '$WANT' ]"
like "$(ctl flush enforce.test)" "flushed enforce.test" "tlspolicyctl flush"
out=$(pm_q enforce.test "$M"); rc=$?
is "$rc:$out" "1:" "after flush with HTTPS down: NOTFOUND"
world_https_start
done_testing
